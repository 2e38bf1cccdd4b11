// `gns-sync trace NAME --from CLUSTER [--namespace NS] [--config FILE] [--kubeconfig FILE]`:
// follows a per-pod name hop by hop as a client pod in CLUSTER reaches it (read-only).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../../../shared/config/load.ts';
import { kubeMeshReader } from '../../trace/kube-reader.ts';
import { TraceInputError } from '../../trace/name.ts';
import { topologyFromConfig } from '../../trace/topology.ts';
import { traceName } from '../../trace/trace.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';

const USAGE_LINE = 'usage: gns-sync trace NAME --from CLUSTER [--namespace NS] [--config FILE] [--kubeconfig FILE]';
const DEFAULT_CONFIG = 'examples/kafka-gns.yaml';

export const trace: Command = {
  name: 'trace',
  summary: 'Follow a per-pod name hop by hop from a client cluster to the pod it reaches (read-only)',
  usage: [
    USAGE_LINE,
    '',
    '  NAME              a per-pod name: kafka-0.kafka-headless.ns-one.svc.cluster.local (or relative to --namespace)',
    '  --from CLUSTER    the cluster the client pod runs in (a cluster of the config)',
    '  --namespace NS    the client pod\'s namespace (default: the name\'s namespace)',
    `  --config FILE     the gns-sync config (default ${DEFAULT_CONFIG})`,
    '  --kubeconfig FILE a kubeconfig with a context per cluster (default $KUBECONFIG, else ~/.kube/config)',
    '',
    'Prints one line per hop: DNS answer (the target\'s EndpointSlices) → address → with routing: istio,',
    'the ServiceEntry that owns the client sidecar\'s listener → its endpoint\'s network → that network\'s',
    'east-west gateway → the gateway\'s ServiceEntry for the SNI → the pod. Reads only (list/get).',
    'Exit 0: the name reaches a ready pod; 1: a hop is broken (the last line says which); 2: bad input.',
  ].join('\n'),
  async run(args) {
    let parsed;
    try {
      parsed = parseArgs({ args: [...args], options: { from: { type: 'string' }, namespace: { type: 'string' }, config: { type: 'string' }, kubeconfig: { type: 'string' } }, strict: true, allowPositionals: true });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}; ${USAGE_LINE}`, { cause: error });
    }
    const { values, positionals } = parsed;
    if (positionals.length !== 1) throw new UsageError(`give exactly one NAME (got ${positionals.length}); ${USAGE_LINE}`);
    if (values.from === undefined) throw new UsageError(`--from CLUSTER is required; ${USAGE_LINE}`);
    let config;
    try {
      config = loadConfig(values.config ?? DEFAULT_CONFIG);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
    const kubeconfigPath = values.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0] ?? join(homedir(), '.kube', 'config');
    let kubeconfigYaml: string;
    try {
      kubeconfigYaml = readFileSync(kubeconfigPath, 'utf8');
    } catch (error) {
      throw new UsageError(`--kubeconfig ${kubeconfigPath}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, { cause: error });
    }
    const topology = topologyFromConfig(config);
    let reader;
    try {
      reader = kubeMeshReader(kubeconfigYaml, new Map(config.clusters.map((c) => [c.name, c.context])));
    } catch (error) {
      throw new UsageError(`--kubeconfig ${kubeconfigPath}: not a readable kubeconfig (${(error as Error).message.split('\n')[0]})`, { cause: error });
    }
    let result;
    try {
      result = await traceName({ name: positionals[0]!, from: values.from, ...(values.namespace !== undefined ? { namespace: values.namespace } : {}) }, topology, reader);
    } catch (error) {
      if (error instanceof TraceInputError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
    for (const hop of result.hops) console.log(`${hop.broken ? '✗' : '✓'} ${hop.step.padEnd(8)} ${hop.text}`);
    if (result.ok && result.end) {
      console.log(`reaches pod ${result.end.namespace}/${result.end.pod} in ${result.end.cluster} (${result.end.ip}), ready`);
      return 0;
    }
    console.log(`broken: ${result.broken ?? 'the path does not reach a ready pod'}`);
    return 1;
  },
};
