// How full the VIP pool is (issue 14): the addresses of the pool that cannot be handed out —
// held by an identity (or an allocation in flight) or in quarantine after a release — against
// the pool's usable addresses (shared/core/cidr.ts). Pure: the counts come from the pool read
// the release does anyway (docs/adr/0004-vip-allocation.md).
import { usableCount } from './cidr.ts';

/** Addresses of the configured pool by state, as the release's pool read found them. */
export interface PoolCounts {
  /** Held: an `owner` is set (bound, or claimed by an allocation in flight). */
  readonly held: number;
  /** Released but still in quarantine: not allocatable until `freeAt`. */
  readonly quarantined: number;
}

export interface PoolUsage {
  /** The pool, as the config gives it (`vipPool`). */
  readonly pool: string;
  /** Usable addresses of the pool (a number: exact up to 2^53, more than any pool fills). */
  readonly size: number;
  /** Addresses that cannot be handed out now: held or quarantined. */
  readonly used: number;
  readonly free: number;
  /** used / size × 100 (0 for an empty pool). */
  readonly percent: number;
}

export function poolUsage(pool: string, counts: PoolCounts): PoolUsage {
  const size = Number(usableCount(pool));
  const used = Math.min(size, counts.held + counts.quarantined);
  return { pool, size, used, free: size - used, percent: size === 0 ? 0 : (used / size) * 100 };
}

/** The share of the pool `count` addresses are (e.g. one GNS's bound VIPs), in percent. */
export function shareOfPool(pool: string, count: number): number {
  const size = Number(usableCount(pool));
  return size === 0 ? 0 : (count / size) * 100;
}
