// A pod event's sync plans against the slices this container last wrote instead of listing the
// target (functions/sync/slice-memory.ts, docs/adr/0016); the reconcile's messages and a cold or
// failed container list, and a memory that is wrong ends in a conflict that lists and re-plans.
import { beforeEach, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import { syncBatch } from '../../../functions/sync/batch.ts';
import type { SyncBatchDeps } from '../../../functions/sync/batch.ts';
import { encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { SLICE_MEMORY_MS } from '../../../functions/sync/slice-memory.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import {
  FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, FakeStatuses, FakeStore, FakeVips, T_LOCAL, busBody, kafkaPod, podUpsert, retryable,
  topology, seedScenario,
} from './fakes.ts';

let store: FakeStore;
let clusters: FakeClusters;
let clock: FakeClock;
let deps: SyncBatchDeps;
let n = 0;
const local = () => clusters.cluster('clusterOne');
const lists = () => local().reads.filter((r) => r.startsWith('list'));
const reconcileMessage = () => [{ messageId: `m-${++n}`, body: encodeSyncMessage(T_LOCAL, `reconcile-${n}`) }];

/** The ingest merges the event; its sync messages (with member versions), as the sync queue delivers them. */
async function podEvent(event: GnsEvent) {
  const queue = new FakeQueue();
  await ingestBatch({ topology: deps.topology, store, queue, deadLetters: new FakeDeadLetters(), clock }, [{ messageId: `i-${++n}`, body: busBody(event), receiveCount: 1 }]);
  return queue.sent.filter((s) => s.target.cluster === T_LOCAL.cluster).map((s, i) => ({ messageId: `q-${n}-${i}`, body: encodeSyncMessage(s.target, s.cause, undefined, s.versions) }));
}

beforeEach(async () => {
  store = new FakeStore();
  clusters = new FakeClusters();
  clock = new FakeClock();
  await store.put(...seedScenario(1));
  deps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters, clock, deadLetters: new FakeDeadLetters(), memo: newSyncMemo() };
  await syncBatch(deps, reconcileMessage(), clock.now());
  local().reads.length = 0;
});

describe('the slices a sync remembers', () => {
  it('a pod event\'s sync writes the change without listing the target; the reconcile\'s message lists', async () => {
    await syncBatch(deps, await podEvent(podUpsert('clusterOne', 'ns-one', kafkaPod(1))), clock.now());
    expect(lists()).toEqual([]);
    expect(local().endpointsOf('ns-two', 'kafka-headless')).toEqual(['kafka-0=10.1.0.10', 'kafka-1=10.1.0.11']);
    await syncBatch(deps, reconcileMessage(), clock.now());
    expect(lists()).toEqual(['list ns-two/kafka-headless']);
  });

  it('a slice changed behind its back (another container, a person) conflicts: the sync lists, re-plans and converges', async () => {
    const [slice] = [...local().slices.values()];
    local().slices.set(`${slice!.namespace}/${slice!.name}`, { ...slice!, endpoints: [], resourceVersion: '999' });
    const result = await syncBatch(deps, await podEvent(podUpsert('clusterOne', 'ns-one', kafkaPod(1))), clock.now());
    expect(result.outcomes.map((o) => [o.action, o.replans])).toEqual([['synced', 1]]);
    expect(lists()).toEqual(['list ns-two/kafka-headless']);
    expect(local().endpointsOf('ns-two', 'kafka-headless')).toEqual(['kafka-0=10.1.0.10', 'kafka-1=10.1.0.11']);
  });

  it('a slice deleted behind its back: the update is a 404 (a conflict), the sync lists and creates it again', async () => {
    local().slices.clear();
    await syncBatch(deps, await podEvent(podUpsert('clusterOne', 'ns-one', kafkaPod(1))), clock.now());
    expect(lists()).toEqual(['list ns-two/kafka-headless']);
    expect(local().endpointsOf('ns-two', 'kafka-headless')).toEqual(['kafka-0=10.1.0.10', 'kafka-1=10.1.0.11']);
  });

  it('a failed sync forgets the target: the next one lists', async () => {
    local().beforeWrite = () => { throw retryable('cluster'); };
    const failed = await syncBatch(deps, await podEvent(podUpsert('clusterOne', 'ns-one', kafkaPod(1))), clock.now());
    expect(failed.failed).toHaveLength(1);
    local().beforeWrite = undefined;
    local().reads.length = 0;
    await syncBatch(deps, await podEvent(podUpsert('clusterOne', 'ns-one', kafkaPod(2))), clock.now());
    expect(lists()).toEqual(['list ns-two/kafka-headless']);
    expect(local().endpointsOf('ns-two', 'kafka-headless')).toHaveLength(3);
  });

  it('the memory expires after SLICE_MEMORY_MS: the next pod event after that lists', async () => {
    clock.ms += SLICE_MEMORY_MS;
    await syncBatch(deps, await podEvent(podUpsert('clusterOne', 'ns-one', kafkaPod(1))), clock.now());
    expect(lists()).toEqual(['list ns-two/kafka-headless']);
  });

  it('while the store is incomplete (ADR 14) every sync lists: what it keeps is what the cluster shows', async () => {
    const incomplete = { current: async () => ({ id: 'inc', since: 0, complete: new Set<string>(), floors: new Map() }), markComplete: async () => undefined, raiseFloors: async () => undefined };
    deps = { ...deps, incarnation: incomplete, agentLease: false };
    await syncBatch(deps, await podEvent(podUpsert('clusterOne', 'ns-one', kafkaPod(1))), clock.now());
    expect(lists()).toEqual(['list ns-two/kafka-headless']);
  });
});
