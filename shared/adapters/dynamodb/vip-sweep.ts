// The sweeper (docs/adr/0004-vip-allocation.md): one pass over the `vips` partition, read
// once per reconcile by the release. It quarantines orphans (claims older than `orphanAfterMs`
// whose identity is not bound to them: an allocation or a release that crashed between its
// two writes) and, given the configured GNSs, marks gone the bound holders of any other GNS
// (removed from the config), so their VIPs are released after the grace period. The holders'
// bindings are read in one batch; nothing else is queried.
import { parseIdentityKey } from '../../core/identity.ts';
import type { VipIdentity } from '../../core/types.ts';
import type { ReleaseOptions } from '../../ports.ts';
import { mapLimit } from './client.ts';
import type { Item } from './client.ts';
import { markGone, quarantineVip } from './vip-items.ts';
import type { VipTable } from './vip-items.ts';

export interface SweepContext {
  readonly t: VipTable;
  readonly orphanAfterMs: number;
  readonly quarantineMs: number;
  readonly concurrency: number;
  /** Identity items by identity key (consistent reads, one batch). */
  readIdentities(ids: readonly VipIdentity[]): Promise<Map<string, Item>>;
}

interface Held {
  readonly item: Item;
  readonly owner: string;
  readonly id: VipIdentity | undefined;
  readonly orphanAge: boolean;
  readonly unconfigured: boolean;
}

/** Sweep the VIP items `pool` (the whole partition, as read); returns how many orphans were quarantined. */
export async function sweepPool(ctx: SweepContext, pool: readonly Item[], now: number, options: ReleaseOptions = {}): Promise<number> {
  const configured = options.configuredGns === undefined ? undefined : new Set(options.configuredGns);
  const held: Held[] = [];
  const owners = new Map<string, VipIdentity>();
  for (const item of pool) {
    if (typeof item.owner !== 'string' || typeof item.claimedAt !== 'number') continue;
    let id: VipIdentity | undefined;
    try {
      id = parseIdentityKey(item.owner);
    } catch {
      // Not an identity key: cannot be bound, so it is an orphan once old enough.
    }
    const orphanAge = item.claimedAt <= now - ctx.orphanAfterMs;
    const unconfigured = configured !== undefined && id !== undefined && !configured.has(id.gns);
    if (!orphanAge && !unconfigured) continue;
    held.push({ item, owner: item.owner, id, orphanAge, unconfigured });
    if (id !== undefined) owners.set(item.owner, id);
  }
  const bound = await ctx.readIdentities([...owners.values()]);
  const marked: VipIdentity[] = [];
  const counts = await mapLimit(held, ctx.concurrency, async ({ item, owner, id, orphanAge, unconfigured }) => {
    const binding = bound.get(owner);
    if (binding !== undefined && binding.vip === item.addr) {
      // Bound, so no orphan. Of a removed GNS and not yet marked: gone from now (first mark wins).
      if (unconfigured && id !== undefined && binding.goneSince === undefined && (await markGone(ctx.t, id, now))) marked.push(id);
      return 0;
    }
    if (!orphanAge) return 0; // possibly an allocation still in flight
    if (options.published?.has(item.addr as string)) return 0; // published by some target: adopted back, never reused
    const quarantined = await quarantineVip(ctx.t, item.addr as string, owner, now + ctx.quarantineMs, { claimedAt: item.claimedAt as number });
    return quarantined ? 1 : 0;
  });
  if (marked.length > 0) options.onUnconfiguredMarked?.(marked);
  return counts.reduce<number>((a, b) => a + b, 0);
}
