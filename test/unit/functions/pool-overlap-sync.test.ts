// A VIP pool that overlaps pod IPs gns-sync observes (issue 14): every target of
// the GNS gets one VipPoolOverlap Warning (once per change, like every sync warning) and keeps
// the line in its status.
import { beforeEach, describe, expect, it } from 'vitest';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import type { TargetRef } from '../../../shared/core/types.ts';
import {
  FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, kafkaPod, podUpsert, topology, seedScenario,
} from './fakes.ts';

let store: FakeStore;
let clusters: FakeClusters;
let statuses: FakeStatuses;
let deps: SyncDeps;
const clock = new FakeClock();
const sync = (target: TargetRef) => syncTarget(deps, { ...target }, clock.now());
const reasons = (cluster: string) => clusters.cluster(cluster).events.map((e) => e.reason);

beforeEach(async () => {
  store = new FakeStore();
  clusters = new FakeClusters();
  statuses = new FakeStatuses();
  deps = { topology: topology(), store, vips: new FakeVips(), statuses, clusters, clock, memo: newSyncMemo() };
  await store.put(...seedScenario(1));
});

describe('sync: VIP pool overlapping observed addresses', () => {
  it('no Warning while every observed address lies outside the pool', async () => {
    await sync(T_LOCAL);
    await sync(T_REMOTE);
    expect([...reasons('clusterOne'), ...reasons('clusterTwo')]).toEqual([]);
  });

  it('a pod IP inside the pool (240.240.0.0/16): one Warning on every target, not repeated, kept in the status', async () => {
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(1, { ips: ['240.240.9.9'] })));
    const outcome = await sync(T_REMOTE);
    await sync(T_LOCAL);
    await sync(T_REMOTE);
    expect(reasons('clusterTwo')).toEqual(['VipPoolOverlap']);
    expect(reasons('clusterOne')).toEqual(['VipPoolOverlap']);
    const line = outcome.warnings.find((w) => w.startsWith('VipPoolOverlap'));
    expect(line).toMatch(/VIP pool 240\.240\.0\.0\/16 overlaps addresses of cluster\(s\) clusterOne: pod clusterOne\/ns-one\/kafka-1 240\.240\.9\.9\./);
    expect((await statuses.get(T_REMOTE))?.warnings).toContain(line);
  });
});
