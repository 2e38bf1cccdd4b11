// Routing while the store is incomplete (docs/adr/0014-store-completeness.md): a store emptied,
// recreated or restored from an older backup is no proof that pods are gone or moved. Until
// every member of the GNS has resnapshotted, the client entries (target sync) and the gateway
// entries (the writer of a source cluster) may be added, but none is removed or updated — a
// restored store's stale pod IP does not replace the working one. Complete again: they follow.
import { beforeEach, describe, expect, it } from 'vitest';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncGatewayEntries } from '../../../functions/sync/routing-gateway.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import type { IncarnationView } from '../../../shared/core/completeness.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import type { IncarnationStore, Topology } from '../../../shared/ports.ts';
import { FakeRoutingApis, seedGateways } from './fake-routing.ts';
import { FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, TOPOLOGY, kafkaPod, podDelete, podUpsert, seedScenario } from './fakes.ts';

const ISTIO: Topology = { ...TOPOLOGY, routing: 'istio' };
const KEY = { gns: 'kafka-gns', cluster: 'clusterOne' };
const MEMBERS = ['clusterOne/ns-one', 'clusterOne/ns-two', 'clusterTwo/ns-one'];

/** An incarnation whose complete members the test sets. */
class Incarnations implements IncarnationStore {
  complete = new Set<string>(MEMBERS);
  async current(): Promise<IncarnationView> {
    return { id: 'inc-1', since: 0, complete: new Set(this.complete) };
  }
  async markComplete(): Promise<void> {}
  async raiseFloors(): Promise<void> {}
}

let store: FakeStore;
let routing: FakeRoutingApis;
let clock: FakeClock;
let incarnation: Incarnations;
let deps: SyncDeps;

const entries = (cluster: string, kind: 'client' | 'gateway'): ServiceEntry[] =>
  [...routing.cluster(cluster).entries.values()].filter((e) => e.labels['gns-sync.io/routing'] === kind).sort((a, b) => a.name.localeCompare(b.name));
const byPod = (es: ServiceEntry[]) => Object.fromEntries(es.map((e) => [e.labels['gns-sync.io/source-pod'], e.spec.endpoints[0]?.address ?? e.spec.addresses?.[0]]));
async function converge(): Promise<void> {
  await syncTarget(deps, T_LOCAL, clock.now());
  await syncTarget(deps, T_REMOTE, clock.now());
  await syncGatewayEntries({ topology: deps.topology, store, routing: { apis: routing }, incarnation }, KEY, clock.now());
}

beforeEach(async () => {
  store = new FakeStore();
  routing = new FakeRoutingApis();
  clock = new FakeClock();
  incarnation = new Incarnations();
  seedGateways(routing);
  deps = { topology: indexTopology(ISTIO), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: new FakeClusters(), clock, memo: newSyncMemo(), routing: { apis: routing }, incarnation, agentLease: false };
  await store.put(...seedScenario(2));
  await converge();
});

describe('routing while the store is incomplete', () => {
  it('a pod gone from the store and another moved: nothing is removed or repointed; a new pod is added', async () => {
    const clientBefore = byPod(entries('clusterTwo', 'client'));
    const gatewayBefore = byPod(entries('clusterOne', 'gateway'));
    expect(Object.keys(gatewayBefore).sort()).toEqual(['kafka-0', 'kafka-1']);
    incarnation.complete = new Set(['clusterOne/ns-two', 'clusterTwo/ns-one']); // clusterOne/ns-one has not resnapshotted
    await store.put(podDelete('clusterOne', 'ns-one', 'kafka-0'));
    await store.put(podDelete('clusterOne', 'ns-one', 'kafka-1'));
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(1, { uid: 'uid-kafka-1-old', ips: ['10.1.0.77'] }))); // an older IP, restored
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(2)));
    routing.clearWrites();
    await converge();
    expect(routing.writes().every((w) => w.includes(': create '))).toBe(true);
    expect(byPod(entries('clusterTwo', 'client'))).toMatchObject(clientBefore);
    expect(byPod(entries('clusterOne', 'gateway'))).toEqual({ ...gatewayBefore, 'kafka-2': '10.1.0.12' });
    expect(Object.keys(byPod(entries('clusterTwo', 'client'))).sort()).toEqual(['kafka-0', 'kafka-1', 'kafka-2']);

    // Complete again: the store is the truth, and routing follows it.
    incarnation.complete = new Set(MEMBERS);
    await converge();
    expect(byPod(entries('clusterOne', 'gateway'))).toEqual({ 'kafka-1': '10.1.0.77', 'kafka-2': '10.1.0.12' });
    expect(Object.keys(byPod(entries('clusterTwo', 'client'))).sort()).toEqual(['kafka-1', 'kafka-2']);
  });

  it('the target Service missing from an incomplete store keeps its client entries', async () => {
    const before = entries('clusterTwo', 'client').map((e) => `${e.name}@${e.resourceVersion}`);
    incarnation.complete = new Set();
    const emptied = new FakeStore();
    routing.clearWrites();
    deps = { ...deps, store: emptied, memo: newSyncMemo() };
    expect(await syncTarget(deps, T_REMOTE, clock.now())).toMatchObject({ action: 'kept' });
    await syncGatewayEntries({ topology: deps.topology, store: emptied, routing: { apis: routing }, incarnation }, KEY, clock.now());
    expect(routing.writes()).toEqual([]);
    expect(entries('clusterTwo', 'client').map((e) => `${e.name}@${e.resourceVersion}`)).toEqual(before);
    expect(entries('clusterOne', 'gateway')).toHaveLength(2);
  });
});
