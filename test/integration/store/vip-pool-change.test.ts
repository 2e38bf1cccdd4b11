// A changed vipPool moves VIPs (round 3, defect 2): an identity bound to an address outside
// the configured pool is re-allocated in the new pool at its next `ensure` (re-bound
// conditionally on the old address) and the old address is quarantined like a release.
import { describe, expect, it } from 'vitest';
import { countOps } from '../../../shared/adapters/dynamodb/op-counter.ts';
import { isUsable } from '../../../shared/core/cidr.ts';
import { identityKey } from '../../../shared/core/identity.ts';
import type { VipIdentity } from '../../../shared/core/types.ts';
import { PoolExhaustedError } from '../../../shared/errors.ts';
import type { VipMove } from '../../../shared/ports.ts';
import { crashingClient, useDynamo } from './helpers.ts';
import { allocator, expectConsistent, HOUR, identity, readTable, T0 } from './vip-helpers.ts';

const dynamo = useDynamo();
const OLD = '240.240.0.0/16';
const NEW = '10.100.0.0/24';

async function setup() {
  const tableName = await dynamo.freshTable();
  const client = dynamo.engine().client;
  return { tableName, client, old: allocator(client, tableName, { pool: OLD }), next: allocator(client, tableName, { pool: NEW }), view: () => readTable(client, tableName) };
}

const ensureWithMoves = async (vips: ReturnType<typeof allocator>, ids: VipIdentity[], now: number) => {
  const moves: VipMove[] = [];
  const got = await vips.ensure(ids, now, (m) => moves.push(m));
  return { got, moves: moves.sort((a, b) => identityKey(a.identity).localeCompare(identityKey(b.identity))) };
};

describe('DynamoVipAllocator: a changed vipPool', () => {
  it('moves bound identities into the new pool, quarantines the old addresses, reports the moves (also later, at no write)', async () => {
    const { client, old, next, view } = await setup();
    const ids = [identity('a'), identity('b'), identity('c')];
    const before = await old.ensure(ids, T0);
    const ops = countOps(client);
    const { got, moves } = await ensureWithMoves(next, ids, T0 + 10);
    for (const id of ids) expect(isUsable(NEW, got.get(identityKey(id)) ?? '')).toBe(true);
    expect(new Set(got.values()).size).toBe(3);
    expect(moves).toEqual(ids.map((id) => ({ identity: id, from: before.get(identityKey(id)), to: got.get(identityKey(id)) })));
    expect(ops.counts()).toEqual({ BatchGetItem: 1, UpdateItem: 9 }); // claim, re-bind, quarantine each
    const v = await view();
    expectConsistent(v);
    for (const id of ids) {
      expect(v.vips.get(before.get(identityKey(id)) ?? '')).toMatchObject({ lastOwner: identityKey(id), freeAt: T0 + 10 + HOUR });
      expect(v.vips.get(before.get(identityKey(id)) ?? '')?.owner).toBeUndefined();
    }
    // Asked again: the same VIPs, no write, and the moves are still reported (for the other targets).
    ops.reset();
    const again = await ensureWithMoves(next, ids, T0 + 20);
    expect(again.got).toEqual(got);
    expect(again.moves).toEqual(moves);
    expect(ops.counts()).toEqual({ BatchGetItem: 1 });
    ops.detach();
  });

  it('identities not asked for keep their old VIP until released as usual', async () => {
    const { old, next, view } = await setup();
    const [a, b] = [identity('a'), identity('b')];
    const before = await old.ensure([a, b], T0);
    await next.markGone([b], T0 + 1);
    await next.ensure([a], T0 + 2);
    expect((await next.listGns('kafka-gns')).get('one/ns-one/b')).toBe(before.get(identityKey(b)));
    expect(await next.releaseExpired(T0 + 1 + HOUR)).toBe(1);
    const v = await view();
    expect([...v.bindings.keys()]).toEqual([identityKey(a)]);
    expect(v.vips.get(before.get(identityKey(b)) ?? '')).toMatchObject({ lastOwner: identityKey(b) });
    expectConsistent(v);
  });

  it('a gone-marked identity that is ensured is moved and no longer gone (not released later)', async () => {
    const { old, next } = await setup();
    const a = identity('a');
    await old.ensure([a], T0);
    await old.markGone([a], T0 + 1);
    const moved = (await next.ensure([a], T0 + 2)).get(identityKey(a));
    expect(await next.releaseExpired(T0 + 10 * HOUR)).toBe(0);
    expect((await next.listGns('kafka-gns')).get('one/ns-one/a')).toBe(moved);
  });

  it('no room in the new pool: the old VIPs are kept, the typed error says so; those that fit move', async () => {
    const { client, tableName, old, view } = await setup();
    const small = allocator(client, tableName, { pool: '10.100.0.0/30' }); // 2 usable
    const ids = ['a', 'b', 'c'].map((p) => identity(p));
    const before = await old.ensure(ids, T0);
    const error = await small.ensure(ids, T0 + 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoolExhaustedError);
    expect((error as Error).message).toMatch(/1 VIP\(s\) outside it could not be moved into it and are kept/);
    const listed = await small.listGns('kafka-gns');
    expect([...listed.values()].filter((v) => isUsable('10.100.0.0/30', v))).toHaveLength(2);
    expect([...listed.values()].filter((v) => [...before.values()].includes(v))).toHaveLength(1);
    expectConsistent(await view());
  });

  for (const at of [1, 2, 3]) {
    for (const when of ['before', 'after'] as const) {
      it(`a move that crashes ${when} write ${at} is completed by the retry; the sweeper quarantines what it left`, async () => {
        const { tableName, old, next, view } = await setup();
        const a = identity('a');
        const from = (await old.ensure([a], T0)).get(identityKey(a)) ?? '';
        const crashing = crashingClient(dynamo.engine().endpoint, { at: [at], when });
        await expect(allocator(crashing.client, tableName, { pool: NEW }).ensure([a], T0 + 1)).rejects.toThrow(/InjectedCrash/);
        crashing.client.destroy();
        expectConsistent(await view(), { orphansAllowed: true });
        const { got, moves } = await ensureWithMoves(next, [a], T0 + 2);
        const to = got.get(identityKey(a)) ?? '';
        expect(isUsable(NEW, to)).toBe(true);
        expect(moves).toEqual([{ identity: a, from, to }]);
        await next.sweepOrphans(T0 + 2 + HOUR);
        const v = await view();
        expectConsistent(v);
        expect(v.vips.get(from)?.owner).toBeUndefined();
        expect(v.vips.get(from)?.lastOwner).toBe(identityKey(a));
      });
    }
  }

  it('two containers moving the same identity at once agree on one VIP', async () => {
    const { client, tableName, old, view } = await setup();
    const ids = ['a', 'b', 'c', 'd'].map((p) => identity(p));
    await old.ensure(ids, T0);
    const [x, y] = await Promise.all([allocator(client, tableName, { pool: NEW }).ensure(ids, T0 + 1), allocator(client, tableName, { pool: NEW }).ensure(ids, T0 + 1)]);
    expect(x).toEqual(y);
    expectConsistent(await view(), { orphansAllowed: true });
  });
});
