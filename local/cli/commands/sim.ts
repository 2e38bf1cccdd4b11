// `gns-sync sim --clusters clusterOne,clusterTwo --kubeconfig FILE [--dns] [--port-base N]`:
// simulated Kubernetes clusters for the demo and tests, until SIGINT/SIGTERM.
import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SimStartError, startSimClusters } from '../../sim/index.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';

const USAGE_LINE = 'usage: gns-sync sim --clusters NAME[,NAME...] --kubeconfig FILE [--dns] [--port-base N] [--ready-delay-ms MS] [--container-stop-ms MS] [--istio [--network CLUSTER=NETWORK ...]] [--rbac]';

/** Why a file cannot be written at `path` (a directory there, or no directory to hold it), or undefined. */
function writableFileProblem(path: string): string | undefined {
  const full = resolve(path);
  if (statSync(full, { throwIfNoEntry: false })?.isDirectory()) return 'is a directory, not a file';
  const parent = statSync(dirname(full), { throwIfNoEntry: false });
  if (parent === undefined) return `the directory ${dirname(full)} does not exist`;
  if (!parent.isDirectory()) return `${dirname(full)} is not a directory`;
  return undefined;
}

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** `--network CLUSTER=NETWORK` flags: the network of each named cluster (others: their own name). */
function networksOf(flags: readonly string[], clusters: readonly string[], istio: boolean): Map<string, string> {
  if (flags.length > 0 && !istio) throw new UsageError('--network needs --istio (networks label the east-west gateways the sim installs)');
  const out = new Map<string, string>();
  for (const flag of flags) {
    const m = /^([^=]+)=(.*)$/.exec(flag);
    if (!m) throw new UsageError(`--network ${flag}: write CLUSTER=NETWORK`);
    const [, cluster, network] = m as unknown as [string, string, string];
    if (!clusters.includes(cluster)) throw new UsageError(`--network ${flag}: no cluster "${cluster}" in --clusters (${clusters.join(', ')})`);
    if (!LABEL_VALUE.test(network)) throw new UsageError(`--network ${flag}: "${network}" is not a valid label value (letters, digits, '-', '_', '.', at most 63)`);
    if (out.has(cluster)) throw new UsageError(`--network names cluster "${cluster}" twice`);
    out.set(cluster, network);
  }
  return out;
}

function parse(args: readonly string[]): { clusters: string[]; kubeconfig: string; dns: boolean; portBase: number; readyDelayMs: number; startDelayMs: number; containerStopMs?: number; istio: boolean; networks: Map<string, string>; rbac: boolean } {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        clusters: { type: 'string' },
        kubeconfig: { type: 'string' },
        dns: { type: 'boolean', default: false },
        'port-base': { type: 'string' },
        'ready-delay-ms': { type: 'string' },
        'container-stop-ms': { type: 'string' },
        'start-delay-ms': { type: 'string' },
        istio: { type: 'boolean', default: false },
        network: { type: 'string', multiple: true },
        rbac: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; ${USAGE_LINE}`, { cause: error });
  }
  if (!values.clusters) throw new UsageError(`--clusters is required; ${USAGE_LINE}`);
  if (!values.kubeconfig) throw new UsageError(`--kubeconfig is required (the file to write); ${USAGE_LINE}`);
  const kubeconfigProblem = writableFileProblem(values.kubeconfig);
  if (kubeconfigProblem !== undefined) throw new UsageError(`--kubeconfig ${values.kubeconfig}: ${kubeconfigProblem}; give a file path in an existing directory`);
  const clusters = values.clusters.split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (clusters.length === 0) throw new UsageError(`--clusters names no cluster; ${USAGE_LINE}`);
  const number = (flag: string, text: string | undefined, fallback: number, max: number): number => {
    if (text === undefined) return fallback;
    if (!/^\d+$/.test(text) || Number(text) > max) throw new UsageError(`--${flag} must be a whole number from 0 to ${max} (got "${text}")`);
    return Number(text);
  };
  return {
    clusters,
    kubeconfig: values.kubeconfig,
    dns: values.dns ?? false,
    portBase: number('port-base', values['port-base'], 0, 65000),
    readyDelayMs: number('ready-delay-ms', values['ready-delay-ms'], 200, 600_000),
    ...(values['container-stop-ms'] !== undefined ? { containerStopMs: number('container-stop-ms', values['container-stop-ms'], 0, 600_000) } : {}),
    startDelayMs: number('start-delay-ms', values['start-delay-ms'], 0, 600_000),
    istio: values.istio ?? false,
    networks: networksOf(values.network ?? [], clusters, values.istio ?? false),
    rbac: values.rbac ?? false,
  };
}

export const sim: Command = {
  name: 'sim',
  summary: 'Run simulated Kubernetes clusters (kubectl and client-node work against them) and write their kubeconfig',
  usage: [
    USAGE_LINE,
    '',
    '  --clusters A,B        cluster names (each gets its own API server, pod CIDR 10.<i+1>.0.0/16, node)',
    '  --kubeconfig FILE     where to write the kubeconfig: one context per cluster, named after it',
    '  --dns                 serve cluster DNS (headless Services from EndpointSlices) on a UDP port per cluster',
    '  --port-base N         API ports N, N+1, ...; DNS ports N+100, N+101, ... (default: OS-assigned)',
    '  --ready-delay-ms MS   pods turn Ready this long after they start (default 200)',
    '  --start-delay-ms MS   a new pod stays Pending without an IP this long before it starts (scheduling, sandbox,',
    '                        network; default 0). `kubectl cordon` keeps new pods Pending (Unschedulable) until uncordoned',
    '  --container-stop-ms MS  containers exit this long after SIGTERM: a deleted pod stays Terminating (not ready,',
    '                        terminating endpoints) this long, at most its terminationGracePeriodSeconds (default 30);',
    '                        without it containers take the whole grace. `kubectl delete --grace-period=0 --force` deletes at once',
    '  --istio               serve, besides the CustomResourceDefinitions you apply, Istio 1.27.9\'s networking.istio.io',
    '                        CRDs, and in each cluster istio-system (labelled topology.istio.io/network), the east-west gateway',
    '                        Service istio-system/istio-eastwestgateway (LoadBalancer, port tls 15443, an address from a',
    '                        MetalLB-like pool from 172.18.255.200) and the AUTO_PASSTHROUGH Gateway cross-network-gateway',
    '  --network C=N         with --istio: cluster C is on Istio network N (repeatable; default: each cluster\'s own name)',
    '  --rbac                authenticate and authorize as a real cluster: HTTPS with a cluster CA; the kubeconfig\'s',
    '                        token is the admin (system:masters); ServiceAccount tokens (`kubectl create token`,',
    '                        kubernetes.io/service-account-token Secrets) get what Roles, ClusterRoles and bindings allow',
    '                        (401 without a valid token, 403 otherwise); `kubectl auth can-i|whoami` answer',
    '',
    'Prints one line per cluster (name, API URL, DNS port) and runs until SIGINT or SIGTERM.',
    'Try: KUBECONFIG=FILE kubectl --context A get pods -A -o wide',
  ].join('\n'),
  async run(args) {
    const opts = parse(args);
    let fleet;
    try {
      fleet = await startSimClusters({ clusters: opts.clusters.map((name) => ({ name, ...(opts.networks.has(name) ? { network: opts.networks.get(name)! } : {}) })), istio: opts.istio, rbac: opts.rbac, dns: opts.dns, portBase: opts.portBase, readyDelayMs: opts.readyDelayMs, startDelayMs: opts.startDelayMs, ...(opts.containerStopMs !== undefined ? { containerStopMs: opts.containerStopMs } : {}) });
    } catch (error) {
      if (error instanceof SimStartError) {
        console.error(`gns-sync sim: ${error.message}`);
        return error.message.startsWith('could not start') ? 1 : 2;
      }
      throw error;
    }
    try {
      await fleet.writeKubeconfig(opts.kubeconfig);
    } catch (error) {
      await fleet.stop();
      console.error(`gns-sync sim: could not write the kubeconfig to ${opts.kubeconfig}: ${(error as Error).message}; choose a writable path`);
      return 1;
    }
    for (const c of fleet.clusters) {
      console.log(`${c.name}\t${c.url}\t${c.dnsPort !== undefined ? `dns 127.0.0.1:${c.dnsPort}` : 'dns off'}`);
    }
    console.log(`kubeconfig written to ${opts.kubeconfig}; contexts: ${fleet.clusters.map((c) => c.name).join(', ')}. Stop with Ctrl-C.`);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.on('SIGINT', done);
      process.on('SIGTERM', done);
    });
    await fleet.stop();
    console.log('simulated clusters stopped');
    return 0;
  },
};
