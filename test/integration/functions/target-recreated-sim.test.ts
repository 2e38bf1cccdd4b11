// A target Service deleted and recreated (a new uid) in a simulated cluster whose garbage
// collector deletes dependents whose owner is absent or has another uid, as Kubernetes' does
// (https://kubernetes.io/docs/concepts/architecture/garbage-collection/, "owner references"):
// once the store holds the new Service, one sync gives its slices the new uid; the collector then
// leaves them alone and a second sync writes nothing. A sync that ran while the store still held
// the old uid writes slices the collector deletes within seconds — and nothing syncs again by
// itself (no GC/sync loop): the agent's upsert of the new Service is what brings them back.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimClusters } from '../../../local/sim/index.ts';
import { findResource } from '../../../local/sim/api/resources.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { kubeConfigClusterApis } from '../../../shared/adapters/kubernetes/cluster-apis.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { FakeClock, FakeStatuses, FakeStore, FakeVips, T_LOCAL, kafkaPod, podUpsert, serviceDelete, serviceUpsert, targetService, topology } from '../../unit/functions/fakes.ts';
import { createSimTarget } from './sim-targets.ts';

let fleet: SimFleet;
let store: FakeStore;
let deps: SyncDeps;
const clock = new FakeClock();
const ours = () => fleet.cluster('clusterOne').list('endpointslices', 'ns-two', 'endpointslice.kubernetes.io/managed-by=gns-sync.io');
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], dns: false, events: false });
  const kc = new KubeConfig();
  kc.loadFromString(fleet.kubeconfigYaml());
  store = new FakeStore();
  await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(0)), podUpsert('clusterOne', 'ns-one', kafkaPod(1)));
  deps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: kubeConfigClusterApis(kc, new Map()), clock, memo: newSyncMemo() };
});
afterAll(async () => {
  await fleet?.stop();
});

describe('a target Service deleted and recreated', () => {
  it('after one sync its slices carry the new uid; the collector keeps them and nothing loops', async () => {
    const sim = fleet.cluster('clusterOne');
    const oldUid = createSimTarget(fleet, 'clusterOne', 'ns-two');
    await store.put(serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { uid: oldUid })));
    await syncTarget(deps, T_LOCAL, clock.now());
    expect(ours().map((s) => s.metadata.ownerReferences?.[0]?.uid)).toEqual([oldUid]);

    // Deleted: the collector removes the slices with their owner.
    sim.registry.delete(findResource('', 'v1', 'services')!, 'ns-two', 'kafka-headless');
    await expect.poll(() => ours().length, { timeout: 5000 }).toBe(0);

    // Recreated, but the store still has the old Service: the sync writes slices owned by the old uid...
    const newUid = createSimTarget(fleet, 'clusterOne', 'ns-two');
    expect(newUid).not.toBe(oldUid);
    clock.ms += 1000;
    await syncTarget(deps, T_LOCAL, clock.now());
    expect(ours().map((s) => s.metadata.ownerReferences?.[0]?.uid)).toEqual([oldUid]);
    // ...which the collector deletes within seconds (their owner does not exist with that uid).
    await expect.poll(() => ours().length, { timeout: 5000 }).toBe(0);
    const writesWhileIdle = sim.counters.writes;
    await settle(300);
    expect(sim.counters.writes).toBe(writesWhileIdle); // nothing syncs by itself: no loop

    // The agent reports the delete and the new Service: one sync, slices with the new uid.
    await store.put(serviceDelete('clusterOne', 'ns-two', 'kafka-headless'), serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { uid: newUid })));
    clock.ms += 1000;
    const outcome = await syncTarget(deps, T_LOCAL, clock.now());
    expect(outcome.action).toBe('synced');
    expect(ours().map((s) => s.metadata.ownerReferences?.[0]?.uid)).toEqual([newUid]);
    await settle(500); // longer than the collector takes to verify a new reference
    expect(ours().map((s) => s.metadata.ownerReferences?.[0]?.uid)).toEqual([newUid]);
    clock.ms += 1000;
    expect((await syncTarget(deps, T_LOCAL, clock.now())).writes).toBe(0);
  });
});
