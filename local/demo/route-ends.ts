// The demo's REACHES column (docs/adr/0017-trace-reads-as-istio.md): for each name of the live
// table, where a client pod in that cluster ends up, as `gns-sync trace` follows it through the
// objects in the simulated clusters (DNS → VIP → ServiceEntry → east-west gateway → pod).
// One snapshot of each list per drawing: every name of a drawing reads the same state.
import { cachedMeshReader } from '../trace/mesh.ts';
import type { MeshReader, MeshTopology } from '../trace/mesh.ts';
import { traceName } from '../trace/trace.ts';
import type { TraceResult } from '../trace/trace.ts';
import { endOf, shortEndOf } from '../trace/where.ts';
import type { Resolution } from './resolve-table.ts';

/** Where one name ends up: the trace's last hop, long (`clusterOne/ns-one/kafka-0`) and short (`ns-one/kafka-0`). */
export interface RouteEnd {
  readonly full: string;
  readonly short: string;
  readonly result: TraceResult;
}

export const routeKey = (cluster: string, hostname: string): string => `${cluster}|${hostname}`;

/** Traces every name of the table that resolves (sequentially: a few names, one snapshot). */
export async function routeEnds(rows: readonly Resolution[], topology: MeshTopology, reader: MeshReader): Promise<Map<string, RouteEnd>> {
  const snapshot = cachedMeshReader(reader);
  const out = new Map<string, RouteEnd>();
  for (const row of rows) {
    if (row.addresses.length === 0) continue;
    const result = await traceName({ name: row.hostname, from: row.cluster }, topology, snapshot);
    out.set(routeKey(row.cluster, row.hostname), { full: endOf(result), short: shortEndOf(result), result });
  }
  return out;
}
