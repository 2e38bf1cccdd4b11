// The reconcile releases a VIP when no valid target of its GNS needs it any more — not only
// when its pod vanished (round 3, defect 1): a changed selector, a deleted or invalid target,
// a removed member, a cluster joining the target's network; nor when its GNS is removed from
// the config (round 6).
import { beforeEach, describe, expect, it } from 'vitest';
import { identitiesInUse, reconcile } from '../../../functions/reconcile/reconcile.ts';
import type { ReconcileDeps } from '../../../functions/reconcile/reconcile.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { ANNOTATION_TSM } from '../../../shared/core/types.ts';
import type { Topology } from '../../../shared/ports.ts';
import { deepFreeze } from '../core/factories.ts';
import {
  FakeClock, FakeClusters, FakeQueue, FakeStore, FakeVips, KAFKA_LABELS, T_REMOTE, TOPOLOGY, kafkaPod, podUpsert, serviceDelete, serviceUpsert,
  targetService, topology, seedScenario,
} from './fakes.ts';

let store: FakeStore;
let vips: FakeVips;
let clock: FakeClock;
let deps: ReconcileDeps;

const key = (pod: string, cluster = 'clusterOne', namespace = 'ns-one') => `kafka-gns/${cluster}/${namespace}/${pod}`;
const KAFKA = ['kafka-0', 'kafka-1', 'kafka-2'].map((p) => key(p));

beforeEach(async () => {
  store = new FakeStore();
  vips = new FakeVips();
  clock = new FakeClock();
  deps = { topology: topology(), store, queue: new FakeQueue(), vips, clusters: new FakeClusters() };
  await store.put(...seedScenario(3));
  // The remote target's VIPs, as its sync allocated them.
  await vips.ensure([0, 1, 2].map((i) => ({ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod: `kafka-${i}` })), 0);
});

const goneAfterReconcile = async () => {
  const result = await reconcile(deps, clock.now());
  return { result, gone: [...vips.gone.keys()].sort() };
};

describe('reconcile: an allocated VIP is gone when no valid target needs it', () => {
  it('needed identities are not marked; the VIPs stay', async () => {
    const { result, gone } = await goneAfterReconcile();
    expect(gone).toEqual([]);
    expect(result.markedGone).toBe(0);
  });

  it('the target changed its selector: its pods are still visible, their VIPs are marked gone and released after the grace period', async () => {
    await store.put(serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-headless', { annotations: { [ANNOTATION_TSM]: '{"app":"db"}' } })));
    const { result, gone } = await goneAfterReconcile();
    expect(gone).toEqual(KAFKA);
    expect(result.markedGone).toBe(3);
    const later = await reconcile(deps, clock.now() + TOPOLOGY.vipReleaseAfterMs + 1);
    expect(later.released).toBe(3);
    expect(vips.byIdentity.size).toBe(0);
  });

  it('the target Service was deleted', async () => {
    await store.put(serviceDelete('clusterTwo', 'ns-one', 'kafka-headless'));
    expect((await goneAfterReconcile()).gone).toEqual(KAFKA);
  });

  it('the target became invalid (it has a selector)', async () => {
    await store.put(serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-headless', { selector: { app: 'x' } })));
    expect((await goneAfterReconcile()).gone).toEqual(KAFKA);
  });

  it("the target's member was removed from the GNS", async () => {
    const removed: Topology = { ...TOPOLOGY, globalNamespaces: [{ name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-two' }] }] };
    deps = { ...deps, topology: indexTopology(removed) };
    expect((await goneAfterReconcile()).gone).toEqual(KAFKA);
  });

  it("the pods' cluster joined the target's network (pod IPs are published instead)", async () => {
    const joined: Topology = { ...TOPOLOGY, clusters: [{ name: 'clusterOne', network: 'shared' }, { name: 'clusterTwo', network: 'shared' }] };
    deps = { ...deps, topology: indexTopology(joined) };
    expect((await goneAfterReconcile()).gone).toEqual(KAFKA);
  });

  it('a pod whose labels stopped matching is gone; the others are kept', async () => {
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(1, { labels: { app: 'other' } })));
    expect((await goneAfterReconcile()).gone).toEqual([key('kafka-1')]);
  });

  it('one target still needing an identity keeps it, whatever the other targets say', async () => {
    // A second remote target with the same selector, and the first one switched away.
    const third: Topology = {
      ...TOPOLOGY,
      clusters: [...TOPOLOGY.clusters, { name: 'clusterThree', network: 'clusterThree' }],
      globalNamespaces: [{ name: 'kafka-gns', members: [...(TOPOLOGY.globalNamespaces[0]?.members ?? []), { cluster: 'clusterThree', namespace: 'ns-one' }] }],
    };
    deps = { ...deps, topology: indexTopology(third), clusters: new FakeClusters(['clusterOne', 'clusterTwo', 'clusterThree']) };
    await store.put(
      serviceUpsert('clusterThree', 'ns-one', targetService()),
      serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-headless', { annotations: { [ANNOTATION_TSM]: '{"app":"db"}' } })),
    );
    expect((await goneAfterReconcile()).gone).toEqual([]);
  });

  it('a failed read of the targets marks nothing (and the reconcile fails for a retry)', async () => {
    await store.put(serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-headless', { annotations: { [ANNOTATION_TSM]: '{"app":"db"}' } })));
    const servicesOf = store.servicesOf.bind(store);
    store.servicesOf = async (cluster, namespace) => {
      if (cluster === 'clusterTwo') throw new Error('throttled');
      return servicesOf(cluster, namespace);
    };
    await expect(reconcile(deps, clock.now())).rejects.toThrow(/2 part\(s\) failed \(GNS kafka-gns: enqueueing its targets failed: Error: throttled/);
    expect(vips.gone.size).toBe(0);
  });

  it('a GNS removed from the config: the release marks its identities (counted in markedGone), then releases them after the grace', async () => {
    await vips.ensure([{ gns: 'old-gns', cluster: 'clusterOne', namespace: 'ns-nine', pod: 'pg-0' }], 0);
    const { result, gone } = await goneAfterReconcile();
    expect(gone).toEqual(['old-gns/clusterOne/ns-nine/pg-0']);
    expect(result.markedGone).toBe(1);
    const later = await reconcile(deps, clock.now() + TOPOLOGY.vipReleaseAfterMs + 1);
    expect(later).toMatchObject({ markedGone: 0, released: 1 });
    expect([...vips.byIdentity.keys()].sort()).toEqual(KAFKA);
  });

  it('a configured GNS whose reads fail is still configured: only the removed GNS is marked', async () => {
    await vips.ensure([{ gns: 'old-gns', cluster: 'clusterOne', namespace: 'ns-nine', pod: 'pg-0' }], 0);
    store.servicesOf = async () => {
      throw new Error('throttled');
    };
    await expect(reconcile(deps, clock.now())).rejects.toThrow(/throttled/);
    expect([...vips.gone.keys()]).toEqual(['old-gns/clusterOne/ns-nine/pg-0']);
  });

  it('reads each member once for both the enqueue and the gone pass', async () => {
    store.calls.length = 0;
    await reconcile(deps, clock.now());
    expect(store.calls.filter((c) => c.startsWith('servicesOf')).sort()).toEqual(['servicesOf clusterOne/ns-one', 'servicesOf clusterOne/ns-two', 'servicesOf clusterTwo/ns-one']);
    expect(store.calls.filter((c) => c.startsWith('podsOf'))).toHaveLength(3);
  });
});

describe('identitiesInUse (pure)', () => {
  it('is the union over valid targets of the identities each needs; inputs are not mutated', () => {
    const pods = [0, 1].map((i) => ({ cluster: 'clusterOne', namespace: 'ns-one', pod: kafkaPod(i) }));
    const targets = [
      { target: T_REMOTE, service: targetService() },
      { target: { ...T_REMOTE, name: 'web' }, service: targetService('web', { annotations: { [ANNOTATION_TSM]: JSON.stringify({ ...KAFKA_LABELS, 'statefulset.kubernetes.io/pod-name': 'kafka-1' }) } }) },
      { target: { ...T_REMOTE, name: 'bad' }, service: targetService('bad', { clusterIP: '10.0.0.1' }) },
    ];
    const networks = topology().networks;
    const inUse = identitiesInUse(deepFreeze(targets), deepFreeze(pods), networks, 4);
    expect([...inUse].sort()).toEqual([key('kafka-0'), key('kafka-1')]);
    expect([...identitiesInUse(targets.slice(1), pods, networks, 4)]).toEqual([key('kafka-1')]);
    expect(identitiesInUse(targets.slice(2), pods, networks, 4).size).toBe(0);
  });

  it('ranks a hostname conflict by the config member order as the sync does: the loser needs no VIP, the winner does', () => {
    // T_REMOTE is clusterTwo/ns-one; kafka-0 in clusterOne/ns-one and in clusterOne/ns-two (both remote to it).
    const pods = [
      { cluster: 'clusterOne', namespace: 'ns-two', pod: kafkaPod(0, { uid: 'uid-b' }) },
      { cluster: 'clusterOne', namespace: 'ns-one', pod: kafkaPod(0) },
    ];
    const targets = [{ target: T_REMOTE, service: targetService() }];
    const networks = topology().networks;
    const members = topology().membersOf('kafka-gns');
    expect([...identitiesInUse(targets, pods, networks, 4, members)]).toEqual([key('kafka-0')]);
    const reversed = [...members].reverse();
    expect([...identitiesInUse(targets, pods, networks, 4, reversed)]).toEqual(['kafka-gns/clusterOne/ns-two/kafka-0']);
  });
});
