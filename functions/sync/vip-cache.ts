// The VIPs this container was given, remembered for a while (docs/adr/0016): a sync of an
// unchanged set of remote pods asks the allocator nothing. An identity's VIP stays bound to it
// until it is released, and a release needs the identity marked gone for the whole release
// grace (`vipReleaseAfter`); an entry lives at most half of that grace (and 5 minutes), and the
// sync drops the entries of identities it marks gone, so a cached VIP is always still held
// (the allocator's `ensure` — and its un-marking of a gone identity — runs again before any
// release could happen).
import { identityKey } from '../../shared/core/identity.ts';
import type { VipAllocator, VipMove } from '../../shared/ports.ts';
import type { SyncMemo } from './memo.ts';

export const VIP_CACHE_MS = 5 * 60_000;

/** The allocator a batch of syncs uses: `ensure` answered from the memo for identities it holds fresh. */
export function cachedVips(allocator: VipAllocator, memo: SyncMemo, now: number, releaseAfterMs: number): VipAllocator {
  const ttl = Math.min(VIP_CACHE_MS, releaseAfterMs / 2);
  return {
    listGns: (gns) => allocator.listGns(gns),
    releaseExpired: (at, options) => allocator.releaseExpired(at, options),
    async ensure(identities, at, onMoved) {
      const out = new Map<string, string>();
      const missing = [];
      for (const id of identities) {
        const key = identityKey(id);
        const hit = memo.vips.get(key);
        if (hit && now >= hit.at && now - hit.at < ttl) {
          out.set(key, hit.vip);
          if (hit.move) onMoved?.(hit.move);
        } else missing.push(id);
      }
      if (missing.length === 0) return out;
      const moves = new Map<string, VipMove>();
      const got = await allocator.ensure(missing, at, (move) => {
        moves.set(identityKey(move.identity), move);
        onMoved?.(move);
      });
      for (const [key, vip] of got) {
        out.set(key, vip);
        const move = moves.get(key);
        memo.vips.set(key, move ? { vip, at: now, move } : { vip, at: now });
      }
      return out;
    },
    async markGone(identities, at) {
      for (const id of identities) memo.vips.delete(identityKey(id));
      await allocator.markGone(identities, at);
    },
    async adopt(entries, at) {
      for (const e of entries) memo.vips.delete(identityKey(e.identity));
      await allocator.adopt(entries, at);
    },
  };
}
