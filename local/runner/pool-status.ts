// `gns-sync status`: how full the VIP pool is, per GNS and in all (issue 14), read from the
// store at the time of the request (the same counts the reconcile emits as metrics in the
// cloud: functions/metrics.ts); whether the pool overlaps addresses gns-sync observes (the pod
// IPs and the ClusterIPs of the annotated Services in the store: shared/core/pool-overlap.ts);
// and the propagation lag the running process measured.
import type { DynamoVipAllocator } from '../../shared/adapters/dynamodb/vip-allocator.ts';
import type { Config } from '../../shared/config/schema.ts';
import { poolUsage, shareOfPool } from '../../shared/core/pool-usage.ts';
import type { PoolUsage } from '../../shared/core/pool-usage.ts';
import { overlapLine, podAddresses, poolOverlaps, serviceAddresses } from '../../shared/core/pool-overlap.ts';
import type { ObservedAddress } from '../../shared/core/pool-overlap.ts';
import type { StateStore } from '../../shared/ports.ts';
import type { PropagationSummary } from './propagation-window.ts';

export interface PoolStatus {
  readonly usage: PoolUsage;
  /** Each GNS of the config: its bound VIPs and their share of the pool (%). */
  readonly gns: readonly { readonly name: string; readonly vips: number; readonly percent: number }[];
  /** `VipPoolOverlap: …` when observed addresses lie inside the pool. */
  readonly overlap?: string;
}

/** The pod IPs and Service ClusterIPs of every member namespace, as the store holds them (one query each). */
async function observedAddresses(store: Pick<StateStore, 'podsOf' | 'servicesOf'>, config: Pick<Config, 'globalNamespaces'>): Promise<ObservedAddress[]> {
  const members = config.globalNamespaces.flatMap((g) => g.members);
  const perMember = await Promise.all(members.map(async ({ cluster, namespace }) => {
    const [pods, services] = await Promise.all([store.podsOf(cluster, namespace), store.servicesOf(cluster, namespace)]);
    return [...podAddresses(pods.map((pod) => ({ cluster, namespace, pod }))), ...services.flatMap((s) => serviceAddresses(cluster, namespace, s))];
  }));
  return perMember.flat();
}

/** One read of the pool and one query per GNS; with the store, the overlap check too (one query per member). */
export async function readPoolStatus(
  vips: Pick<DynamoVipAllocator, 'listGns' | 'poolCounts'>,
  config: Pick<Config, 'vipPool' | 'globalNamespaces'>,
  now: number,
  store?: Pick<StateStore, 'podsOf' | 'servicesOf'>,
): Promise<PoolStatus> {
  const [counts, perGns, observed] = await Promise.all([
    vips.poolCounts(now),
    Promise.all(config.globalNamespaces.map(async (g) => ({ name: g.name, vips: (await vips.listGns(g.name)).size }))),
    store ? observedAddresses(store, config) : Promise.resolve([]),
  ]);
  const overlap = overlapLine(config.vipPool, poolOverlaps(config.vipPool, observed));
  return { usage: poolUsage(config.vipPool, counts), gns: perGns.map((g) => ({ ...g, percent: shareOfPool(config.vipPool, g.vips) })), ...(overlap ? { overlap } : {}) };
}

const pct = (p: number): string => (p === 0 ? '0 %' : p < 0.1 ? '<0.1 %' : `${p.toFixed(1)} %`);

/** The status lines of the pool: one for the pool, one per GNS (used/size/%). */
export function formatPoolLines(pool: PoolStatus): string[] {
  const { usage } = pool;
  return [
    `VIP pool ${usage.pool}: ${usage.used}/${usage.size} used (${pct(usage.percent)}; held or in quarantine), ${usage.free} free`,
    ...pool.gns.map((g) => `  GNS ${g.name}: ${g.vips}/${usage.size} VIPs (${pct(g.percent)} of the pool)`),
    ...(pool.overlap ? [pool.overlap] : []),
  ];
}

/** The propagation line: p50/p99 of the last minutes, and where the figures come from. */
export function formatPropagationLine(p: PropagationSummary | undefined): string {
  const source = 'agent observation → target slices written, as the sync function of this gns-sync local measured it';
  if (p === undefined) return 'Propagation: measured only by a running gns-sync local (none runs: no figures)';
  const minutes = Math.round(p.windowMs / 60_000);
  if (p.samples === 0) return `Propagation, last ${minutes} min: no sync wrote a change yet (${source})`;
  return `Propagation, last ${minutes} min: p50 ${p.p50Ms} ms, p99 ${p.p99Ms} ms over ${p.samples} syncs (${source})`;
}
