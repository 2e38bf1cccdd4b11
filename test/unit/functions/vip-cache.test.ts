// The sync's VIP cache (functions/sync/vip-cache.ts, docs/adr/0016): repeated syncs of the
// same remote pods ask the allocator nothing, yet a cached VIP is never older than half the
// release grace, and an identity marked gone is asked again; targets synced side by side ask
// once for the identities they share.
import { describe, expect, it } from 'vitest';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { cachedVips, VIP_CACHE_MS } from '../../../functions/sync/vip-cache.ts';
import type { VipIdentity } from '../../../shared/core/types.ts';
import type { VipMove } from '../../../shared/ports.ts';
import { FakeVips } from './fakes.ts';

const id = (pod: string): VipIdentity => ({ gns: 'g', cluster: 'one', namespace: 'ns', pod });
const T0 = 1_764_363_600_000;

describe('cachedVips', () => {
  it('answers a repeated ensure from the memo, and asks only for identities it lacks', async () => {
    const vips = new FakeVips();
    const memo = newSyncMemo();
    const first = await cachedVips(vips, memo, T0, 3_600_000).ensure([id('a'), id('b')], T0);
    const again = await cachedVips(vips, memo, T0 + 1000, 3_600_000).ensure([id('a'), id('b'), id('c')], T0 + 1000);
    expect(vips.calls.filter((c) => c.startsWith('ensure'))).toEqual(['ensure 2', 'ensure 1']);
    expect(again.get('g/one/ns/a')).toBe(first.get('g/one/ns/a'));
    expect(again.size).toBe(3);
  });

  it('keeps an entry at most half the release grace (and VIP_CACHE_MS)', async () => {
    const vips = new FakeVips();
    const memo = newSyncMemo();
    await cachedVips(vips, memo, T0, 60_000).ensure([id('a')], T0);
    await cachedVips(vips, memo, T0 + 29_999, 60_000).ensure([id('a')], T0 + 29_999);
    await cachedVips(vips, memo, T0 + 30_000, 60_000).ensure([id('a')], T0 + 30_000);
    expect(vips.calls.filter((c) => c.startsWith('ensure'))).toHaveLength(2);
    await cachedVips(vips, memo, T0 + 30_000 + VIP_CACHE_MS, 3_600_000_000).ensure([id('a')], T0 + 30_000 + VIP_CACHE_MS);
    expect(vips.calls.filter((c) => c.startsWith('ensure'))).toHaveLength(3);
  });

  it('an identity marked gone (or adopted) is asked again', async () => {
    const vips = new FakeVips();
    const memo = newSyncMemo();
    const cache = cachedVips(vips, memo, T0, 3_600_000);
    await cache.ensure([id('a'), id('b')], T0);
    await cache.markGone([id('a')], T0);
    await cache.adopt([{ identity: id('b'), vip: '240.240.0.9' }], T0);
    await cache.ensure([id('a'), id('b')], T0);
    expect(vips.calls.filter((c) => c.startsWith('ensure'))).toEqual(['ensure 2', 'ensure 2']);
  });

  it('reports a move again from the memo (each target announces it)', async () => {
    const memo = newSyncMemo();
    const move: VipMove = { identity: id('a'), from: '10.0.0.1', to: '240.240.0.1' };
    const allocator = { ...new FakeVips(), listGns: async () => new Map(), releaseExpired: async () => 0, markGone: async () => undefined, adopt: async () => undefined,
      ensure: async (_ids: readonly VipIdentity[], _now: number, onMoved?: (m: VipMove) => void) => { onMoved?.(move); return new Map([['g/one/ns/a', '240.240.0.1']]); } };
    const seen: VipMove[] = [];
    await cachedVips(allocator, memo, T0, 3_600_000).ensure([id('a')], T0, (m) => seen.push(m));
    await cachedVips(allocator, memo, T0, 3_600_000).ensure([id('a')], T0, (m) => seen.push(m));
    expect(seen).toEqual([move, move]);
  });

  it('targets synced side by side ask once for the identities they share, and each gets every VIP', async () => {
    const vips = new FakeVips();
    const memo = newSyncMemo();
    const [one, two, three] = await Promise.all([
      cachedVips(vips, memo, T0, 3_600_000).ensure([id('a'), id('b')], T0),
      cachedVips(vips, memo, T0, 3_600_000).ensure([id('a'), id('b'), id('c')], T0),
      cachedVips(vips, memo, T0, 3_600_000).ensure([id('b')], T0),
    ]);
    expect(vips.calls.filter((c) => c.startsWith('ensure'))).toEqual(['ensure 2', 'ensure 1']);
    expect(two.get('g/one/ns/a')).toBe(one.get('g/one/ns/a'));
    expect([...two.keys()].sort()).toEqual(['g/one/ns/a', 'g/one/ns/b', 'g/one/ns/c']);
    expect(three.get('g/one/ns/b')).toBe(one.get('g/one/ns/b'));
  });

  it('a call waiting for another that failed asks the allocator itself', async () => {
    const memo = newSyncMemo();
    const base = new FakeVips();
    let calls = 0;
    const allocator = { ...base, listGns: async () => new Map(), releaseExpired: async () => 0, markGone: async () => undefined, adopt: async () => undefined,
      ensure: async (ids: readonly VipIdentity[], now: number) => {
        if (++calls === 1) throw new Error('throttled');
        return base.ensure(ids, now);
      } };
    const [first, second] = await Promise.allSettled([
      cachedVips(allocator, memo, T0, 3_600_000).ensure([id('a')], T0),
      cachedVips(allocator, memo, T0, 3_600_000).ensure([id('a')], T0),
    ]);
    expect(first.status).toBe('rejected');
    expect(second.status === 'fulfilled' ? second.value.get('g/one/ns/a') : undefined).toMatch(/^240\./);
    expect(calls).toBe(2);
  });
});
