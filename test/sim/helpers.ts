// Shared setup for the simulator tests: a fleet on OS-assigned ports, its kubeconfig in a temp
// dir, kubectl with that kubeconfig (and its own discovery cache), and small HTTP helpers.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SimCluster, SimFleet, SimOptions } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';

export const KAFKA_MANIFEST = fileURLToPath(new URL('./fixtures/kafka.yaml', import.meta.url));

function has(binary: string): boolean {
  try {
    execFileSync(binary, binary === 'dig' ? ['-v'] : ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasKubectl = has('kubectl');
export const hasDig = has('dig');

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface SimEnv {
  readonly fleet: SimFleet;
  readonly dir: string;
  readonly kubeconfig: string;
  /** Runs kubectl with the fleet's kubeconfig; `--context` defaults to the first cluster. */
  kubectl(args: readonly string[], opts?: { context?: string; stdin?: string }): Promise<KubectlResult>;
  /** Like kubectl, but throws with stderr when it fails. */
  k(args: readonly string[], opts?: { context?: string }): Promise<string>;
  close(): Promise<void>;
}

export async function startEnv(opts: Partial<SimOptions> = {}): Promise<SimEnv> {
  // Deleted pods' containers exit 100 ms after SIGTERM (pods are deleted gracefully, as in Kubernetes).
  const fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], readyDelayMs: 20, containerStopMs: 100, ...opts });
  const dir = await mkdtemp(join(tmpdir(), 'gns-sim-'));
  const kubeconfig = join(dir, 'kubeconfig');
  await fleet.writeKubeconfig(kubeconfig);
  const kubectl = (args: readonly string[], o: { context?: string; stdin?: string } = {}): Promise<KubectlResult> =>
    new Promise((resolve) => {
      const child = execFile('kubectl', ['--context', o.context ?? fleet.clusters[0]!.name, ...args], {
        env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
        timeout: 20_000,
      }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (o.stdin !== undefined) child.stdin?.end(o.stdin);
    });
  return {
    fleet, dir, kubeconfig, kubectl,
    async k(args, o) {
      const r = await kubectl(args, o);
      if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
      return r.stdout;
    },
    async close() {
      await fleet.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value other than undefined (or throws after `ms`). */
export async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export interface HttpResult {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

/** One HTTP request to a simulated API server. */
export async function http(base: string, method: string, path: string, body?: unknown, contentType = 'application/json', headers: Record<string, string> = {}): Promise<HttpResult> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'Content-Type': contentType } : {}), Accept: 'application/json', ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text };
}

/**
 * Two clusters serving cluster DNS (the DNS tests' world): in clusterOne/ns-one Kafka's 3-replica
 * StatefulSet behind its headless Service kafka-headless (`web`: a ClusterIP Service `web` on the
 * same pods too); in clusterTwo/ns-one a selectorless headless kafka-headless whose slice gns-sync
 * would write, VIPs for kafka-0 (ready) and kafka-1 (not ready), then `moreEndpoints`. Resolves
 * once clusterOne's headless name answers 3 pods.
 */
export async function startDnsFleet(options: { readonly web?: boolean; readonly moreEndpoints?: readonly unknown[] } = {}): Promise<{ fleet: SimFleet; one: SimCluster; two: SimCluster }> {
  const fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], dns: true, readyDelayMs: 10 });
  const one = fleet.cluster('clusterOne');
  const two = fleet.cluster('clusterTwo');
  for (const c of [one, two]) await http(c.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'ns-one' } });
  const labels = { 'app.kubernetes.io/name': 'kafka' };
  await http(one.url, 'POST', '/api/v1/namespaces/ns-one/services', { metadata: { name: 'kafka-headless' }, spec: { clusterIP: 'None', selector: labels, ports: [{ name: 'tcp-client', port: 9092 }] } });
  if (options.web) await http(one.url, 'POST', '/api/v1/namespaces/ns-one/services', { metadata: { name: 'web' }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }] } });
  await http(one.url, 'POST', '/apis/apps/v1/namespaces/ns-one/statefulsets', {
    metadata: { name: 'kafka' },
    spec: { replicas: 3, serviceName: 'kafka-headless', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'kafka', image: 'kafka:3', ports: [{ name: 'kafka-client', containerPort: 9092 }] }] } } },
  });
  await http(two.url, 'POST', '/api/v1/namespaces/ns-one/services', { metadata: { name: 'kafka-headless' }, spec: { clusterIP: 'None', ports: [{ name: 'tcp-client', port: 9092 }] } });
  await http(two.url, 'POST', '/apis/discovery.k8s.io/v1/namespaces/ns-one/endpointslices', {
    metadata: { name: 'kafka-headless-gns', labels: { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io' } },
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['240.240.0.10'], hostname: 'kafka-0', conditions: { ready: true } },
      { addresses: ['240.240.0.11'], hostname: 'kafka-1', conditions: { ready: false } },
      ...(options.moreEndpoints ?? []),
    ],
    ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP' }],
  });
  await until('3 ready endpoints', () => (one.resolve('kafka-headless.ns-one.svc.cluster.local').length === 3 ? true : undefined));
  return { fleet, one, two };
}
