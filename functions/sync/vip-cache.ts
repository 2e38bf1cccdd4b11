// The VIPs this container was given, remembered for a while (docs/adr/0016): a sync of an
// unchanged set of remote pods asks the allocator nothing. An identity's VIP stays bound to it
// until it is released, and a release needs the identity marked gone for the whole release
// grace (`vipReleaseAfter`); an entry lives at most half of that grace (and 5 minutes), and the
// sync drops the entries of identities it marks gone, so a cached VIP is always still held
// (the allocator's `ensure` — and its un-marking of a gone identity — runs again before any
// release could happen). Targets synced side by side in a batch need the same new remote pods:
// an identity one of them is already asking for is not asked again, the others wait for that
// answer (a rebuild's adoption would otherwise read every new binding once per target).
import { identityKey } from '../../shared/core/identity.ts';
import type { VipIdentity } from '../../shared/core/types.ts';
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
      const asking = memo.vipsAsked;
      const fromMemo = (id: VipIdentity): boolean => {
        const key = identityKey(id);
        const hit = memo.vips.get(key);
        if (!hit || now < hit.at || now - hit.at >= ttl) return false;
        out.set(key, hit.vip);
        if (hit.move) onMoved?.(hit.move);
        return true;
      };
      const ask = async (ids: readonly VipIdentity[]): Promise<void> => {
        if (ids.length === 0) return;
        const moves = new Map<string, VipMove>();
        const asked = allocator.ensure(ids, at, (move) => {
          moves.set(identityKey(move.identity), move);
          onMoved?.(move);
        });
        for (const id of ids) asking.set(identityKey(id), asked);
        try {
          for (const [key, vip] of await asked) {
            out.set(key, vip);
            const move = moves.get(key);
            memo.vips.set(key, move ? { vip, at: now, move } : { vip, at: now });
          }
        } finally {
          for (const id of ids) if (asking.get(identityKey(id)) === asked) asking.delete(identityKey(id));
        }
      };
      const missing: VipIdentity[] = [];
      const waiting: VipIdentity[] = [];
      for (const id of identities) {
        if (fromMemo(id)) continue;
        if (asking.has(identityKey(id))) waiting.push(id);
        else missing.push(id);
      }
      const waited = Promise.allSettled(waiting.map((id) => asking.get(identityKey(id))));
      await ask(missing);
      if (waiting.length === 0) return out;
      // What the other call got is in the memo now; what it did not get (it failed) is asked here.
      await waited;
      await ask(waiting.filter((id) => !fromMemo(id)));
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
