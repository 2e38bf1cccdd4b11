// "Where does each name end up": one short answer per name, for the demo's table — the pod a
// trace reaches, or the hop where it breaks.
import type { MeshReader, MeshTopology } from './mesh.ts';
import type { TraceRequest, TraceResult } from './trace.ts';
import { traceName } from './trace.ts';

/** `clusterOne/ns-one/kafka-0` (a ready pod), `clusterOne/ns-one/kafka-0 (not ready)`, or `✗ gateway: …`. */
export function endOf(result: TraceResult): string {
  if (result.end && result.ok) return `${result.end.cluster}/${result.end.namespace}/${result.end.pod}`;
  if (result.end) return `${result.end.cluster}/${result.end.namespace}/${result.end.pod} (not ready)`;
  const hop = result.hops.find((h) => h.broken);
  return `✗ ${hop?.step ?? 'trace'}: ${result.broken ?? 'broken'}`;
}

/**
 * The same answer in at most 14 characters, for a table that must fit 80 columns: the pod as
 * `namespace/pod` (the cluster is said in the long form), `✗ not ready`, or `✗ <hop>`.
 */
export function shortEndOf(result: TraceResult): string {
  if (result.end && result.ok) return `${result.end.namespace}/${result.end.pod}`;
  if (result.end) return '✗ not ready';
  return `✗ ${result.hops.find((h) => h.broken)?.step ?? 'trace'}`;
}

/** Traces every request (sequentially, one shared topology) and says where each ends up. */
export async function whereNamesEnd(requests: readonly TraceRequest[], topology: MeshTopology, reader: MeshReader): Promise<string[]> {
  const out: string[] = [];
  for (const r of requests) out.push(endOf(await traceName(r, topology, reader)));
  return out;
}
