// The state store against dynalite: the core's merge rule item by item, what a merge reports,
// what stale and duplicate events cost, snapshots (newest wins, parts, GC, large key lists),
// and bad input.
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isNewer } from '../../../shared/core/merge.ts';
import { documentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { countOps, CONDITIONAL_CHECK_FAILED } from '../../../shared/adapters/dynamodb/op-counter.ts';
import { DynamoStateStore } from '../../../shared/adapters/dynamodb/state-store.ts';
import { FinalError } from '../../../shared/errors.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import { deepFreeze } from '../../contract/helpers.ts';
import { crashingClient, hlc, prng, shuffle, pod, podDelete, podUpsert, service, serviceDelete, serviceUpsert, snapshot, useDynamo } from './helpers.ts';

const dynamo = useDynamo();

async function setup(options: { snapshotChunkBytes?: number } = {}) {
  const tableName = await dynamo.freshTable();
  const client = dynamo.engine().client;
  const store = new DynamoStateStore({ client, tableName, ...options });
  const ops = countOps(client);
  const items = async () => {
    const res = await documentClient(client).send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'ns/one/ns-one' } }));
    return (res.Items ?? []).map((i) => i.sk as string);
  };
  return { store, ops, items, tableName, done: () => ops.detach() };
}

const names = (records: readonly { name: string }[]) => records.map((r) => r.name);

describe('DynamoStateStore: events', () => {
  it('an upsert is one conditional write and no read, and reports the new labels; one that creates the entry also reads the snapshot floor', async () => {
    const { store, ops, done } = await setup();
    const result = await store.merge(deepFreeze(podUpsert(hlc(1), pod('kafka-0'))));
    expect(result).toEqual({ changed: true, pods: [{ name: 'kafka-0', labels: [{ app: 'kafka' }] }], services: [] });
    expect(ops.counts()).toEqual({ PutItem: 1, GetItem: 1 });
    ops.reset();
    const changed = await store.merge(deepFreeze(podUpsert(hlc(2), pod('kafka-0', { labels: { app: 'kafka', tier: 'b' } }))));
    expect(changed).toEqual({ changed: true, pods: [{ name: 'kafka-0', labels: [{ app: 'kafka' }, { app: 'kafka', tier: 'b' }] }], services: [] });
    expect(ops.counts()).toEqual({ PutItem: 1 });
    expect(names(await store.podsOf('one', 'ns-one'))).toEqual(['kafka-0']);
    done();
  });

  it('a relabel reports the previous and the new labels (from ALL_OLD, no read)', async () => {
    const { store, ops, done } = await setup();
    await store.merge(podUpsert(hlc(1), pod('kafka-0')));
    ops.reset();
    const result = await store.merge(podUpsert(hlc(2), pod('kafka-0', { labels: { app: 'zk' } })));
    expect(result.pods).toEqual([{ name: 'kafka-0', labels: [{ app: 'kafka' }, { app: 'zk' }] }]);
    expect(ops.reads()).toBe(0);
    expect(ops.writes()).toBe(1);
    done();
  });

  it('a stale or duplicate event costs exactly one failed conditional write and no read', async () => {
    const { store, ops, done } = await setup();
    await store.merge(podUpsert(hlc(5), pod('kafka-0')));
    for (const stale of [podUpsert(hlc(5), pod('kafka-0')), podUpsert(hlc(4), pod('kafka-0', { ips: ['10.9.9.9'] })), podDelete(hlc(3), 'kafka-0')]) {
      ops.reset();
      expect(await store.merge(stale)).toEqual({ changed: false, pods: [], services: [] });
      expect(ops.counts()).toEqual({ PutItem: 1, [CONDITIONAL_CHECK_FAILED]: 1 });
    }
    expect((await store.podsOf('one', 'ns-one'))[0]?.ips).toEqual(['10.0.0.1']);
    done();
  });

  it('a recreated pod survives the late DELETE of its old uid', async () => {
    const { store, done } = await setup();
    await store.merge(podUpsert(hlc(3), pod('kafka-1', { uid: 'new', ips: ['10.0.0.7'] })));
    await store.merge(podDelete(hlc(2), 'kafka-1', 'old'));
    await store.merge(podUpsert(hlc(1), pod('kafka-1', { uid: 'old' })));
    expect(await store.podsOf('one', 'ns-one')).toEqual([pod('kafka-1', { uid: 'new', ips: ['10.0.0.7'] })]);
    done();
  });

  it('a delete hides the pod and reports its last labels', async () => {
    const { store, done } = await setup();
    await store.merge(podUpsert(hlc(1), pod('kafka-0')));
    expect(await store.merge(podDelete(hlc(2), 'kafka-0'))).toEqual({ changed: true, pods: [{ name: 'kafka-0', labels: [{ app: 'kafka' }] }], services: [] });
    expect(await store.podsOf('one', 'ns-one')).toEqual([]);
    done();
  });

  it('equal versions tie-break as the core does: a tombstone beats a record, the greater canonical JSON beats the other', async () => {
    const { store, done } = await setup();
    const a = pod('p', { ips: ['10.0.0.1'] });
    const b = pod('p', { ips: ['10.0.0.2'] });
    await store.merge(podUpsert(hlc(1), b));
    await store.merge(podUpsert(hlc(1), a));
    expect(await store.podsOf('one', 'ns-one')).toEqual([b]);
    await store.merge(podDelete(hlc(1), 'p'));
    await store.merge(podUpsert(hlc(1), b));
    expect(await store.podsOf('one', 'ns-one')).toEqual([]);
    done();
  });

  it('on equal versions the store picks the same winner as the core, in either order (property)', async () => {
    const { tableName, done } = await setup();
    const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9_.]{0,8}[a-z0-9])?$/);
    const entry = fc.option(fc.record({ app: label, ip: fc.integer({ min: 0, max: 255 }), ready: fc.boolean() }), { nil: undefined });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(entry, entry, fc.boolean(), async (a, b, aFirst) => {
        const name = `p${n++}`;
        const event = (e: typeof a) =>
          e === undefined ? podDelete(hlc(1), name) : podUpsert(hlc(1), pod(name, { labels: { app: e.app }, ips: [`10.0.0.${e.ip}`], ready: e.ready }));
        const record = (e: typeof a) => (e === undefined ? undefined : (event(e).detail as { pod: ReturnType<typeof pod> }).pod);
        const store = new DynamoStateStore({ client: dynamo.engine().client, tableName });
        for (const e of aFirst ? [a, b] : [b, a]) await store.merge(event(e));
        const winner = isNewer({ v: hlc(1), record: record(b) }, { v: hlc(1), record: record(a) }) ? record(b) : record(a);
        const stored = (await store.podsOf('one', 'ns-one')).find((p) => p.name === name);
        expect(stored).toEqual(winner);
      }),
      { numRuns: 40, seed: 4 },
    );
    done();
  });

  it('services: upsert, one by name, delete; pods and services are read separately', async () => {
    const { store, done } = await setup();
    await store.merge(serviceUpsert(hlc(1), service('kafka-headless')));
    await store.merge(podUpsert(hlc(2), pod('kafka-0')));
    expect(names(await store.servicesOf('one', 'ns-one'))).toEqual(['kafka-headless']);
    expect(await store.service('one', 'ns-one', 'kafka-headless')).toEqual(service('kafka-headless'));
    expect(await store.service('one', 'ns-one', 'other')).toBeUndefined();
    expect((await store.merge(serviceDelete(hlc(3), 'kafka-headless'))).services).toEqual(['kafka-headless']);
    expect(await store.servicesOf('one', 'ns-one')).toEqual([]);
    expect(names(await store.podsOf('one', 'ns-one'))).toEqual(['kafka-0']);
    done();
  });

  it('8 concurrent writers on one pod never lose the newest version', async () => {
    const { store, tableName, done } = await setup();
    const versions = Array.from({ length: 160 }, (_, i) => podUpsert(hlc(i), pod('hot', { ips: [`10.0.${i >> 8}.${i & 255}`] })));
    const order = shuffle(versions, prng(1));
    const writers = Array.from({ length: 8 }, () => new DynamoStateStore({ client: dynamo.engine().client, tableName }));
    let next = 0;
    await Promise.all(writers.map(async (w) => {
      while (next < order.length) await w.merge(order[next++] as GnsEvent);
    }));
    expect((await store.podsOf('one', 'ns-one'))[0]?.ips).toEqual(['10.0.0.159']);
    done();
  });

  it('bad input is a FinalError that says why, and writes nothing', async () => {
    const { store, ops, items, done } = await setup();
    const bad: unknown[] = [
      { type: 'gns-sync.pod.upsert.v2', detail: { cluster: 'one', namespace: 'ns-one', v: 'yesterday', pod: pod('p') } },
      { type: 'gns-sync.pod.upsert.v2', detail: { cluster: 'one', namespace: 'NS', v: hlc(1), pod: pod('p') } },
      { type: 'gns-sync.pod.delete.v2', detail: { cluster: 'one', namespace: 'ns-one', v: hlc(1) } },
      { type: 'gns-sync.nope.v1', detail: {} },
      snapshot(hlc(1), [{ v: hlc(2), record: pod('p') }]),
    ];
    for (const event of bad) {
      await expect(store.merge(event as GnsEvent)).rejects.toThrow(FinalError);
      await expect(store.merge(event as GnsEvent)).rejects.toThrow(/nothing was written/);
    }
    expect(ops.writes()).toBe(0);
    expect(await items()).toEqual([]);
    done();
  });
});

describe('DynamoStateStore: snapshots', () => {
  it('a newer snapshot hides unlisted older entries, reports them, and garbage-collects them', async () => {
    const { store, items, done } = await setup();
    await store.merge(podUpsert(hlc(1), pod('a')));
    await store.merge(podUpsert(hlc(2), pod('b', { labels: { app: 'b' } })));
    await store.merge(podDelete(hlc(3), 'c'));
    await store.merge(podUpsert(hlc(20), pod('late'))); // newer than the snapshot: stays visible
    const result = await store.merge(snapshot(hlc(10), [{ v: hlc(1), record: pod('a') }]));
    expect(result.changed).toBe(true);
    expect(result.pods).toEqual([{ name: 'b', labels: [{ app: 'b' }] }]);
    expect(names(await store.podsOf('one', 'ns-one'))).toEqual(['a', 'late']);
    expect(await items()).toEqual(['pod/a', 'pod/late', 'q/snapshot']);
    // An event older than the snapshot for an unlisted key stays invisible, whenever it arrives.
    await store.merge(podUpsert(hlc(2), pod('b')));
    expect(names(await store.podsOf('one', 'ns-one'))).toEqual(['a', 'late']);
    done();
  });

  it('a stale snapshot and a duplicate part each cost one failed conditional write and no read', async () => {
    const { store, ops, done } = await setup();
    const s = snapshot(hlc(10), [{ v: hlc(1), record: pod('a') }]);
    await store.merge(s);
    for (const again of [s, snapshot(hlc(5), [{ v: hlc(1), record: pod('z') }])]) {
      ops.reset();
      expect((await store.merge(again)).changed).toBe(false);
      expect(ops.counts()).toEqual({ UpdateItem: 1, [CONDITIONAL_CHECK_FAILED]: 1 });
    }
    expect(names(await store.podsOf('one', 'ns-one'))).toEqual(['a']);
    done();
  });

  it('parts of one snapshot each merge their records; the key list is the same', async () => {
    const { store, done } = await setup();
    const keys = ['pod/a', 'pod/b', 'service/s'];
    await store.merge(podUpsert(hlc(1), pod('gone')));
    await store.merge(snapshot(hlc(10), [{ v: hlc(2), record: pod('b') }], [], { part: 2, parts: 2, keys }));
    await store.merge(snapshot(hlc(10), [{ v: hlc(1), record: pod('a') }], [{ v: hlc(1), record: service('s') }], { part: 1, parts: 2, keys }));
    expect(names(await store.podsOf('one', 'ns-one'))).toEqual(['a', 'b']);
    expect(names(await store.servicesOf('one', 'ns-one'))).toEqual(['s']);
    done();
  });

  it('a newly listed key becomes visible and is reported even when its record did not change', async () => {
    const { store, done } = await setup();
    await store.merge(snapshot(hlc(10), []));
    await store.merge(podUpsert(hlc(5), pod('a'))); // older than the snapshot, unlisted: invisible
    expect(await store.podsOf('one', 'ns-one')).toEqual([]);
    const result = await store.merge(snapshot(hlc(20), [{ v: hlc(5), record: pod('a') }]));
    expect(result.pods.map((p) => p.name)).toEqual(['a']);
    expect(names(await store.podsOf('one', 'ns-one'))).toEqual(['a']);
    done();
  });

  it('a key list larger than one item is stored in chunks and read back whole; older chunks are removed', async () => {
    const { store, items, done } = await setup({ snapshotChunkBytes: 256 });
    const many = Array.from({ length: 400 }, (_, i) => ({ v: hlc(1), record: pod(`kafka-${(i * 7919).toString(36)}-${i}`) }));
    await store.merge(snapshot(hlc(10), many));
    const chunks = (await items()).filter((sk) => sk.startsWith('q/snapshot/'));
    expect(chunks.length).toBeGreaterThan(1);
    expect((await store.podsOf('one', 'ns-one')).length).toBe(400);
    await store.merge(snapshot(hlc(20), many.slice(0, 10)));
    expect((await store.podsOf('one', 'ns-one')).length).toBe(10);
    expect((await items()).filter((sk) => sk.startsWith('q/snapshot/') && !sk.includes(hlc(20)))).toEqual([]);
    done();
  });

  // Writes of a snapshot merge here: header, 2 records, 1 garbage delete, part mark.
  for (const at of [1, 2, 3, 4, 5]) {
    for (const when of ['before', 'after'] as const) {
      it(`a snapshot merge that crashes ${when} write ${at} converges when the event is redelivered`, async () => {
        const { store, items, tableName, done } = await setup();
        await store.merge(podUpsert(hlc(1), pod('old')));
        await store.merge(snapshot(hlc(5), [{ v: hlc(1), record: pod('old') }]));
        const s = snapshot(hlc(10), [{ v: hlc(2), record: pod('a') }, { v: hlc(3), record: pod('b') }]);
        const crashing = crashingClient(dynamo.engine().endpoint, { at: [at], when });
        await expect(new DynamoStateStore({ client: crashing.client, tableName }).merge(s)).rejects.toThrow(/InjectedCrash/);
        crashing.client.destroy();
        const redelivered = await store.merge(s);
        expect(names(await store.podsOf('one', 'ns-one'))).toEqual(['a', 'b']);
        if (at < 5) expect(redelivered.changed).toBe(true);
        expect((await store.merge(s)).changed).toBe(false);
        expect(await items()).toEqual(['pod/a', 'pod/b', 'q/snapshot']); // garbage collected too
        done();
      });
    }
  }

  it('namespaces and clusters never see each other', async () => {
    const { store, done } = await setup();
    await store.merge(podUpsert(hlc(1), pod('a'), { cluster: 'one', namespace: 'ns-two' }));
    await store.merge(podUpsert(hlc(1), pod('b'), { cluster: 'two', namespace: 'ns-one' }));
    await store.merge(snapshot(hlc(9), [], [], { s: { cluster: 'one', namespace: 'ns-one' } }));
    expect(names(await store.podsOf('one', 'ns-two'))).toEqual(['a']);
    expect(names(await store.podsOf('two', 'ns-one'))).toEqual(['b']);
    done();
  });
});
