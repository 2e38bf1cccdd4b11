// The reconcile's routing sweep (functions/reconcile/routing-sweep.ts): ServiceEntries this
// installation owns that no configuration wants any more are deleted — routing switched from
// istio to none, a GNS removed, a target's member removed — while entries of another
// installation or of nobody stay; nothing is deleted while the store is incomplete; with
// routing: istio every gateway-entry writer is enqueued (drift repair), and the target of a
// client entry that was not enqueued as a target is enqueued (its sync removes it).
import { beforeEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncGatewayEntries } from '../../../functions/sync/routing-gateway.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import type { RoutingKey, ServiceEntry } from '../../../shared/core/routing/types.ts';
import type { TargetRef } from '../../../shared/core/types.ts';
import type { Topology } from '../../../shared/ports.ts';
import { FakeRoutingApis, seedGateways } from './fake-routing.ts';
import { FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, TOPOLOGY, seedScenario } from './fakes.ts';

const ISTIO: Topology = { ...TOPOLOGY, routing: 'istio' };

let store: FakeStore;
let routing: FakeRoutingApis;
let clusters: FakeClusters;
let vips: FakeVips;
let clock: FakeClock;
let sent: TargetRef[];
let routed: RoutingKey[];
const queue = { enqueue: async (ts: readonly TargetRef[]) => void sent.push(...ts), enqueueRouting: async (ks: readonly RoutingKey[]) => void routed.push(...ks) };

const all = (): ServiceEntry[] => [...routing.clusters.values()].flatMap((c) => [...c.entries.values()]);
const names = () => all().map((e) => `${e.cluster}/${e.namespace}/${e.labels['gns-sync.io/routing'] ?? e.name}/${e.labels['gns-sync.io/source-pod'] ?? ''}`).sort();
const run = (topology: Topology, incarnation?: { complete: boolean }) => reconcile({
  topology: indexTopology(topology), store, queue, vips, clusters, routing: { apis: routing }, agentLease: false,
  ...(incarnation ? { incarnation: { current: async () => ({ id: 'i', since: 0, complete: new Set(incarnation.complete ? ['clusterOne/ns-one', 'clusterOne/ns-two', 'clusterTwo/ns-one'] : []) }), markComplete: async () => {}, raiseFloors: async () => {} } } : {}),
}, clock.now());

beforeEach(async () => {
  store = new FakeStore();
  routing = new FakeRoutingApis();
  clusters = new FakeClusters();
  vips = new FakeVips();
  clock = new FakeClock();
  sent = [];
  routed = [];
  seedGateways(routing);
  await store.put(...seedScenario(2));
  const deps = { topology: indexTopology(ISTIO), store, vips, statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo(), routing: { apis: routing } };
  await syncTarget(deps, T_LOCAL, clock.now());
  await syncTarget(deps, T_REMOTE, clock.now());
  await syncGatewayEntries({ topology: deps.topology, store, routing: { apis: routing } }, { gns: 'kafka-gns', cluster: 'clusterOne' }, clock.now());
  // Not ours: nobody's, and another installation's.
  const [first] = all();
  await routing.cluster('clusterTwo').createServiceEntry({ ...first!, cluster: 'clusterTwo', namespace: 'ns-one', name: 'theirs', labels: { app: 'theirs' } });
  await routing.cluster('clusterTwo').createServiceEntry({ ...first!, cluster: 'clusterTwo', namespace: 'ns-one', name: 'blue', labels: { ...first!.labels, 'gns-sync.io/installation': 'blue' } });
});

describe('the reconcile\'s routing sweep', () => {
  it('routing: istio, nothing left over: deletes nothing, enqueues every gateway-entry writer', async () => {
    const before = names();
    const result = await run(ISTIO);
    expect(result.routingEntriesDeleted).toBe(0);
    expect(names()).toEqual(before);
    expect(routed.map((k) => `${k.gns}/${k.cluster}`).sort()).toEqual(['kafka-gns/clusterOne', 'kafka-gns/clusterTwo']);
  });

  it('routing switched to none: every entry of this installation goes; others\' stay', async () => {
    const result = await run({ ...ISTIO, routing: 'none' });
    expect(result.routingEntriesDeleted).toBe(4);
    expect(all().map((e) => e.name).sort()).toEqual(['blue', 'theirs']);
    expect(routed).toEqual([]);
  });

  it('the GNS removed from the config: its entries go', async () => {
    const result = await run({ ...ISTIO, globalNamespaces: [] });
    expect(result.routingEntriesDeleted).toBe(4);
    expect(all().map((e) => e.name).sort()).toEqual(['blue', 'theirs']);
  });

  it('the VIP target\'s member removed: its client entries go; the gateway entries wait for their writer', async () => {
    const result = await run({ ...ISTIO, globalNamespaces: [{ name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-two' }] }] });
    expect(result.routingEntriesDeleted).toBe(2);
    expect(all().filter((e) => e.name !== 'blue' && e.name !== 'theirs').map((e) => `${e.cluster}/${e.labels['gns-sync.io/routing']}/${e.labels['gns-sync.io/source-pod']}`).sort())
      .toEqual(['clusterOne/gateway/kafka-0', 'clusterOne/gateway/kafka-1']);
    expect(all().filter((e) => e.name === 'blue' || e.name === 'theirs')).toHaveLength(2);
    expect(routed.map((k) => `${k.gns}/${k.cluster}`)).toEqual(['kafka-gns/clusterOne']);
  });

  it('a client entry of a target that was not enqueued (its Service not in the store): the target is enqueued, its sync decides', async () => {
    store = new FakeStore();
    clusters = new FakeClusters(); // no slices: only the client entry tells of the target
    await run(ISTIO);
    expect(sent.map((t) => `${t.cluster}/${t.namespace}/${t.name}`)).toEqual(['clusterTwo/ns-one/kafka-headless']);
  });

  it('while the store is incomplete: nothing is deleted', async () => {
    const before = names();
    const result = await run({ ...ISTIO, routing: 'none' }, { complete: false });
    expect(result.routingEntriesDeleted).toBe(0);
    expect(names()).toEqual(before);
    await run({ ...ISTIO, routing: 'none' }, { complete: true });
    expect(all().map((e) => e.name).sort()).toEqual(['blue', 'theirs']);
  });
});

// docs/adr/0018-inventory.md: no cluster-wide list; the inventory says where entries were written.
describe('the routing sweep and the inventory', () => {
  const SE = 'serviceentries.networking.istio.io';
  const recorded = (cluster: string) => [...(routing.cluster(cluster).inventory.kinds.get(SE) ?? [])].sort();
  const ours = (): ServiceEntry => all().find((e) => e.labels['gns-sync.io/routing'] === 'client' && e.name !== 'blue')!;

  it('the writers recorded every namespace they wrote entries to', () => {
    for (const c of ['clusterOne', 'clusterTwo']) {
      expect(recorded(c)).toEqual([...new Set(all().filter((e) => e.cluster === c).map((e) => e.namespace))].sort());
    }
  });

  it('one namespaced list per inventoried or written namespace, never cluster-wide; an entry elsewhere is not seen', async () => {
    const two = routing.cluster('clusterTwo');
    await two.inventory.record(SE, 'old-ns');
    // Written behind the inventory's back (no record): out of the sweep's sight.
    two.entries.set('unseen/x', { ...ours(), cluster: 'clusterTwo', namespace: 'unseen', name: 'x' });
    for (const c of routing.clusters.values()) c.lists.length = 0;
    await run(ISTIO);
    expect(routing.cluster('clusterOne').lists.sort()).toEqual(['istio-system', 'ns-one', 'ns-two']);
    expect(two.lists.sort()).toEqual(['istio-system', 'ns-one', 'old-ns']);
    expect(two.entries.has('unseen/x')).toBe(true);
  });

  it('an entry in an inventoried namespace the config no longer writes to is deleted; the namespace is forgotten at the next run', async () => {
    const two = routing.cluster('clusterTwo');
    await two.createServiceEntry({ ...ours(), cluster: 'clusterTwo', namespace: 'old-ns', name: 'left' });
    expect(recorded('clusterTwo')).toContain('old-ns');
    await run(ISTIO, { complete: true });
    expect(two.entries.has('old-ns/left')).toBe(false);
    expect(recorded('clusterTwo')).toContain('old-ns');
    await run(ISTIO, { complete: true });
    expect(recorded('clusterTwo')).not.toContain('old-ns');
    expect(two.inventory.calls).toContain(`forget ${SE} old-ns`);
  });

  it('a namespace the config writes to holding entries written before the inventory existed is recorded', async () => {
    const one = routing.cluster('clusterOne');
    const before = recorded('clusterOne');
    expect(before.length).toBeGreaterThan(0);
    one.inventory.kinds.delete(SE);
    await run(ISTIO);
    expect(recorded('clusterOne')).toEqual(before);
  });

  it('routing switched to none: entries deleted, then every namespace forgotten', async () => {
    await run({ ...ISTIO, routing: 'none' });
    await run({ ...ISTIO, routing: 'none' });
    // Another installation's entries (and nobody's) in clusterTwo's ns-one are not this installation's: forgotten too.
    expect(recorded('clusterOne')).toEqual([]);
    expect(recorded('clusterTwo')).toEqual([]);
    expect(all().map((e) => e.name).sort()).toEqual(['blue', 'theirs']);
  });
});
