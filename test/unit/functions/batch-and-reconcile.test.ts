import { beforeEach, describe, expect, it } from 'vitest';
import { syncBatch } from '../../../functions/sync/batch.ts';
import type { SyncBatchDeps } from '../../../functions/sync/batch.ts';
import { encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import type { ReconcileDeps } from '../../../functions/reconcile/reconcile.ts';
import { RetryableError } from '../../../shared/errors.ts';
import type { Slice } from '../../../shared/core/types.ts';
import {
  FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, topology, seedScenario,
} from './fakes.ts';

let store: FakeStore;
let vips: FakeVips;
let clusters: FakeClusters;
let clock: FakeClock;

beforeEach(async () => {
  store = new FakeStore();
  vips = new FakeVips();
  clusters = new FakeClusters();
  clock = new FakeClock();
  await store.put(...seedScenario(2));
});

describe('syncBatch', () => {
  let deps: SyncBatchDeps;
  let dlq: FakeDeadLetters;
  beforeEach(() => {
    dlq = new FakeDeadLetters();
    deps = { topology: topology(), store, vips, statuses: new FakeStatuses(), clusters, clock, deadLetters: dlq, memo: newSyncMemo() };
  });

  it('coalesces: several messages of one target → one sync; member reads shared between targets', async () => {
    const records = [
      { messageId: 'a1', body: encodeSyncMessage(T_LOCAL, 'e1') },
      { messageId: 'a2', body: encodeSyncMessage(T_LOCAL, 'e2') },
      { messageId: 'b1', body: encodeSyncMessage(T_REMOTE, 'e2') },
    ];
    const seen: string[] = [];
    const result = await syncBatch({ ...deps, onSynced: (o) => seen.push(o.target.cluster) }, records, clock.now());
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes).toHaveLength(2);
    expect(seen.sort()).toEqual(['clusterOne', 'clusterTwo']);
    // 3 members read once (pods and Services together) for both targets.
    expect(store.calls.filter((c) => c.startsWith('namespaceOf'))).toHaveLength(3);
    expect(store.calls.filter((c) => c.startsWith('podsOf') || c.startsWith('service'))).toEqual([]);
  });

  it('a failing target reports all of its records; the other target converges', async () => {
    clusters.cluster('clusterTwo').beforeCall = () => {
      throw new RetryableError('clusterTwo: 503 after 3 attempt(s)');
    };
    const records = [
      { messageId: 'a1', body: encodeSyncMessage(T_LOCAL, 'e1') },
      { messageId: 'b1', body: encodeSyncMessage(T_REMOTE, 'e1') },
      { messageId: 'b2', body: encodeSyncMessage(T_REMOTE, 'e2') },
    ];
    const result = await syncBatch(deps, records, clock.now());
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['b1', 'b2']);
    expect(clusters.cluster('clusterOne').endpointsOf('ns-two', 'kafka-headless')).toHaveLength(2);
    expect(result.failed).toEqual([expect.objectContaining({ retried: true })]);
  });

  it('a malformed message is dead-lettered with the reason and acknowledged', async () => {
    const result = await syncBatch(deps, [
      { messageId: 'x', body: '{"v":1,"target":{"gns":"kafka-gns","cluster":"Bad Name!","namespace":"ns-one","name":"s"},"cause":"c"}' },
      { messageId: 'y', body: 'nope' },
    ], clock.now());
    expect(result.batchItemFailures).toEqual([]);
    expect(result.invalid).toBe(2);
    expect(dlq.letters.map((l) => l.reason)).toEqual([expect.stringMatching(/^target\.cluster:/), expect.stringMatching(/not valid JSON/)]);
  });
});

describe('reconcile', () => {
  let queue: FakeQueue;
  let deps: ReconcileDeps;
  beforeEach(() => {
    queue = new FakeQueue();
    deps = { topology: topology(), store, queue, vips, clusters };
  });

  const ourSlice = (namespace: string, name: string, gns = 'kafka-gns'): Slice => ({
    name, namespace,
    labels: { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': gns },
    ownerReferences: [], addressType: 'IPv4', endpoints: [], ports: [],
  });

  it('enqueues every target of every GNS, marks vanished pods gone and releases expired VIPs', async () => {
    await vips.ensure([{ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod: 'kafka-0' }, { gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod: 'kafka-9' }], 0);
    const result = await reconcile(deps, clock.now());
    expect(queue.keys()).toEqual(['clusterOne/ns-two/kafka-headless', 'clusterTwo/ns-one/kafka-headless']);
    expect(queue.sent[0]?.cause).toBe(`reconcile:${clock.now()}`);
    expect([...vips.gone.keys()]).toEqual(['kafka-gns/clusterOne/ns-one/kafka-9']);
    expect(result).toMatchObject({ enqueued: 2, markedGone: 1, released: 0, errors: [] });
    const later = await reconcile(deps, clock.now() + 3_600_001);
    expect(later.released).toBe(1);
    expect(vips.byIdentity.has('kafka-gns/clusterOne/ns-one/kafka-9')).toBe(false);
  });

  it('removes our slices from namespaces that are no longer members; keeps members and foreign slices', async () => {
    const one = clusters.cluster('clusterOne');
    one.seed(ourSlice('ns-removed', 'kafka-headless-gns-1'));
    one.seed(ourSlice('ns-two', 'kafka-headless-gns-2'));
    one.seed({ ...ourSlice('ns-removed', 'foreign'), labels: { 'kubernetes.io/service-name': 'x', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } });
    const result = await reconcile(deps, clock.now());
    expect(result.orphanSlicesDeleted).toBe(1);
    expect([...one.slices.keys()].sort()).toEqual(['ns-removed/foreign', 'ns-two/kafka-headless-gns-2']);
  });

  it('enqueues a Service that is no target any more but still has our slices (its cleanup sync was lost); its sync deletes them', async () => {
    const one = clusters.cluster('clusterOne');
    one.seed({ ...ourSlice('ns-two', 'was-a-target-abc'), labels: { ...ourSlice('ns-two', 'x').labels, 'kubernetes.io/service-name': 'was-a-target' } });
    one.seed(ourSlice('ns-two', 'kafka-headless-abc')); // a live target's slice: enqueued once, as a target
    const result = await reconcile(deps, clock.now());
    expect(queue.keys()).toEqual(['clusterOne/ns-two/kafka-headless', 'clusterOne/ns-two/was-a-target', 'clusterTwo/ns-one/kafka-headless']);
    expect(result.enqueued).toBe(3);
    const sync = await syncBatch(
      { topology: topology(), store, vips, clusters, statuses: new FakeStatuses(), deadLetters: new FakeDeadLetters(), clock, memo: newSyncMemo() },
      [{ messageId: 'm', body: encodeSyncMessage({ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-two', name: 'was-a-target' }, 'reconcile') }],
      clock.now(),
    );
    expect(sync.batchItemFailures).toEqual([]);
    expect([...one.slices.keys()]).toEqual(['ns-two/kafka-headless-abc']);
  });

  it('one broken cluster is collected, not thrown over the others; then the reconcile fails for a retry', async () => {
    clusters.cluster('clusterTwo').beforeCall = () => {
      throw new RetryableError('clusterTwo: timed out');
    };
    clusters.cluster('clusterOne').seed(ourSlice('ns-removed', 'orphan'));
    await expect(reconcile(deps, clock.now())).rejects.toThrow(/cluster clusterTwo.*timed out/);
    expect(queue.sent).toHaveLength(2);
    expect(clusters.cluster('clusterOne').slices.size).toBe(0);
  });
});
