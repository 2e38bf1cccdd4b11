// VIPs over dynalite through the real allocator and state store, the sync and reconcile use
// cases with fake clusters (round 3): a VIP no target needs is released even though its pod
// still exists (defect 1); a changed vipPool moves the VIPs and says so on each target (defect 2);
// the VIPs of a GNS removed from the config are released after the grace period, kept when it
// comes back in time (round 6).
import { describe, expect, it } from 'vitest';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { DynamoStateStore, DynamoTargetStatusStore, DynamoVipAllocator } from '../../../shared/adapters/dynamodb/index.ts';
import { ANNOTATION_TSM } from '../../../shared/core/types.ts';
import type { TargetRef } from '../../../shared/core/types.ts';
import type { Topology } from '../../../shared/ports.ts';
import { FakeClusters, FakeQueue, kafkaPod, podUpsert, serviceUpsert, targetService } from '../../unit/functions/fakes.ts';
import { useDynamo } from '../store/helpers.ts';
import { readTable, T0 } from '../store/vip-helpers.ts';

const dynamo = useDynamo();

const TOPO: Topology = {
  clusters: [{ name: 'clusterOne', network: 'clusterOne' }, { name: 'clusterTwo', network: 'clusterTwo' }, { name: 'clusterThree', network: 'clusterThree' }],
  globalNamespaces: [{ name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }, { cluster: 'clusterTwo', namespace: 'ns-one' }, { cluster: 'clusterThree', namespace: 'ns-one' }] }],
  vipPool: '240.240.0.0/29', // 6 usable addresses
  vipReleaseAfterMs: 1_000,
};
const TARGETS: TargetRef[] = ['clusterTwo', 'clusterThree'].map((cluster) => ({ gns: 'kafka-gns', cluster, namespace: 'ns-one', name: 'svc' }));
const selecting = (labels: Record<string, string>) => targetService('svc', { annotations: { [ANNOTATION_TSM]: JSON.stringify(labels) }, ports: [{ name: 'p', port: 80, protocol: 'TCP', targetPort: 80 }] });

async function setup(topology: Topology = TOPO) {
  const tableName = await dynamo.freshTable();
  const { client } = dynamo.engine();
  const store = new DynamoStateStore({ client, tableName });
  const vips = new DynamoVipAllocator({ client, tableName, pool: topology.vipPool, releaseAfterMs: topology.vipReleaseAfterMs });
  const clusters = new FakeClusters(['clusterOne', 'clusterTwo', 'clusterThree']);
  const index = indexTopology(topology);
  const syncDeps: SyncDeps = { topology: index, store, vips, statuses: new DynamoTargetStatusStore({ client, tableName }), clusters, memo: newSyncMemo() };
  const reconcileDeps = { topology: index, store, queue: new FakeQueue(), vips, clusters };
  return { tableName, client, store, vips, clusters, syncDeps, reconcileDeps, view: () => readTable(client, tableName) };
}

describe('a VIP is released when no target needs it, though its pod still runs', () => {
  it('pool /29, release after 1 s: two targets switch from app=web (5 VIPs) to app=db; two reconciles free the pool for db', async () => {
    const { store, clusters, syncDeps, reconcileDeps, view } = await setup();
    for (let i = 0; i < 5; i++) await store.merge(podUpsert('clusterOne', 'ns-one', kafkaPod(i, { name: `web-${i}`, hostname: `web-${i}`, uid: `uid-web-${i}`, labels: { app: 'web' }, ips: [`10.1.0.${i + 10}`] })));
    for (let i = 0; i < 3; i++) await store.merge(podUpsert('clusterOne', 'ns-one', kafkaPod(i, { name: `db-${i}`, hostname: `db-${i}`, uid: `uid-db-${i}`, labels: { app: 'db' }, ips: [`10.1.1.${i + 10}`] })));
    for (const t of TARGETS) await store.merge(serviceUpsert(t.cluster, t.namespace, selecting({ app: 'web' })));
    for (const t of TARGETS) expect(await syncTarget(syncDeps, t, T0)).toMatchObject({ endpoints: 5, vips: 5, missingVips: 0 });
    expect((await view()).bindings.size).toBe(5);

    // Both annotations now select app=db: 3 VIPs needed, 1 address free.
    for (const t of TARGETS) await store.merge(serviceUpsert(t.cluster, t.namespace, selecting({ app: 'db' })));
    for (const t of TARGETS) expect(await syncTarget(syncDeps, t, T0 + 10)).toMatchObject({ missingVips: 2 });
    expect(clusters.cluster('clusterTwo').events.map((e) => e.reason)).toEqual(['VipPoolExhausted']);

    // Reconcile 1 marks the web identities gone; reconcile 2, after the grace period, releases them.
    expect(await reconcile(reconcileDeps, T0 + 20)).toMatchObject({ markedGone: 5, released: 0 });
    expect(await reconcile(reconcileDeps, T0 + 1_020)).toMatchObject({ released: 5 });
    // The released addresses are quarantined for the grace period (1 s), then reused.
    for (const t of TARGETS) expect(await syncTarget(syncDeps, t, T0 + 2_100)).toMatchObject({ endpoints: 3, vips: 3, missingVips: 0 });
    const v = await view();
    expect([...v.bindings.keys()].sort()).toEqual(['db-0', 'db-1', 'db-2'].map((p) => `kafka-gns/clusterOne/ns-one/${p}`));
    expect(clusters.cluster('clusterTwo').endpointsOf('ns-one', 'svc')).toEqual([...v.bindings].map(([k, vip]) => `${k.split('/').pop() ?? ''}=${vip}`).sort());
  });

  it('a needed identity is never marked, and a flap (marked, then needed again) keeps its VIP', async () => {
    const { store, vips, syncDeps, reconcileDeps } = await setup();
    await store.merge(podUpsert('clusterOne', 'ns-one', kafkaPod(0, { name: 'web-0', hostname: 'web-0', uid: 'uid-web-0', labels: { app: 'web' } })));
    for (const t of TARGETS) await store.merge(serviceUpsert(t.cluster, t.namespace, selecting({ app: 'web' })));
    await syncTarget(syncDeps, TARGETS[0] as TargetRef, T0);
    const before = await vips.listGns('kafka-gns');
    expect(await reconcile(reconcileDeps, T0 + 1)).toMatchObject({ markedGone: 0 });
    // The selector flaps away and back within the grace period.
    for (const t of TARGETS) await store.merge(serviceUpsert(t.cluster, t.namespace, selecting({ app: 'db' })));
    expect(await reconcile(reconcileDeps, T0 + 2)).toMatchObject({ markedGone: 1 });
    for (const t of TARGETS) await store.merge(serviceUpsert(t.cluster, t.namespace, selecting({ app: 'web' })));
    await syncTarget(syncDeps, TARGETS[0] as TargetRef, T0 + 500); // ensure clears the mark
    expect(await reconcile(reconcileDeps, T0 + 5_000)).toMatchObject({ markedGone: 0, released: 0 });
    expect(await vips.listGns('kafka-gns')).toEqual(before);
  });
});

describe('a changed vipPool moves the VIPs of every target, with a Normal event on each', () => {
  it('both targets publish VIPs of the new pool after their next sync, each gets one VipsMoved event; then nothing more', async () => {
    const { tableName, client, store, clusters, syncDeps, view } = await setup({ ...TOPO, vipPool: '240.240.0.0/16' });
    for (let i = 0; i < 3; i++) await store.merge(podUpsert('clusterOne', 'ns-one', kafkaPod(i, { name: `web-${i}`, hostname: `web-${i}`, uid: `uid-web-${i}`, labels: { app: 'web' } })));
    for (const t of TARGETS) await store.merge(serviceUpsert(t.cluster, t.namespace, selecting({ app: 'web' })));
    for (const t of TARGETS) await syncTarget(syncDeps, t, T0);
    const oldVips = new Set((await view()).bindings.values());

    // Redeployed with another pool: a new allocator and fresh containers; same table and clusters.
    const moved: Topology = { ...TOPO, vipPool: '10.100.0.0/24' };
    const vips = new DynamoVipAllocator({ client, tableName, pool: moved.vipPool, releaseAfterMs: moved.vipReleaseAfterMs });
    const deps: SyncDeps = { ...syncDeps, topology: indexTopology(moved), vips, memo: newSyncMemo() };
    for (const t of TARGETS) expect(await syncTarget(deps, t, T0 + 10)).toMatchObject({ endpoints: 3, vips: 3, warnings: [] });
    const newVips = new Set((await view()).bindings.values());
    for (const vip of newVips) expect(vip).toMatch(/^10\.100\.0\./);
    for (const t of TARGETS) {
      const cluster = clusters.cluster(t.cluster);
      const published = cluster.endpointsOf('ns-one', 'svc').map((e) => e.split('=')[1] ?? '');
      expect(new Set(published)).toEqual(newVips);
      expect(cluster.events.map((e) => [e.type, e.reason])).toEqual([['Normal', 'VipsMoved']]);
      expect(cluster.events[0]?.message).toMatch(/^3 VIP\(s\) moved into the configured VIP pool 10\.100\.0\.0\/24 \(vipPool changed\): clusterOne\/ns-one\/web-0 240\.240\.\S+ → 10\.100\.0\./);
    }
    // The old addresses are quarantined, not held.
    const v = await view();
    for (const vip of oldVips) expect(v.vips.get(vip)?.owner).toBeUndefined();
    // Later syncs (also from a cold container): no event, no write.
    for (const t of TARGETS) expect(await syncTarget({ ...deps, memo: newSyncMemo() }, t, T0 + 20)).toMatchObject({ writes: 0 });
    for (const t of TARGETS) expect(clusters.cluster(t.cluster).events).toHaveLength(1);
  });
});

describe('a GNS removed from the config gives its VIPs back after the grace period (round 6)', () => {
  // kafka-gns as above (pods in clusterOne/ns-one, target in clusterTwo), and pg-gns with pods
  // in clusterOne/ns-two and a target in clusterTwo/ns-two; then pg-gns leaves the config.
  const BOTH: Topology = {
    ...TOPO,
    vipPool: '240.240.0.0/24',
    globalNamespaces: [
      ...TOPO.globalNamespaces,
      { name: 'pg-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-two' }, { cluster: 'clusterTwo', namespace: 'ns-two' }] },
    ],
  };
  const WITHOUT_PG: Topology = { ...BOTH, globalNamespaces: TOPO.globalNamespaces };
  const KAFKA: TargetRef = { gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', name: 'svc' };
  const PG: TargetRef = { gns: 'pg-gns', cluster: 'clusterTwo', namespace: 'ns-two', name: 'svc' };

  async function twoGns() {
    const s = await setup(BOTH);
    for (let i = 0; i < 2; i++) await s.store.merge(podUpsert('clusterOne', 'ns-one', kafkaPod(i, { name: `web-${i}`, hostname: `web-${i}`, uid: `uid-web-${i}`, labels: { app: 'web' } })));
    for (let i = 0; i < 3; i++) await s.store.merge(podUpsert('clusterOne', 'ns-two', kafkaPod(i, { name: `pg-${i}`, hostname: `pg-${i}`, uid: `uid-pg-${i}`, labels: { app: 'pg' } })));
    await s.store.merge(serviceUpsert(KAFKA.cluster, KAFKA.namespace, selecting({ app: 'web' })));
    await s.store.merge(serviceUpsert(PG.cluster, PG.namespace, selecting({ app: 'pg' })));
    expect(await syncTarget(s.syncDeps, KAFKA, T0)).toMatchObject({ vips: 2, missingVips: 0 });
    expect(await syncTarget(s.syncDeps, PG, T0)).toMatchObject({ vips: 3, missingVips: 0 });
    const kafkaVips = await s.vips.listGns('kafka-gns');
    const pgVips = await s.vips.listGns('pg-gns');
    expect([kafkaVips.size, pgVips.size]).toEqual([2, 3]);
    const deps = (topology: Topology) => ({ ...s.reconcileDeps, topology: indexTopology(topology) });
    return { ...s, kafkaVips, pgVips, deps };
  }

  it('removed: the first reconcile marks its 3 identities, the one after the grace releases them; kafka-gns is untouched', async () => {
    const { vips, kafkaVips, pgVips, deps, view } = await twoGns();
    expect(await reconcile(deps(BOTH), T0 + 5)).toMatchObject({ markedGone: 0, released: 0 });
    expect(await reconcile(deps(WITHOUT_PG), T0 + 10)).toMatchObject({ markedGone: 3, released: 0 });
    expect(await reconcile(deps(WITHOUT_PG), T0 + 500)).toMatchObject({ markedGone: 0, released: 0 }); // within the grace
    expect(await reconcile(deps(WITHOUT_PG), T0 + 1_010)).toMatchObject({ markedGone: 0, released: 3 });
    expect(await vips.listGns('pg-gns')).toEqual(new Map());
    expect(await vips.listGns('kafka-gns')).toEqual(kafkaVips);
    const v = await view();
    for (const vip of pgVips.values()) expect(v.vips.get(vip)).toMatchObject({ freeAt: T0 + 2_010 });
    for (const [key, vip] of kafkaVips) expect(v.vips.get(vip)?.owner).toBe(`kafka-gns/${key}`);
    expect(await reconcile(deps(WITHOUT_PG), T0 + 5_000)).toMatchObject({ markedGone: 0, released: 0 });
  });

  it('removed and re-added within the grace: its next sync clears the marks and every VIP is kept', async () => {
    const { vips, kafkaVips, pgVips, deps, syncDeps } = await twoGns();
    expect(await reconcile(deps(WITHOUT_PG), T0 + 10)).toMatchObject({ markedGone: 3 });
    // Back in the config: the reconcile re-enqueues its target, whose sync ensures the identities.
    expect(await syncTarget({ ...syncDeps, memo: newSyncMemo() }, PG, T0 + 500)).toMatchObject({ vips: 3, missingVips: 0 });
    expect(await reconcile(deps(BOTH), T0 + 5_000)).toMatchObject({ markedGone: 0, released: 0 });
    expect(await reconcile(deps(BOTH), T0 + 10_000)).toMatchObject({ markedGone: 0, released: 0 });
    expect(await vips.listGns('pg-gns')).toEqual(pgVips);
    expect(await vips.listGns('kafka-gns')).toEqual(kafkaVips);
  });
});
