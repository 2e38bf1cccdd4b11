// The targets version of a GNS on DynamoDB (dynalite) and the ingest's target cache over it
// (docs/adr/0008-function-costs-and-caches.md): two ingest containers, each with its own client
// and store, over one table.
import { describe, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import type { IngestDeps, IngestRecord } from '../../../functions/ingest/ingest.ts';
import { localClient } from '../../../local/dynamo/start.ts';
import { DynamoStateStore } from '../../../shared/adapters/dynamodb/state-store.ts';
import { countOps } from '../../../shared/adapters/dynamodb/op-counter.ts';
import { RetryableError } from '../../../shared/errors.ts';
import {
  FakeClock, FakeDeadLetters, FakeQueue, busBody, kafkaPod, podUpsert, serviceUpsert, targetService, topology,
} from '../../unit/functions/fakes.ts';
import { useDynamo } from './helpers.ts';

const dynamo = useDynamo();
let n = 0;
const rec = (body: string): IngestRecord => ({ messageId: `m-${++n}`, body, receiveCount: 1 });

describe('DynamoStateStore: targets versions', () => {
  it('reads 0 for a GNS never bumped; a bump adds one and returns the new value; one read covers many GNSs', async () => {
    const tableName = await dynamo.freshTable();
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName });
    expect(await store.targetsVersions([])).toEqual(new Map());
    expect(await store.targetsVersions(['a', 'b'])).toEqual(new Map([['a', 0], ['b', 0]]));
    expect(await store.bumpTargetsVersion('a')).toBe(1);
    expect(await store.bumpTargetsVersion('a')).toBe(2);
    expect(await store.targetsVersions(['a', 'b', 'a'])).toEqual(new Map([['a', 2], ['b', 0]]));
  });

  it('concurrent bumps from several stores are all counted (ADD is atomic)', async () => {
    const tableName = await dynamo.freshTable();
    const stores = Array.from({ length: 4 }, () => new DynamoStateStore({ client: localClient(dynamo.engine().endpoint), tableName }));
    const values = await Promise.all(Array.from({ length: 20 }, (_, i) => (stores[i % 4] as DynamoStateStore).bumpTargetsVersion('g')));
    expect([...values].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await stores[0]!.targetsVersions(['g'])).get('g')).toBe(20);
  });

  it('a store failure is a RetryableError naming the operation', async () => {
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName: 'no-such-table' });
    await expect(store.bumpTargetsVersion('g')).rejects.toThrow(RetryableError);
    await expect(store.bumpTargetsVersion('g')).rejects.toThrow(/targets version of g/);
    await expect(store.targetsVersions(['g'])).rejects.toThrow(/targets versions of g/);
  });
});

describe('two ingest containers over one table', () => {
  it('a target created through A is enqueued by the next pod change through B, at no extra read per batch (the member bump returns the version)', async () => {
    const tableName = await dynamo.freshTable();
    const queue = new FakeQueue();
    const clock = new FakeClock();
    const container = (): { deps: IngestDeps; ops: ReturnType<typeof countOps> } => {
      const client = localClient(dynamo.engine().endpoint);
      const ops = countOps(client);
      return { deps: { topology: topology(), store: new DynamoStateStore({ client, tableName }), queue, deadLetters: new FakeDeadLetters(), clock }, ops };
    };
    const a = container();
    const b = container();
    await ingestBatch(a.deps, [rec(busBody(serviceUpsert('clusterOne', 'ns-two', targetService())))]);
    await ingestBatch(b.deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0))))]); // B's index: one target
    expect(queue.keys()).toEqual(['clusterOne/ns-two/kafka-headless', 'clusterOne/ns-two/kafka-headless']);

    await ingestBatch(a.deps, [rec(busBody(serviceUpsert('clusterOne', 'ns-one', targetService('kafka-mirror'))))]);
    queue.sent.length = 0;
    await ingestBatch(b.deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1))))]);
    expect(queue.keys()).toEqual(['clusterOne/ns-one/kafka-mirror', 'clusterOne/ns-two/kafka-headless']);

    // Steady state: a pod change costs its merge and its member bump (which returns the targets version too); the index is reused.
    queue.sent.length = 0;
    b.ops.reset();
    await ingestBatch(b.deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1, { ips: ['10.1.0.50'] }))))]);
    expect(b.ops.counts()).toEqual({ PutItem: 1, UpdateItem: 1 });
    expect(queue.keys()).toHaveLength(2);
  });
});
