// Issue 10, case 7: a namespace moved from one GNS to another must not keep its old-GNS slice
// published forever. Its target's slices are the target's whatever GNS label they carry; only a
// sync of a target whose namespace is no longer a member of the target's GNS keeps to its label.
import { beforeEach, expect, it } from 'vitest';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { targetKey } from '../../../shared/core/identity.ts';
import type { Topology } from '../../../shared/ports.ts';
import {
  FakeClock, FakeClusters, FakeQueue, FakeStatuses, FakeStore, FakeVips, T_REMOTE, TOPOLOGY, kafkaPod, podUpsert, serviceDelete, serviceUpsert, targetService,
} from './fakes.ts';

/** clusterTwo/ns-one leaves kafka-gns for its own GNS (kafka-gns keeps the other members). */
const MOVED: Topology = {
  ...TOPOLOGY,
  globalNamespaces: [
    { name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-two' }] },
    { name: 'other-gns', members: [{ cluster: 'clusterTwo', namespace: 'ns-one' }] },
  ],
};

let store: FakeStore;
let clusters: FakeClusters;
let queue: FakeQueue;
let clock: FakeClock;
let base: Omit<SyncDeps, 'topology'>;

beforeEach(async () => {
  store = new FakeStore();
  clusters = new FakeClusters();
  queue = new FakeQueue();
  clock = new FakeClock();
  base = { store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo() };
  await store.put(
    podUpsert('clusterOne', 'ns-one', kafkaPod(0)),
    podUpsert('clusterTwo', 'ns-one', kafkaPod(5, { ips: ['10.2.0.5'] })),
    serviceUpsert('clusterTwo', 'ns-one', targetService()),
  );
  await syncTarget({ ...base, topology: indexTopology(TOPOLOGY) }, T_REMOTE, clock.now());
  expect(clusters.cluster('clusterTwo').endpointsOf('ns-one', 'kafka-headless')).toEqual(['kafka-0=240.240.0.1', 'kafka-5=10.2.0.5']);
});

async function reconcileAndDrain(topology: Topology): Promise<void> {
  const index = indexTopology(topology);
  await reconcile({ topology: index, store, queue, vips: base.vips, clusters }, clock.now());
  while (queue.sent.length > 0) {
    const targets = new Map(queue.sent.splice(0).map((s) => [targetKey(s.target), s.target]));
    for (const t of targets.values()) await syncTarget({ ...base, topology: index }, t, clock.now());
  }
}

it('moved, then its target Service deleted: the slice labelled with the old GNS is removed', async () => {
  await store.put(serviceDelete('clusterTwo', 'ns-one', 'kafka-headless'));
  await reconcileAndDrain(MOVED);
  expect([...clusters.cluster('clusterTwo').slices.values()]).toEqual([]);
});

it('moved while its target stays valid: its sync takes over the old-GNS slice and publishes the new GNS\'s sources', async () => {
  await reconcileAndDrain(MOVED);
  const slices = [...clusters.cluster('clusterTwo').slices.values()];
  expect(slices.map((s) => s.labels['gns-sync.io/gns'])).toEqual(['other-gns']);
  expect(clusters.cluster('clusterTwo').endpointsOf('ns-one', 'kafka-headless')).toEqual(['kafka-5=10.2.0.5']);
});

it("a stale sync of the old GNS's target leaves the new GNS's slices alone", async () => {
  const index = indexTopology(MOVED);
  await syncTarget({ ...base, topology: index }, { ...T_REMOTE, gns: 'other-gns' }, clock.now());
  const before = [...clusters.cluster('clusterTwo').slices.values()].filter((s) => s.labels['gns-sync.io/gns'] === 'other-gns');
  expect(before).toHaveLength(1);
  const outcome = await syncTarget({ ...base, topology: index }, T_REMOTE, clock.now());
  expect(outcome.action).toBe('not-a-member');
  expect([...clusters.cluster('clusterTwo').slices.values()].filter((s) => s.labels['gns-sync.io/gns'] === 'other-gns')).toEqual(before);
});
