// What each target's per-pod names resolve to, as the simulated DNS answers: the demo's live
// table and the facts `demo --once` verifies.
import { DEFAULT_VIP_POOL } from '../../shared/config/schema.ts';
import { isUsable } from '../../shared/core/cidr.ts';
import { formatTable } from '../runner/status-table.ts';
import { routeKey } from './route-ends.ts';
import type { RouteEnd } from './route-ends.ts';
import { podHostname, TARGETS } from './scenario.ts';

/** The part of a simulated cluster the table needs (local/sim's SimCluster). */
export interface Resolver {
  readonly name: string;
  resolve(name: string, type?: 'A' | 'AAAA'): string[];
}

export interface Resolution {
  readonly cluster: string;
  readonly namespace: string;
  readonly hostname: string;
  readonly ordinal: number;
  readonly addresses: readonly string[];
}

/** A VIP of the demo's pool (its config: examples/kafka-gns.yaml, the default pool). */
export const isVip = (ip: string): boolean => isUsable(DEFAULT_VIP_POOL, ip);

/** For each target, the names kafka-0 … kafka-(n-1) (n: the replicas, and a few more to show leftovers). */
export function resolveTargets(clusters: (name: string) => Resolver, replicas: number): Resolution[] {
  const out: Resolution[] = [];
  for (const t of TARGETS) {
    const cluster = clusters(t.cluster);
    for (let ordinal = 0; ordinal < Math.max(replicas, 1) + 2; ordinal += 1) {
      const hostname = podHostname(ordinal, t.namespace);
      const addresses = cluster.resolve(hostname, 'A');
      if (ordinal >= replicas && addresses.length === 0) continue;
      out.push({ cluster: t.cluster, namespace: t.namespace, hostname, ordinal, addresses });
    }
  }
  return out;
}

const CLUSTER_SUFFIX = '.svc.cluster.local';

/**
 * The table; with `ends`, a column REACHES: where `gns-sync trace` says each name ends up. With
 * `width` (a terminal's columns), it fits: names lose their common `.svc.cluster.local` (said
 * once in the header), REACHES shows its short form, and if still too wide, lines are cut.
 */
export function formatResolutions(rows: readonly Resolution[], width?: number, ends?: ReadonlyMap<string, RouteEnd>): string {
  const reaches = (r: Resolution, short: boolean): string => {
    const end = ends?.get(routeKey(r.cluster, r.hostname));
    return end === undefined ? '-' : short ? end.short : end.full;
  };
  const table = (short: boolean) => formatTable(
    ['CLUSTER', short ? `NAME (+ ${CLUSTER_SUFFIX})` : 'NAME (as the cluster\'s DNS answers it)', 'ADDRESS', 'KIND', ...(ends ? [short ? 'REACHES' : 'REACHES (gns-sync trace)'] : [])],
    rows.map((r) => [
      r.cluster,
      short && r.hostname.endsWith(CLUSTER_SUFFIX) ? r.hostname.slice(0, -CLUSTER_SUFFIX.length) : r.hostname,
      r.addresses.length === 0 ? '(NXDOMAIN)' : r.addresses.join(','),
      r.addresses.length === 0 ? '-' : r.addresses.every(isVip) ? 'VIP' : 'pod IP',
      ...(ends ? [reaches(r, short)] : []),
    ]),
  );
  const full = table(false);
  if (width === undefined || fits(full, width)) return full;
  return table(true).split('\n').map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l)).join('\n');
}

const fits = (text: string, width: number): boolean => text.split('\n').every((l) => l.length <= width);
