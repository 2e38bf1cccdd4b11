// Routing objects and the installation identity (docs/adr/0015-installation-identity.md): every
// ServiceEntry carries `gns-sync.io/installation`; another installation's entries have other
// names and are never updated or deleted; entries written before the label existed belong to
// the default installation (adopted: one update adds the label); updates and deletes are
// conditional on the listed uid and resourceVersion.
import { beforeEach, describe, expect, it } from 'vitest';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncGatewayEntries } from '../../../functions/sync/routing-gateway.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import type { Topology } from '../../../shared/ports.ts';
import { FakeRoutingApis, seedGateways } from './fake-routing.ts';
import { FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, TOPOLOGY, seedScenario } from './fakes.ts';

const ISTIO: Topology = { ...TOPOLOGY, routing: 'istio' };
const KEY = { gns: 'kafka-gns', cluster: 'clusterOne' };
const INSTALLATION = 'gns-sync.io/installation';

let store: FakeStore;
let routing: FakeRoutingApis;
let clock: FakeClock;

const depsOf = (installation?: string): SyncDeps => ({
  topology: indexTopology(installation ? { ...ISTIO, installation } : ISTIO),
  store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: new FakeClusters(), clock, memo: newSyncMemo(), routing: { apis: routing },
});
async function converge(deps: SyncDeps): Promise<void> {
  await syncTarget(deps, T_LOCAL, clock.now());
  await syncTarget(deps, T_REMOTE, clock.now());
  await syncGatewayEntries({ topology: deps.topology, store, routing: { apis: routing } }, KEY, clock.now());
}
const all = (): ServiceEntry[] => [...routing.clusters.values()].flatMap((c) => [...c.entries.values()]);
const of = (installation: string) => all().filter((e) => e.labels[INSTALLATION] === installation);

beforeEach(async () => {
  store = new FakeStore();
  routing = new FakeRoutingApis();
  clock = new FakeClock();
  seedGateways(routing);
  await store.put(...seedScenario(2));
});

describe('routing objects carry the installation', () => {
  it('the default installation labels every entry it writes', async () => {
    await converge(depsOf());
    expect(all().length).toBe(4); // 2 client + 2 gateway entries
    expect(all().every((e) => e.labels[INSTALLATION] === 'default')).toBe(true);
  });

  it('two installations routing the same pods: entries under other names, neither touches the other\'s', async () => {
    await converge(depsOf());
    const defaults = of('default').map((e) => `${e.cluster}/${e.namespace}/${e.name}@${e.resourceVersion}`).sort();
    await converge(depsOf('blue'));
    expect(of('blue').length).toBe(4);
    const names = (xs: ServiceEntry[]) => new Set(xs.map((e) => e.name));
    expect([...names(of('blue'))].filter((n) => names(of('default')).has(n))).toEqual([]);
    routing.clearWrites();
    await converge(depsOf()); // the default installation again: nothing to do
    expect(routing.writes()).toEqual([]);
    expect(of('default').map((e) => `${e.cluster}/${e.namespace}/${e.name}@${e.resourceVersion}`).sort()).toEqual(defaults);
    // Routing switched off for blue's target: blue removes its own entries only.
    const blue = depsOf('blue');
    await syncTarget({ ...blue, topology: indexTopology({ ...ISTIO, installation: 'blue', globalNamespaces: [{ name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-two' }] }] }) }, T_REMOTE, clock.now());
    expect(of('blue').filter((e) => e.labels['gns-sync.io/routing'] === 'client')).toEqual([]);
    expect(of('default').map((e) => `${e.cluster}/${e.namespace}/${e.name}@${e.resourceVersion}`).sort()).toEqual(defaults);
  });

  it('entries from before the label belong to the default installation: adopted by it (one update each), left alone by another', async () => {
    await converge(depsOf());
    for (const c of routing.clusters.values()) {
      for (const e of [...c.entries.values()]) {
        const { [INSTALLATION]: _dropped, ...labels } = e.labels;
        c.tamper(e.namespace, e.name, (x) => ({ ...x, labels }));
      }
    }
    routing.clearWrites();
    await converge(depsOf('blue'));
    expect(routing.writes().filter((w) => !w.includes(': create '))).toEqual([]);
    routing.clearWrites();
    await converge(depsOf());
    expect(routing.writes().map((w) => w.split(' ')[1])).toEqual(['update', 'update', 'update', 'update']);
    expect(of('default').length).toBe(4);
  });
});

describe('routing writes are conditional', () => {
  it('a delete names the listed uid and resourceVersion: an entry recreated meanwhile is re-read, then removed as ours', async () => {
    const deps = depsOf();
    await converge(deps);
    const two = routing.cluster('clusterTwo');
    const seen: (string | undefined)[] = [];
    const real = two.deleteServiceEntry.bind(two);
    let raced = false;
    two.deleteServiceEntry = async (e) => {
      seen.push(e.uid);
      if (!raced) {
        raced = true; // someone deletes and recreates it between our list and our delete
        const found = two.entries.get(`${e.namespace}/${e.name}`)!;
        two.entries.delete(`${e.namespace}/${e.name}`);
        await two.createServiceEntry({ ...found, resourceVersion: undefined, uid: undefined });
      }
      return real(e);
    };
    const removed = { ...ISTIO, globalNamespaces: [{ name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-two' }] }] };
    await syncTarget({ ...deps, topology: indexTopology(removed) }, T_REMOTE, clock.now());
    expect(seen.every((u) => u !== undefined)).toBe(true);
    expect(new Set(seen).size).toBe(seen.length); // the first attempt failed on the old uid; the re-plan used the new one
    expect([...two.entries.values()].filter((e) => e.labels['gns-sync.io/routing'] === 'client')).toEqual([]);
  });
});
