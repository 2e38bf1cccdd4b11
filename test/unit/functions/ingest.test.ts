import { beforeEach, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import type { IngestDeps, IngestRecord } from '../../../functions/ingest/ingest.ts';
import { FinalError } from '../../../shared/errors.ts';
import { DETAIL_TYPES } from '../../../shared/schemas/events.ts';
import {
  FakeClock, FakeDeadLetters, FakeQueue, FakeStore, busBody, kafkaPod, podDelete, podUpsert, retryable, serviceDelete, serviceUpsert,
  targetService, topology,
} from './fakes.ts';

let store: FakeStore;
let queue: FakeQueue;
let dlq: FakeDeadLetters;
let clock: FakeClock;
let deps: IngestDeps;
let n = 0;

const rec = (body: string, receiveCount = 1): IngestRecord => ({ messageId: `m-${++n}`, body, receiveCount });

beforeEach(async () => {
  store = new FakeStore();
  queue = new FakeQueue();
  dlq = new FakeDeadLetters();
  clock = new FakeClock();
  deps = { topology: topology(), store, queue, deadLetters: dlq, clock };
  await store.put(serviceUpsert('clusterOne', 'ns-two', targetService()), serviceUpsert('clusterTwo', 'ns-one', targetService()));
});

describe('ingestBatch: routing', () => {
  it('a replay of an event re-merged into a lost table is not deduplicated against the original (its cause names the replay)', async () => {
    const event = podUpsert('clusterOne', 'ns-one', kafkaPod(0));
    const body = busBody(event, 'evt-replayed');
    await ingestBatch(deps, [rec(body)]);
    const original = queue.sent.map((s) => s.cause);
    expect(original).toEqual(['evt-replayed', 'evt-replayed']);
    // The table is lost (restored from an older backup); an archive replay minutes later re-merges.
    store.states.delete('clusterOne/ns-one');
    queue.sent.length = 0;
    const replayed = JSON.stringify({ ...(JSON.parse(body) as object), 'replay-name': 'restore-1' });
    await ingestBatch(deps, [rec(replayed)]);
    expect(queue.keys()).toHaveLength(2);
    // Same cause → same FIFO deduplication id → SQS would drop these syncs for 5 minutes.
    for (const s of queue.sent) expect(original).not.toContain(s.cause);
  });

  it('a pod change enqueues every target of the GNS whose selector matches it', async () => {
    const result = await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0))))]);
    expect(result).toMatchObject({ merged: 1, enqueued: 2, batchItemFailures: [] });
    expect(queue.keys()).toEqual(['clusterOne/ns-two/kafka-headless', 'clusterTwo/ns-one/kafka-headless']);
    expect(queue.sent[0]?.target.gns).toBe('kafka-gns');
  });

  it('a pod that matches no selector enqueues nothing', async () => {
    await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0, { labels: { app: 'web' } }))))]);
    expect(queue.sent).toEqual([]);
  });

  it('a pod whose labels stop matching enqueues the targets of its old labels', async () => {
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(0)));
    await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0, { labels: { app: 'web' } }))))]);
    expect(queue.keys()).toHaveLength(2);
  });

  it('a pod delete enqueues the targets that matched it', async () => {
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(0)));
    await ingestBatch(deps, [rec(busBody(podDelete('clusterOne', 'ns-one', 'kafka-0', 'uid-kafka-0')))]);
    expect(queue.keys()).toHaveLength(2);
  });

  it('a Service event enqueues that target itself (even deleted or invalid)', async () => {
    await ingestBatch(deps, [rec(busBody(serviceDelete('clusterTwo', 'ns-one', 'kafka-headless')))]);
    expect(queue.keys()).toEqual(['clusterTwo/ns-one/kafka-headless']);
    queue.sent.length = 0;
    await ingestBatch(deps, [rec(busBody(serviceUpsert('clusterOne', 'ns-two', targetService('other', { selector: { a: 'b' } }))))]);
    expect(queue.keys()).toEqual(['clusterOne/ns-two/other']);
  });

  it('a new target is seen by the next pod event of this container (the cached index is dropped)', async () => {
    await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0))))]);
    await ingestBatch(deps, [rec(busBody(serviceUpsert('clusterOne', 'ns-one', targetService('kafka-mirror'))))]);
    queue.sent.length = 0;
    await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1))))]);
    expect(queue.keys()).toContain('clusterOne/ns-one/kafka-mirror');
  });

  it('caches the target index per GNS while its targets version is unchanged (one member bump per batch reads it, no servicesOf)', async () => {
    await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0))))]);
    const reads = store.calls.filter((c) => c.startsWith('servicesOf')).length;
    expect(reads).toBe(3);
    store.calls.length = 0;
    clock.ms += 10_000;
    await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1)))), rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(2))))]);
    expect(store.calls.filter((c) => !c.startsWith('merge'))).toEqual(['bumpMemberVersions kafka-gns']);
    clock.ms += 60_000; // the backstop: an index is reloaded after a minute whatever the version
    await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(3))))]);
    expect(store.calls.filter((c) => c.startsWith('servicesOf'))).toHaveLength(3);
  });

  it('events of namespaces in no GNS are ignored and counted', async () => {
    const result = await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'kube-system', kafkaPod(0))))]);
    expect(result).toMatchObject({ ignored: 1, merged: 0, enqueued: 0, batchItemFailures: [] });
    expect(store.calls).toEqual([]);
  });

  it('a batch coalesces: one message per distinct target', async () => {
    const records = [0, 1, 2].map((i) => rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(i)))));
    const result = await ingestBatch(deps, records);
    expect(result).toMatchObject({ merged: 3, enqueued: 2 });
    expect(queue.sent).toHaveLength(2);
    expect(queue.sent[0]?.cause).toMatch(/^batch:[0-9a-f]{64}$/);
  });

  it('a duplicate delivery changes nothing and enqueues nothing', async () => {
    const body = busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0)));
    await ingestBatch(deps, [rec(body)]);
    queue.sent.length = 0;
    const result = await ingestBatch(deps, [rec(body)]);
    expect(result).toMatchObject({ merged: 0, unchanged: 1, enqueued: 0 });
  });
});

describe('ingestBatch: bad input and failures', () => {
  const bad: [string, string, RegExp][] = [
    ['not JSON', '{nope', /not valid JSON/],
    ['an unknown detail-type', JSON.stringify({ id: 'x', source: 'gns-sync.io/cluster/clusterOne', 'detail-type': 'gns-sync.pod.explode.v1', detail: {} }), /detail-type/],
    ['a cluster speaking for another', busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0))).replace('"source":"gns-sync.io/cluster/clusterOne"', '"source":"gns-sync.io/cluster/clusterTwo"'), /may not speak for/],
    ['a bad pod IP', busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0, { ips: ['999.1.1.1'] }))), /ips/],
    ['an empty body', '', /./],
  ];
  for (const [what, body, reason] of bad) {
    it(`${what}: dead-lettered with the reason, acknowledged, nothing merged`, async () => {
      const good = rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1))));
      const badRecord = rec(body);
      const result = await ingestBatch(deps, [badRecord, good]);
      expect(result.batchItemFailures).toEqual([]);
      expect(result).toMatchObject({ invalid: 1, merged: 1 });
      expect(dlq.letters).toHaveLength(1);
      expect(dlq.letters[0]).toMatchObject({ body, origin: 'ingest', messageId: badRecord.messageId });
      expect(dlq.letters[0]?.reason).toMatch(reason);
      expect(store.calls.filter((c) => c.startsWith('merge'))).toEqual([`merge ${DETAIL_TYPES.podUpsert}`]);
    });
  }

  it('a retryable store error fails only its record', async () => {
    store.failMerge = (e) => (e.type === DETAIL_TYPES.podUpsert && e.detail.pod.name === 'kafka-1' ? retryable() : undefined);
    const records = [0, 1, 2].map((i) => rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(i)))));
    const result = await ingestBatch(deps, records);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.messageId }]);
    expect(result.merged).toBe(2);
    expect(queue.sent).toHaveLength(2);
    expect(dlq.letters).toEqual([]);
  });

  it('a final store error dead-letters its record', async () => {
    store.failMerge = () => new FinalError('merge: the event is for another namespace');
    const result = await ingestBatch(deps, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0))))]);
    expect(result.batchItemFailures).toEqual([]);
    expect(dlq.letters[0]?.reason).toMatch(/another namespace/);
  });

  it('a dead-letter queue that fails turns the record into a batch item failure', async () => {
    dlq.fail = new Error('SQS down');
    const r = rec('{nope');
    const result = await ingestBatch(deps, [r]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: r.messageId }]);
  });

  it('an enqueue failure fails the records that had targets; their redelivery enqueues although the merge is a no-op', async () => {
    queue.fail = retryable('sync queue');
    const body = busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0)));
    const ignoredPod = rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(5, { labels: { app: 'web' } }))));
    const first = rec(body);
    const result = await ingestBatch(deps, [first, ignoredPod]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: first.messageId }]);
    queue.fail = undefined;
    const again = await ingestBatch(deps, [rec(body, 2)]);
    expect(again).toMatchObject({ unchanged: 1, enqueued: 2, batchItemFailures: [] });
  });
});
