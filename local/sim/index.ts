// Simulated Kubernetes clusters that speak the real REST API (kubectl and
// @kubernetes/client-node work against them unchanged): `gns-sync sim`, tests, demo, benches.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { SimCluster } from './cluster.ts';
import { parseIpv4Cidr } from './ip.ts';

export { SimCluster } from './cluster.ts';
export type { ResourceName } from './cluster.ts';
export type { Faults, Counters } from './api/server.ts';
export type { KubeObject } from './api/objects.ts';

export interface SimClusterSpec {
  readonly name: string;
  /** Pod addresses; default `10.<i+1>.0.0/16` for the i-th cluster. */
  readonly podCidr?: string;
  /** The cluster's network (`--istio`: istio-system's and the east-west gateway's label); default its name. */
  readonly network?: string;
}

export interface SimOptions {
  readonly clusters: readonly SimClusterSpec[];
  /** Serve cluster DNS on a loopback UDP port per cluster. */
  readonly dns?: boolean;
  /** API port of the first cluster (then +1, ...); DNS ports from portBase + 100. 0/undefined: OS-assigned. */
  readonly portBase?: number;
  /** Kubelet: pods turn Ready this long after they start (default 200). */
  readonly readyDelayMs?: number;
  /** Watch history per cluster, in changes (default 10_000); older resourceVersions get 410 Gone. */
  readonly watchHistory?: number;
  /**
   * Changes older than this are forgotten too (default 75 s: what the watch cache is sure to
   * keep, its eventFreshDuration); a watch resumed from before them gets 410 Gone.
   */
  readonly watchHistoryMs?: number;
  /** Watches without timeoutSeconds end after a random time in [this, 2×this] (default 1800 s, kube-apiserver's --min-request-timeout). */
  readonly minRequestTimeoutMs?: number;
  /** BOOKMARK events to watches with allowWatchBookmarks, this often (default 60 s). */
  readonly bookmarkIntervalMs?: number;
  /**
   * Pods are deleted gracefully (their terminationGracePeriodSeconds, default 30): their
   * containers exit this long after SIGTERM, or are killed at the end of the grace when that is
   * shorter. Default: they take the whole grace (a process that ignores SIGTERM).
   */
  readonly containerStopMs?: number;
  /**
   * A new pod stays Pending without an IP this long before the kubelet binds and starts it
   * (scheduling, sandbox, network), as in Kubernetes: a restarted pod comes back in steps.
   * Default 0 (at once).
   */
  readonly startDelayMs?: number;
  /** The version /version reports (default 1.32, kubectl's own). */
  readonly serverVersion?: { readonly major: string; readonly minor: string };
  /** Controllers and the kubelet record Events (default true). */
  readonly events?: boolean;
  /** Install Istio's CRDs and an east-west gateway (with a load-balancer address) in every cluster. */
  readonly istio?: boolean;
  /**
   * Enforce authentication and RBAC (`gns-sync sim --rbac`): requests need the kubeconfig's admin
   * token (a random one per cluster, in system:masters) or a ServiceAccount token, and RBAC allows
   * or refuses them (local/sim/api/auth/). Default: any token is the admin.
   */
  readonly rbac?: boolean;
}

export interface SimFleet {
  readonly clusters: readonly SimCluster[];
  cluster(name: string): SimCluster;
  /** One context per cluster (context, cluster and user named after the cluster); plain http, insecure-skip-tls-verify. */
  kubeconfigYaml(currentContext?: string): string;
  writeKubeconfig(path: string): Promise<void>;
  stop(): Promise<void>;
}

/** Why a fleet could not start: bad options, or a port in use. */
export class SimStartError extends Error {
  override readonly name = 'SimStartError';
}

/** The i-th cluster's MetalLB-like pool: 8 addresses from 172.18.255.200 (kind's usual MetalLB range), 6 clusters a /24. */
export function loadBalancerCidr(i: number): string {
  return `172.18.${255 - Math.floor(i / 6)}.${200 + 8 * (i % 6)}/29`;
}

const CLUSTER_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export async function startSimClusters(opts: SimOptions): Promise<SimFleet> {
  if (opts.clusters.length === 0) throw new SimStartError('no clusters to start: pass at least one cluster name');
  const names = new Set<string>();
  for (const c of opts.clusters) {
    if (!CLUSTER_NAME.test(c.name)) throw new SimStartError(`cluster name "${c.name}" is not valid: use letters, digits, '-', '_' or '.', at most 63, starting and ending with a letter or digit`);
    if (names.has(c.name)) throw new SimStartError(`cluster name "${c.name}" is given twice: cluster names must be unique`);
    names.add(c.name);
    if (c.podCidr !== undefined) {
      try {
        parseIpv4Cidr(c.podCidr);
      } catch (error) {
        throw new SimStartError(`cluster "${c.name}": ${(error as Error).message}`, { cause: error });
      }
    }
  }
  for (const [name, value] of [['watchHistoryMs', opts.watchHistoryMs], ['minRequestTimeoutMs', opts.minRequestTimeoutMs], ['bookmarkIntervalMs', opts.bookmarkIntervalMs]] as const) {
    if (value !== undefined && !(value > 0)) throw new SimStartError(`${name} ${value} is not a duration: give a positive number of milliseconds`);
  }
  if (opts.containerStopMs !== undefined && !(opts.containerStopMs >= 0)) throw new SimStartError(`containerStopMs ${opts.containerStopMs} is not a duration: give milliseconds (0 or more)`);
  if (opts.startDelayMs !== undefined && !(opts.startDelayMs >= 0 && Number.isFinite(opts.startDelayMs))) throw new SimStartError(`startDelayMs ${opts.startDelayMs} is not a duration: give milliseconds (0 or more)`);
  const portBase = opts.portBase ?? 0;
  if (!Number.isInteger(portBase) || portBase < 0 || portBase > 65000) throw new SimStartError(`port base ${portBase} is not a port number (0 for OS-assigned ports)`);
  const clusters: SimCluster[] = [];
  try {
    for (const [i, spec] of opts.clusters.entries()) {
      const cluster = new SimCluster({
        name: spec.name,
        podCidr: spec.podCidr ?? `10.${i + 1}.0.0/16`,
        serviceCidr: '10.96.0.0/16',
        nodeIp: `172.18.0.${i + 2}`,
        apiPort: portBase ? portBase + i : 0,
        dns: opts.dns ?? false,
        dnsPort: portBase ? portBase + 100 + i : 0,
        readyDelayMs: opts.readyDelayMs ?? 200,
        watchHistory: opts.watchHistory ?? 10_000,
        watchHistoryMs: opts.watchHistoryMs ?? 75_000,
        watchTiming: { minRequestTimeoutMs: opts.minRequestTimeoutMs ?? 1_800_000, bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000 },
        containerStopMs: opts.containerStopMs ?? Number.POSITIVE_INFINITY,
        ...(opts.startDelayMs !== undefined ? { startDelayMs: opts.startDelayMs } : {}),
        serverVersion: opts.serverVersion ?? { major: '1', minor: '32' },
        events: opts.events ?? true,
        ...(opts.istio ? { loadBalancerCidr: loadBalancerCidr(i), istioNetwork: spec.network ?? spec.name } : {}),
        ...(opts.rbac ? { rbac: true, adminToken: randomBytes(24).toString('base64url') } : {}),
      });
      clusters.push(cluster);
      await cluster.start();
    }
  } catch (error) {
    await Promise.all(clusters.map((c) => c.stop().catch(() => {})));
    if (error instanceof SimStartError) throw error;
    throw new SimStartError(`could not start the simulated clusters: ${(error as Error).message}; choose another --port-base or 0 for OS-assigned ports`, { cause: error });
  }
  const kubeconfigYaml = (currentContext?: string): string => stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    'current-context': currentContext ?? clusters[0]!.name,
    clusters: clusters.map((c) => ({ name: c.name, cluster: c.adminToken === undefined ? { server: c.url, 'insecure-skip-tls-verify': true } : { server: c.url, 'certificate-authority-data': Buffer.from(c.caPem).toString('base64') } })),
    users: clusters.map((c) => ({ name: c.name, user: { token: c.adminToken ?? `sim-${c.name}` } })),
    contexts: clusters.map((c) => ({ name: c.name, context: { cluster: c.name, user: c.name, namespace: 'default' } })),
  });
  let stopped = false;
  return {
    clusters,
    cluster(name: string): SimCluster {
      const found = clusters.find((c) => c.name === name);
      if (!found) throw new Error(`no simulated cluster named "${name}" (clusters: ${clusters.map((c) => c.name).join(', ')})`);
      return found;
    },
    kubeconfigYaml,
    async writeKubeconfig(path: string): Promise<void> {
      await writeFile(path, kubeconfigYaml(), { mode: 0o600 });
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await Promise.all(clusters.map((c) => c.stop()));
    },
  };
}
