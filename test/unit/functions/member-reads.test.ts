// A batch of syncs reads a member namespace again only when its member version moved
// (functions/sync/sources.ts, docs/adr/0016): the cost of a pod event does not grow with the
// members and targets of its GNS, and a sync still sees every change the ingest bumped.
import { beforeEach, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import { syncBatch } from '../../../functions/sync/batch.ts';
import type { SyncBatchDeps } from '../../../functions/sync/batch.ts';
import { encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { MEMBER_CACHE_MS } from '../../../functions/sync/sources.ts';
import {
  FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, busBody, kafkaPod, podUpsert,
  topology, seedScenario,
} from './fakes.ts';

let store: FakeStore;
let clusters: FakeClusters;
let clock: FakeClock;
let deps: SyncBatchDeps;
let n = 0;
const both = () => [T_LOCAL, T_REMOTE].map((t) => ({ messageId: `m-${++n}`, body: encodeSyncMessage(t, `e-${n}`) }));
const reads = () => store.calls.filter((c) => c.startsWith('namespaceOf')).sort();
const addresses = () => [...clusters.cluster('clusterOne').slices.values()].flatMap((s) => s.endpoints.flatMap((e) => e.addresses)).sort();

beforeEach(async () => {
  store = new FakeStore();
  clusters = new FakeClusters();
  clock = new FakeClock();
  await store.put(...seedScenario(1));
  deps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters, clock, deadLetters: new FakeDeadLetters(), memo: newSyncMemo() };
});

describe('member reads of a batch of syncs', () => {
  it('a later batch re-reads no member while no version moved', async () => {
    await syncBatch(deps, both(), clock.now());
    expect(reads()).toHaveLength(3);
    store.calls.length = 0;
    await syncBatch(deps, both(), clock.now());
    expect(reads()).toEqual([]);
  });

  it('a change the ingest merged is re-read — only its member — and published', async () => {
    await syncBatch(deps, both(), clock.now());
    const before = addresses();
    store.calls.length = 0;
    const queue = new FakeQueue();
    await ingestBatch({ topology: deps.topology, store, queue, deadLetters: new FakeDeadLetters(), clock }, [
      { messageId: 'i1', body: busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1))), receiveCount: 1 },
    ]);
    expect(queue.keys()).toEqual(['clusterOne/ns-two/kafka-headless', 'clusterTwo/ns-one/kafka-headless']);
    store.calls.length = 0;
    await syncBatch(deps, both(), clock.now());
    expect(reads()).toEqual(['namespaceOf clusterOne/ns-one']);
    expect(addresses()).toHaveLength(before.length + 1);
  });

  it('messages that carry the member versions of their change cost no version read; only the changed member is read', async () => {
    await syncBatch(deps, both(), clock.now());
    const queue = new FakeQueue();
    await ingestBatch({ topology: deps.topology, store, queue, deadLetters: new FakeDeadLetters(), clock }, [
      { messageId: 'i1', body: busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1))), receiveCount: 1 },
    ]);
    expect(queue.sent.map((s) => s.versions)).toEqual([new Map([['clusterOne/ns-one', 1]]), new Map([['clusterOne/ns-one', 1]])]);
    store.calls.length = 0;
    await syncBatch(deps, queue.sent.map((s, i) => ({ messageId: `q${i}`, body: encodeSyncMessage(s.target, s.cause, undefined, s.versions) })), clock.now());
    expect(store.calls).toEqual(['namespaceOf clusterOne/ns-one']);
    store.calls.length = 0;
    // Redelivered: this memo is as new as the message: nothing is read.
    await syncBatch(deps, queue.sent.map((s, i) => ({ messageId: `r${i}`, body: encodeSyncMessage(s.target, s.cause, undefined, s.versions) })), clock.now());
    expect(store.calls).toEqual([]);
  });

  it('a change merged without a bump (lost) is seen once the memo is older than MEMBER_CACHE_MS', async () => {
    await syncBatch(deps, both(), clock.now());
    const before = addresses();
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(1))); // merged; no ingest, no bump
    await syncBatch(deps, both(), clock.now());
    expect(addresses()).toEqual(before);
    clock.ms += MEMBER_CACHE_MS;
    store.calls.length = 0;
    await syncBatch(deps, both(), clock.now());
    expect(reads()).toHaveLength(3);
    expect(addresses()).toHaveLength(before.length + 1);
  });

  it('the ingest bumps each changed member once per batch; a failed bump redelivers the records and enqueues nothing for them', async () => {
    const queue = new FakeQueue();
    const ingest = { topology: deps.topology, store, queue, deadLetters: new FakeDeadLetters(), clock };
    await ingestBatch(ingest, [
      { messageId: 'i1', body: busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(2))), receiveCount: 1 },
      { messageId: 'i2', body: busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(3))), receiveCount: 1 },
    ]);
    expect(store.memberCounters.get('kafka-gns')).toEqual(new Map([['clusterOne/ns-one', 1]]));
    queue.sent.length = 0;
    store.bumpMemberVersions = () => Promise.reject(new Error('throttled'));
    const result = await ingestBatch(ingest, [{ messageId: 'i3', body: busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(4))), receiveCount: 1 }]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'i3' }]);
    expect(queue.keys()).toEqual([]);
  });
});
