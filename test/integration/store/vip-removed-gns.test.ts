// The VIPs of a GNS removed from the config (docs/adr/0004-vip-allocation.md, "What is gone"),
// against dynalite: `releaseExpired(now, { configuredGns })` marks the bound identities of any
// other GNS gone, found by the pool read the release does anyway (no extra query); they are
// released after the grace period; a GNS back within it keeps its VIPs; configured GNSs are
// untouched; a bad list writes nothing.
import { describe, expect, it } from 'vitest';
import { countOps } from '../../../shared/adapters/dynamodb/op-counter.ts';
import { VipInputError } from '../../../shared/adapters/dynamodb/vip-allocator.ts';
import type { ReleaseOptions } from '../../../shared/ports.ts';
import { identityKey } from '../../../shared/core/identity.ts';
import type { VipIdentity } from '../../../shared/core/types.ts';
import { claimVip } from '../../../shared/adapters/dynamodb/vip-items.ts';
import { documentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { useDynamo } from './helpers.ts';
import { allocator, expectConsistent, HOUR, identity, readTable, T0 } from './vip-helpers.ts';

const dynamo = useDynamo();

const KEPT = ['kafka-0', 'kafka-1'].map((p) => identity(p, 'kafka-gns'));
const REMOVED = ['pg-0', 'pg-1', 'pg-2'].map((p) => identity(p, 'pg-gns', 'two'));
const CONFIGURED = ['kafka-gns'];

async function setup() {
  const tableName = await dynamo.freshTable();
  const client = dynamo.engine().client;
  const vips = allocator(client, tableName);
  const before = new Map([...(await vips.ensure(KEPT, T0)), ...(await vips.ensure(REMOVED, T0))]);
  return { tableName, client, vips, before, view: () => readTable(client, tableName) };
}

/** releaseExpired with the configured GNSs, returning what it released and what it marked. */
async function release(vips: ReturnType<typeof allocator>, now: number, configuredGns: readonly string[] = CONFIGURED) {
  const marked: VipIdentity[] = [];
  const released = await vips.releaseExpired(now, { configuredGns, onUnconfiguredMarked: (ids) => marked.push(...ids) });
  return { released, marked: marked.map(identityKey).sort() };
}

describe('DynamoVipAllocator: the VIPs of a GNS removed from the config', () => {
  it('are marked gone by the release, released after the grace period and quarantined; the configured GNS is untouched', async () => {
    const { vips, before, view } = await setup();
    expect(await release(vips, T0 + 10)).toEqual({ released: 0, marked: REMOVED.map(identityKey).sort() });
    // Marked once: a later run neither marks again nor moves the time the identities went.
    expect(await release(vips, T0 + 20)).toEqual({ released: 0, marked: [] });
    expect(await release(vips, T0 + 10 + HOUR - 1)).toEqual({ released: 0, marked: [] });
    expect(await release(vips, T0 + 10 + HOUR)).toEqual({ released: REMOVED.length, marked: [] });

    const v = await view();
    expect([...v.bindings.keys()].sort()).toEqual(KEPT.map(identityKey).sort());
    for (const id of KEPT) expect(v.bindings.get(identityKey(id))).toBe(before.get(identityKey(id)));
    for (const id of REMOVED) {
      const item = v.vips.get(before.get(identityKey(id)) as string);
      expect(item).toMatchObject({ freeAt: T0 + 10 + 2 * HOUR, lastOwner: identityKey(id) });
      expect(item?.owner).toBeUndefined();
    }
    expectConsistent(v);
    expect(await vips.listGns('pg-gns')).toEqual(new Map());
  });

  it('a GNS re-added within the grace period keeps its VIPs (ensure clears the mark); nothing is released later', async () => {
    const { vips, before, view } = await setup();
    expect((await release(vips, T0 + 10)).marked).toHaveLength(REMOVED.length);
    // The operator puts pg-gns back: its next sync ensures the identities.
    expect(await vips.ensure(REMOVED, T0 + HOUR / 2)).toEqual(new Map(REMOVED.map((id) => [identityKey(id), before.get(identityKey(id))])));
    expect(await release(vips, T0 + 10 * HOUR, [...CONFIGURED, 'pg-gns'])).toEqual({ released: 0, marked: [] });
    const v = await view();
    expect(v.bindings).toEqual(before);
    expectConsistent(v);
  });

  it('without configuredGns nothing is marked; with it the release still makes exactly two queries', async () => {
    const { client, vips, view } = await setup();
    const ops = countOps(client);
    expect(await vips.releaseExpired(T0 + 10)).toBe(0);
    const plain = ops.counts();
    expect(plain.Query).toBe(2); // the gone index and the pool
    ops.reset();
    expect((await release(vips, T0 + 10, CONFIGURED)).marked).toHaveLength(REMOVED.length);
    // The same two queries, one batch read of the removed GNS's bindings, one write per mark.
    expect(ops.counts()).toEqual({ ...plain, BatchGetItem: (plain.BatchGetItem ?? 0) + 1, UpdateItem: REMOVED.length });
    // Every GNS configured: nothing marked, nothing read beyond the queries.
    ops.reset();
    expect(await release(vips, T0 + 11, ['kafka-gns', 'pg-gns'])).toEqual({ released: 0, marked: [] });
    expect(ops.counts()).toEqual(plain);
    ops.detach();
    expect((await view()).bindings.size).toBe(KEPT.length + REMOVED.length);
  });

  it('a fresh claim of a removed GNS that is not bound yet (an allocation in flight) is left alone', async () => {
    const { tableName, client, vips, view } = await setup();
    const inFlight = identity('pg-9', 'pg-gns', 'two');
    expect(await claimVip({ doc: documentClient(client), tableName }, '240.240.9.9', identityKey(inFlight), T0 + 5)).toBeDefined();
    expect((await release(vips, T0 + 10)).marked).not.toContain(identityKey(inFlight));
    expect((await view()).vips.get('240.240.9.9')).toMatchObject({ owner: identityKey(inFlight), claimedAt: T0 + 5 });
  });

  it.each<[string, unknown]>([
    ['a string instead of a list', 'kafka-gns'],
    ['an invalid GNS name', ['kafka-gns', 'Not A Name']],
    ['a non-string entry', ['kafka-gns', 7]],
  ])('bad configuredGns (%s) is a VipInputError and writes nothing', async (_what, configuredGns) => {
    const { client, vips, view } = await setup();
    const before = await view();
    const ops = countOps(client);
    await expect(vips.releaseExpired(T0 + 10 * HOUR, { configuredGns } as unknown as ReleaseOptions)).rejects.toThrow(VipInputError);
    await expect(vips.releaseExpired(T0 + 10 * HOUR, { configuredGns } as unknown as ReleaseOptions)).rejects.toThrow(/configuredGns.*nothing was written/);
    expect(ops.counts()).toEqual({});
    ops.detach();
    expect(await view()).toEqual(before);
  });
});
