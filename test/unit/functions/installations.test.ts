// Two installations of gns-sync sharing clusters (issue 10 case 6): each changes and deletes
// only its own slices (labelled gns-sync.io/installation; unlabelled ones are the default
// installation's), and its writes carry uid and resourceVersion preconditions.
import { beforeEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { LABEL_INSTALLATION } from '../../../shared/core/installation.ts';
import type { Slice, TargetRef } from '../../../shared/core/types.ts';
import type { Topology } from '../../../shared/ports.ts';
import {
  FakeClock, FakeClusters, FakeQueue, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, TOPOLOGY, kafkaPod, podUpsert, serviceDelete, serviceUpsert, targetService,
} from './fakes.ts';

/** A second installation: its own GNS over clusterOne/ns-three and clusterTwo/ns-one. */
const TEAM_B: Topology = {
  ...TOPOLOGY,
  installation: 'team-b',
  globalNamespaces: [{ name: 'b-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-three' }, { cluster: 'clusterTwo', namespace: 'ns-one' }] }],
};
const B_REMOTE: TargetRef = { gns: 'b-gns', cluster: 'clusterTwo', namespace: 'ns-one', name: 'kafka-headless' };

let clusters: FakeClusters;
let clock: FakeClock;
let a: SyncDeps;
let b: SyncDeps;

beforeEach(async () => {
  clusters = new FakeClusters();
  clock = new FakeClock();
  const storeA = new FakeStore();
  const storeB = new FakeStore();
  await storeA.put(
    podUpsert('clusterOne', 'ns-one', kafkaPod(0)),
    podUpsert('clusterOne', 'ns-one', kafkaPod(1)),
    serviceUpsert('clusterOne', 'ns-two', targetService()),
    serviceUpsert('clusterTwo', 'ns-one', targetService()),
  );
  await storeB.put(
    podUpsert('clusterOne', 'ns-three', kafkaPod(7, { ips: ['10.1.0.77'] })),
    serviceUpsert('clusterTwo', 'ns-one', targetService()),
  );
  a = { topology: indexTopology(TOPOLOGY), store: storeA, vips: new FakeVips(), statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo() };
  b = { topology: indexTopology(TEAM_B), store: storeB, vips: new FakeVips('240.240.9.1'), statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo() };
});

const one = () => clusters.cluster('clusterOne');
const two = () => clusters.cluster('clusterTwo');
const installations = (slices: Iterable<Slice>) => [...slices].map((s) => `${s.namespace}/${s.labels[LABEL_INSTALLATION] ?? '-'}`).sort();

describe('two installations, one cluster', () => {
  it('each labels its slices with its installation; a slot name differs, so neither takes the other\'s', async () => {
    await syncTarget(a, T_REMOTE, clock.now());
    await syncTarget(b, B_REMOTE, clock.now());
    expect(installations(two().slices.values())).toEqual(['ns-one/default', 'ns-one/team-b']);
    const names = [...two().slices.values()].map((s) => s.name);
    expect(new Set(names).size).toBe(2);
    // Another installation's slices are not "foreign" slices to remove (that command would delete them).
    await syncTarget(a, T_REMOTE, clock.now());
    expect(two().events.map((e) => e.reason)).not.toContain('ForeignEndpointSlices');
  });

  it("one installation's sync of a shared Service neither updates nor deletes the other's slices; the other's re-sync writes nothing", async () => {
    await syncTarget(a, T_REMOTE, clock.now());
    await syncTarget(b, B_REMOTE, clock.now());
    two().writes.length = 0;
    // B's pods change, then B's target is deleted: B writes only its own slice.
    await (b.store as FakeStore).put(serviceDelete('clusterTwo', 'ns-one', 'kafka-headless'));
    await syncTarget(b, B_REMOTE, clock.now());
    expect(two().writes.filter((w) => w.startsWith('delete'))).toHaveLength(1);
    expect(installations(two().slices.values())).toEqual(['ns-one/default']);
    two().writes.length = 0;
    expect((await syncTarget(a, T_REMOTE, clock.now())).writes).toBe(0);
  });

  it("the reconcile of one installation deletes none of the other's slices in namespaces it has no GNS for", async () => {
    await syncTarget(a, T_LOCAL, clock.now());
    await syncTarget(a, T_REMOTE, clock.now());
    const before = [...one().slices.keys(), ...two().slices.keys()].sort();
    const result = await reconcile({ topology: b.topology, store: b.store, queue: new FakeQueue(), vips: b.vips, clusters }, clock.now());
    expect(result.orphanSlicesDeleted).toBe(0);
    expect([...one().slices.keys(), ...two().slices.keys()].sort()).toEqual(before);
  });

  it('an unlabelled slice of an earlier version belongs to the default installation: adopted and labelled by it, ignored by another', async () => {
    await syncTarget(a, T_REMOTE, clock.now());
    const [ours] = [...two().slices.values()];
    const { [LABEL_INSTALLATION]: _, ...legacyLabels } = (ours as Slice).labels;
    two().slices.clear();
    const legacy = two().seed({ ...(ours as Slice), labels: legacyLabels });
    two().writes.length = 0;
    await syncTarget(b, B_REMOTE, clock.now());
    expect(two().slices.get(`ns-one/${legacy.name}`)?.labels).toEqual(legacyLabels); // B left it alone
    two().writes.length = 0;
    await syncTarget(a, T_REMOTE, clock.now());
    expect(two().writes).toEqual([`update ns-one/${legacy.name}`]); // A labels it, in place
    expect(two().slices.get(`ns-one/${legacy.name}`)?.labels[LABEL_INSTALLATION]).toBe('default');
  });

  it('updates and deletes carry the listed uid: a slice recreated under its name meanwhile is not touched (409, re-plan)', async () => {
    await syncTarget(a, T_REMOTE, clock.now());
    const [slice] = [...two().slices.values()];
    let recreated = false;
    two().beforeWrite = (verb, s) => {
      if (recreated || verb !== 'delete') return;
      recreated = true;
      // Between list and delete, someone deletes the slice and recreates it under the same name.
      two().slices.set(`ns-one/${slice?.name}`, { ...(slice as Slice), uid: 'someone-elses', resourceVersion: '999' });
      void s;
    };
    await (a.store as FakeStore).put(serviceDelete('clusterTwo', 'ns-one', 'kafka-headless'));
    await expect(syncTarget(a, T_REMOTE, clock.now())).rejects.toThrow(/precondition/);
    expect(two().slices.get(`ns-one/${slice?.name}`)?.uid).toBe('someone-elses');
  });
});
