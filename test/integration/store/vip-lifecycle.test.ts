// The VIP allocator's life cycle against dynalite: deterministic first choice, costs, release
// after the grace period and not before, quarantine, pool exhaustion, adoption, the orphan
// sweeper, a crash before or after every single write, and bad input.
import { describe, expect, it } from 'vitest';
import { countOps } from '../../../shared/adapters/dynamodb/op-counter.ts';
import { VipInputError } from '../../../shared/adapters/dynamodb/vip-allocator.ts';
import { identityKey } from '../../../shared/core/identity.ts';
import type { VipIdentity } from '../../../shared/core/types.ts';
import { vipCandidates } from '../../../shared/core/vip-order.ts';
import { PoolExhaustedError } from '../../../shared/errors.ts';
import { crashingClient, pausingClient, useDynamo } from './helpers.ts';
import { allocator, expectConsistent, HOUR, identity, readTable, T0 } from './vip-helpers.ts';

const dynamo = useDynamo();
const first = (id: VipIdentity, pool = '240.240.0.0/16') => vipCandidates(id, pool).next().value as string;

async function setup(options: Parameters<typeof allocator>[2] = {}) {
  const tableName = await dynamo.freshTable();
  const client = dynamo.engine().client;
  return { tableName, client, vips: allocator(client, tableName, options), view: () => readTable(client, tableName) };
}

describe('DynamoVipAllocator: allocation', () => {
  it('a new VIP is the deterministic first choice, costs 2 writes and 1 read; asking again costs 0 writes', async () => {
    const { client, vips, view } = await setup();
    const ops = countOps(client);
    const id = identity('kafka-0');
    const got = await vips.ensure([id, id], T0);
    expect(got).toEqual(new Map([[identityKey(id), first(id)]]));
    expect(ops.counts()).toEqual({ BatchGetItem: 1, UpdateItem: 2 });
    ops.reset();
    expect(await vips.ensure([id], T0 + 1)).toEqual(got);
    expect(ops.counts()).toEqual({ BatchGetItem: 1 });
    ops.detach();
    expect(await vips.listGns('kafka-gns')).toEqual(new Map([['one/ns-one/kafka-0', first(id)]]));
    expect(await vips.listGns('other')).toEqual(new Map());
    expectConsistent(await view());
  });

  it('identities of different GNSes never share a VIP (unique across the pool)', async () => {
    const { vips, view } = await setup({ pool: '10.0.0.0/29' });
    const ids = ['a', 'b', 'c'].flatMap((p) => [identity(p, 'g1'), identity(p, 'g2')]);
    const got = await vips.ensure(ids, T0);
    expect(new Set(got.values()).size).toBe(6);
    expectConsistent(await view());
  });
});

describe('DynamoVipAllocator: release and quarantine', () => {
  it('releases after the grace period and not before; a returning pod is not released', async () => {
    const { vips, view } = await setup();
    const [a, b] = [identity('kafka-0'), identity('kafka-1')];
    await vips.ensure([a, b], T0);
    await vips.markGone([a, b], T0 + 10);
    await vips.markGone([a], T0 + 20); // the first mark counts
    await vips.ensure([b], T0 + 30); // b is back
    expect(await vips.releaseExpired(T0 + 10 + HOUR - 1)).toBe(0);
    expect((await vips.listGns('kafka-gns')).size).toBe(2);
    expect(await vips.releaseExpired(T0 + 10 + HOUR)).toBe(1);
    expect([...(await vips.listGns('kafka-gns')).keys()]).toEqual(['one/ns-one/kafka-1']);
    expect(await vips.releaseExpired(T0 + 10 * HOUR)).toBe(0);
    const v = await view();
    expect(v.vips.get(first(a))).toMatchObject({ lastOwner: identityKey(a), freeAt: T0 + 10 + 2 * HOUR });
    expectConsistent(v);
  });

  it('a released VIP is not reused by another identity within the quarantine, and is after it', async () => {
    const { vips, view } = await setup({ pool: '10.0.0.0/30', quarantineMs: 2 * HOUR }); // 2 usable addresses
    const [a, b, c] = [identity('a'), identity('b'), identity('c')];
    const held = await vips.ensure([a, b], T0);
    await vips.markGone([a], T0);
    expect(await vips.releaseExpired(T0 + HOUR)).toBe(1);
    const before = await view();
    await expect(vips.ensure([c], T0 + HOUR + 1)).rejects.toThrow(PoolExhaustedError);
    await expect(vips.ensure([c], T0 + 3 * HOUR - 1)).rejects.toThrow(/exhausted/);
    expect(await view()).toEqual(before);
    const got = await vips.ensure([c], T0 + 3 * HOUR);
    expect(got.get(identityKey(c))).toBe(held.get(identityKey(a)));
    expectConsistent(await view());
  });

  it('the same identity coming back within the quarantine gets its old VIP back', async () => {
    const { vips } = await setup({ pool: '10.0.0.0/29' });
    const a = identity('a');
    const old = (await vips.ensure([a], T0)).get(identityKey(a));
    await vips.markGone([a], T0);
    await vips.releaseExpired(T0 + HOUR);
    expect((await vips.ensure([a], T0 + HOUR + 5)).get(identityKey(a))).toBe(old);
  });

  it('an exhausted pool gives the typed error, allocates nothing, and keeps existing VIPs', async () => {
    const { vips, view } = await setup({ pool: '10.0.0.0/29' }); // 6 usable
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((p) => identity(p));
    const held = await vips.ensure(six, T0);
    const before = await view();
    const error = await vips.ensure([six[0] as VipIdentity, identity('g'), identity('h')], T0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolExhaustedError);
    expect(error).toMatchObject({ name: 'PoolExhaustedError', pool: '10.0.0.0/29', missing: 2 });
    expect(await view()).toEqual(before);
    expect(await vips.listGns('kafka-gns')).toEqual(new Map([...held].map(([k, v]) => [k.split('/').slice(1).join('/'), v])));
  });
});

describe('DynamoVipAllocator: adoption', () => {
  it('adopts known VIPs into an empty table; held VIPs and bound identities are left alone', async () => {
    const { vips, view } = await setup();
    const [a, b, c] = [identity('a'), identity('b'), identity('c')];
    await vips.adopt([{ identity: a, vip: '240.240.7.7' }, { identity: b, vip: '240.240.8.8' }], T0);
    await vips.adopt([{ identity: c, vip: '240.240.7.7' }, { identity: a, vip: '240.240.9.9' }], T0); // conflicts
    const got = await vips.ensure([a, b, c], T0);
    expect(got.get(identityKey(a))).toBe('240.240.7.7');
    expect(got.get(identityKey(b))).toBe('240.240.8.8');
    expect(got.get(identityKey(c))).toBe(first(c));
    expectConsistent(await view());
  });

  it('bad adoption input is a VipInputError and adopts nothing', async () => {
    const { vips, view } = await setup();
    const bad = [
      [{ identity: identity('a'), vip: '10.1.1.1' }],
      [{ identity: identity('a'), vip: '240.240.0.0' }],
      [{ identity: identity('a'), vip: 'not-an-ip' }],
      [{ identity: identity('a'), vip: '240.240.1.1' }, { identity: identity('b'), vip: '240.240.1.1' }],
      [{ identity: identity('a'), vip: '240.240.1.1' }, { identity: identity('a'), vip: '240.240.1.2' }],
      [{ identity: identity('a'), vip: '240.240.1.1' }, { identity: identity('Bad_Pod'), vip: '240.240.1.2' }],
    ];
    for (const entries of bad) await expect(vips.adopt(entries, T0)).rejects.toThrow(VipInputError);
    expect((await view()).items).toBe(0);
  });
});

describe('DynamoVipAllocator: crashes between writes and the orphan sweeper', () => {
  for (const at of [1, 2]) {
    for (const when of ['before', 'after'] as const) {
      it(`an allocation that crashes ${when} write ${at} is completed by the retry with the same VIP`, async () => {
        const { tableName, view } = await setup();
        const id = identity('kafka-0');
        const crashing = crashingClient(dynamo.engine().endpoint, { at: [at], when });
        await expect(allocator(crashing.client, tableName).ensure([id], T0)).rejects.toThrow(/InjectedCrash/);
        const got = await allocator(dynamo.engine().client, tableName).ensure([id], T0 + 1);
        expect(got.get(identityKey(id))).toBe(first(id));
        expectConsistent(await view());
        expect((await view()).vips.size).toBe(1);
        crashing.client.destroy();
      });
    }
  }

  for (const at of [1, 2]) {
    for (const when of ['before', 'after'] as const) {
      it(`a release that crashes ${when} write ${at} ends released after the sweeper, never reusable early`, async () => {
        const { tableName, vips, view } = await setup({ orphanAfterMs: 15 * 60_000 });
        const [a, b] = [identity('a'), identity('b')];
        await vips.ensure([a, b], T0);
        await vips.markGone([a], T0);
        const crashing = crashingClient(dynamo.engine().endpoint, { at: [at], when });
        const now = T0 + HOUR;
        await expect(allocator(crashing.client, tableName, { orphanAfterMs: 15 * 60_000 }).releaseExpired(now)).rejects.toThrow(/InjectedCrash/);
        expectConsistent(await view(), { orphansAllowed: true });
        await vips.releaseExpired(now + 1); // the retry, or the next scheduled run
        const v = await view();
        expectConsistent(v);
        expect([...v.bindings.keys()]).toEqual([identityKey(b)]);
        expect(v.vips.get(first(a))?.owner).toBeUndefined();
        expect(v.vips.get(first(a))?.freeAt).toBeGreaterThan(now);
        crashing.client.destroy();
      });
    }
  }

  it('a pod that comes back between the two release writes keeps its VIP, and still holds it', async () => {
    const { tableName, vips, view } = await setup();
    const a = identity('a');
    const vip = (await vips.ensure([a], T0)).get(identityKey(a));
    await vips.markGone([a], T0 + 1);
    const releaser = pausingClient(dynamo.engine().endpoint, 2); // pauses before quarantining the VIP
    const release = allocator(releaser.client, tableName).releaseExpired(T0 + 1 + HOUR);
    await releaser.paused; // the binding is gone, the VIP still held
    expect((await vips.ensure([a], T0 + 2 + HOUR)).get(identityKey(a))).toBe(vip);
    releaser.resume();
    await release;
    const v = await view();
    expectConsistent(v);
    expect(v.bindings.get(identityKey(a))).toBe(vip);
    releaser.client.destroy();
  });

  it('the sweeper quarantines an old claim nobody is bound to, and leaves fresh claims and bound VIPs alone', async () => {
    const { tableName, vips, view } = await setup({ orphanAfterMs: 15 * 60_000 });
    const [a, b, c] = [identity('a'), identity('b'), identity('c')];
    await vips.ensure([a], T0);
    // b and c crash after their claim (write 1): b long ago, c just now.
    for (const [id, at] of [[b, T0], [c, T0 + HOUR]] as const) {
      const crashing = crashingClient(dynamo.engine().endpoint, { at: [1], when: 'after' });
      await expect(allocator(crashing.client, tableName).ensure([id], at)).rejects.toThrow(/InjectedCrash/);
      crashing.client.destroy();
    }
    expect(await vips.sweepOrphans(T0 + HOUR + 1)).toBe(1);
    const v = await view();
    expectConsistent(v, { orphansAllowed: true });
    expect(v.vips.get(first(b))).toMatchObject({ lastOwner: identityKey(b) });
    expect(v.vips.get(first(c))?.owner).toBe(identityKey(c));
    expect(v.vips.get(first(a))?.owner).toBe(identityKey(a));
  });
});

describe('DynamoVipAllocator: bad input', () => {
  it('rejects malformed identities and times with a VipInputError before writing anything', async () => {
    const { vips, view } = await setup();
    const bad: [VipIdentity[], number][] = [
      [[identity('ok'), identity('UPPER')], T0],
      [[identity('ok', 'g/x')], T0],
      [[identity('ok', 'g', '')], T0],
      [[identity('ok', 'g', 'c', 'Ns')], T0],
      [[identity('ok')], Number.NaN],
      [[identity('ok')], -1],
    ];
    for (const [ids, now] of bad) {
      await expect(vips.ensure(ids, now)).rejects.toThrow(VipInputError);
      await expect(vips.markGone(ids, now)).rejects.toThrow(/nothing was written/);
    }
    await expect(vips.releaseExpired(Number.POSITIVE_INFINITY)).rejects.toThrow(VipInputError);
    expect((await view()).items).toBe(0);
    expect(() => allocator(dynamo.engine().client, 'x', { pool: '240.240.0.0/33' })).toThrow(/240.240.0.0\/33/);
    expect(() => allocator(dynamo.engine().client, 'x', { releaseAfterMs: -5 })).toThrow(VipInputError);
  });
});
