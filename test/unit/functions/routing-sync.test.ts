// routing: istio through the sync (docs/adr/0013-routing-through-istio.md): client entries
// written by the target's sync, gateway entries by the (GNS, source cluster) writer, against
// in-memory clusters. Counts every write: idle rewrites nothing; a pod restart changes only
// the gateway entry carrying its IP, never a VIP; scale down, Service delete and member
// removal remove routing objects with the slices; drift is repaired, leftovers removed.
import { beforeEach, describe, expect, it } from 'vitest';
import { syncBatch } from '../../../functions/sync/batch.ts';
import { encodeRoutingMessage, encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncGatewayEntries } from '../../../functions/sync/routing-gateway.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import type { Topology } from '../../../shared/ports.ts';
import { deepFreeze } from '../core/factories.ts';
import { FakeRoutingApis, eastWestGateway } from './fake-routing.ts';
import {
  FakeClock, FakeClusters, FakeQueue, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, TOPOLOGY, kafkaPod, podDelete, podUpsert,
  serviceDelete, seedScenario,
} from './fakes.ts';

const ISTIO: Topology = { ...TOPOLOGY, routing: 'istio' };
const KEY = { gns: 'kafka-gns', cluster: 'clusterOne' };

let store: FakeStore;
let clusters: FakeClusters;
let routing: FakeRoutingApis;
let clock: FakeClock;
let deps: SyncDeps;

const one = () => routing.cluster('clusterOne');
const two = () => routing.cluster('clusterTwo');
const entries = (c: { entries: Map<string, ServiceEntry> }, kind: 'client' | 'gateway') => [...c.entries.values()].filter((e) => e.labels['gns-sync.io/routing'] === kind);
const versions = () => [...routing.clusters.values()].flatMap((c) => [...c.entries.values()].map((e) => `${c.name}/${e.namespace}/${e.name}@${e.resourceVersion}`)).sort();

function withTopology(topology: Topology): void {
  deps = { ...deps, topology: indexTopology(topology), memo: newSyncMemo() };
}

beforeEach(async () => {
  store = new FakeStore();
  clusters = new FakeClusters();
  routing = new FakeRoutingApis();
  clock = new FakeClock();
  one().services = [eastWestGateway('clusterOne', '172.18.255.1')];
  two().services = [eastWestGateway('clusterTwo', '172.18.255.2')];
  deps = { topology: indexTopology(ISTIO), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo(), routing: { apis: routing } };
  await store.put(...seedScenario(3));
});

const sync = (target: typeof T_LOCAL) => syncTarget(deps, deepFreeze({ ...target }), clock.now());
const gateway = () => syncGatewayEntries({ topology: deps.topology, store, routing: { apis: routing } }, KEY, clock.now());
async function converge() {
  const outcomes = [await sync(T_LOCAL), await sync(T_REMOTE)];
  await gateway();
  return outcomes;
}

describe('routing: istio, the seed scenario', () => {
  it('the VIP target gets one client entry per VIP; the same-network target none; the source gateway one gateway entry per pod, same hosts', async () => {
    const [local, remote] = await converge();
    // Each target names the writers of the member clusters on other networks (whose pods it may publish as VIPs).
    expect(local?.routingKeys).toEqual([{ gns: 'kafka-gns', cluster: 'clusterTwo' }]);
    expect(remote?.routingKeys).toEqual([KEY]);
    const client = entries(two(), 'client');
    expect(client.map((e) => [e.namespace, e.spec.addresses?.[0], e.spec.endpoints]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual(
      ['240.240.0.1', '240.240.0.2', '240.240.0.3'].map((vip) => ['ns-one', vip, [{ network: 'clusterOne', labels: { 'security.istio.io/tlsMode': 'istio' } }]]),
    );
    expect(entries(one(), 'client')).toEqual([]);
    const gw = entries(one(), 'gateway');
    expect(gw.map((e) => [e.namespace, e.spec.endpoints[0]?.address]).sort()).toEqual([['istio-system', '10.1.0.10'], ['istio-system', '10.1.0.11'], ['istio-system', '10.1.0.12']]);
    expect(gw.map((e) => e.spec.hosts[0]).sort()).toEqual(client.map((e) => e.spec.hosts[0]).sort());
    expect(entries(two(), 'gateway')).toEqual([]);
    expect(remote?.warnings).toEqual([]);
  });

  it('idle: nothing is rewritten (zero writes, resourceVersions unchanged)', async () => {
    await converge();
    const before = versions();
    routing.clearWrites();
    const again = await converge();
    expect(routing.writes()).toEqual([]);
    expect(again.map((o) => o.writes)).toEqual([0, 0]);
    expect(versions()).toEqual(before);
  });

  it('a pod restart changes only the gateway entry carrying its IP — one write — and never a VIP', async () => {
    await converge();
    const vipsBefore = entries(two(), 'client').map((e) => e.spec.addresses?.[0]).sort();
    routing.clearWrites();
    await store.put(podDelete('clusterOne', 'ns-one', 'kafka-1'));
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(1, { uid: 'uid-kafka-1-new', ips: ['10.1.0.99'] })));
    await converge();
    expect(routing.writes()).toEqual([`clusterOne: update istio-system/${entries(one(), 'gateway').find((e) => e.labels['gns-sync.io/source-pod'] === 'kafka-1')?.name}`]);
    expect(entries(two(), 'client').map((e) => e.spec.addresses?.[0]).sort()).toEqual(vipsBefore);
    expect(entries(one(), 'gateway').find((e) => e.labels['gns-sync.io/source-pod'] === 'kafka-1')?.spec.endpoints[0]?.address).toBe('10.1.0.99');
  });

  it('scale down removes the pod\'s client and gateway entries with its endpoint', async () => {
    await converge();
    await store.put(podDelete('clusterOne', 'ns-one', 'kafka-2'));
    await converge();
    expect(entries(two(), 'client').map((e) => e.labels['gns-sync.io/source-pod']).sort()).toEqual(['kafka-0', 'kafka-1']);
    expect(entries(one(), 'gateway').map((e) => e.labels['gns-sync.io/source-pod']).sort()).toEqual(['kafka-0', 'kafka-1']);
  });

  it('deleting the target Service removes its client entries, and the gateway entries no target needs', async () => {
    await converge();
    await store.put(serviceDelete('clusterTwo', 'ns-one', 'kafka-headless'));
    const outcome = await sync(T_REMOTE);
    expect(outcome).toMatchObject({ action: 'deleted', routingKeys: [KEY] });
    expect(entries(two(), 'client')).toEqual([]);
    await gateway();
    expect(entries(one(), 'gateway')).toEqual([]);
  });

  it('removing the member removes its client entries and the gateway entries', async () => {
    await converge();
    withTopology({ ...ISTIO, globalNamespaces: [{ name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-two' }] }] });
    expect(await sync(T_REMOTE)).toMatchObject({ action: 'not-a-member' });
    expect(entries(two(), 'client')).toEqual([]);
    await syncGatewayEntries({ topology: deps.topology, store, routing: { apis: routing } }, KEY, clock.now());
    expect(entries(one(), 'gateway')).toEqual([]);
  });

  it('repairs drift and removes leftovers; leaves objects it does not own alone', async () => {
    await converge();
    const [first] = entries(one(), 'gateway');
    one().tamper('istio-system', first!.name, (e) => ({ ...e, spec: { ...e.spec, exportTo: ['*'] } }));
    const leftover = { ...first!, name: 'gnsg-0000000000000000', resourceVersion: undefined };
    await one().createServiceEntry(leftover);
    const foreign = { ...first!, name: 'theirs', labels: { app: 'theirs', 'gns-sync.io/routing': 'gateway', 'gns-sync.io/gns': 'kafka-gns', 'gns-sync.io/source-cluster': 'clusterOne' } };
    await one().createServiceEntry(foreign);
    routing.clearWrites();
    await gateway();
    expect(routing.writes().sort()).toEqual([`clusterOne: delete istio-system/gnsg-0000000000000000`, `clusterOne: update istio-system/${first!.name}`]);
    expect(one().entries.get(`istio-system/${first!.name}`)?.spec.exportTo).toEqual(['.']);
    expect(one().entries.has('istio-system/theirs')).toBe(true);
  });
});

describe('routing: istio, the gateway writer and the inventory (docs/adr/0018)', () => {
  it('lists only the namespaces the inventory records and those it writes to, never cluster-wide; an entry left where a gateway was goes', async () => {
    await converge();
    const [first] = entries(one(), 'gateway');
    // A gateway entry written in the gateway's old namespace (recorded there by the write).
    await one().createServiceEntry({ ...first!, namespace: 'old-gateway', name: 'gnsg-1111111111111111', resourceVersion: undefined, uid: undefined });
    for (const c of [one(), two()]) c.lists.length = 0;
    await gateway();
    expect([...one().lists, ...two().lists]).not.toContain('*');
    expect(new Set(one().lists)).toEqual(new Set(['istio-system', 'old-gateway']));
    expect(one().entries.has('old-gateway/gnsg-1111111111111111')).toBe(false);
    expect(entries(one(), 'gateway').length).toBeGreaterThan(0);
  });
});

describe('routing: istio, when routing cannot work', () => {
  it('no gateway for the source network: a Warning on the target, once; restored: the warning goes', async () => {
    one().services = [];
    const first = await sync(T_REMOTE);
    expect(first.warnings).toEqual([expect.stringMatching(/^RoutingNoGateway: no east-west gateway for network clusterOne: no Service labelled topology.istio.io\/network=clusterOne/)]);
    expect(clusters.cluster('clusterTwo').events.map((e) => e.reason)).toEqual(['RoutingNoGateway']);
    await gateway();
    expect(entries(one(), 'gateway')).toEqual([]); // nowhere to route: no gateway entries
    one().services = [eastWestGateway('clusterOne')];
    clock.ms += 60_000;
    expect((await sync(T_REMOTE)).warnings).toEqual([]);
    await gateway();
    expect(entries(one(), 'gateway')).toHaveLength(3);
  });

  it('the Istio API missing in the config cluster: a Warning, and the slices are still written', async () => {
    two().served = false;
    const outcome = await sync(T_REMOTE);
    expect(outcome.warnings).toEqual([expect.stringMatching(/^RoutingCrdMissing: cluster clusterTwo .*does not serve networking.istio.io\/v1 ServiceEntries/)]);
    expect(outcome.endpoints).toBe(3);
  });

  it("Istio's network name differs from the config's: a Warning", async () => {
    two().systemNetwork = 'west';
    const outcome = await sync(T_REMOTE);
    expect(outcome.warnings).toEqual([expect.stringMatching(/^RoutingNetworkMismatch: cluster clusterTwo is on network "clusterTwo" in the gns-sync config, but Istio calls its network "west"/)]);
  });

  it('primary-remote: the client entries go into the Istio config cluster, without owner reference', async () => {
    withTopology({ ...ISTIO, clusters: [{ name: 'clusterOne', network: 'clusterOne' }, { name: 'clusterTwo', network: 'clusterTwo', istioConfigCluster: 'clusterOne' }] });
    await sync(T_REMOTE);
    expect(entries(two(), 'client')).toEqual([]);
    const client = entries(one(), 'client');
    expect(client).toHaveLength(3);
    expect(client.every((e) => e.namespace === 'ns-one' && e.ownerReferences.length === 0)).toBe(true);
  });

  it('routing: none writes no routing object and names no writer', async () => {
    withTopology(TOPOLOGY);
    const outcome = await sync(T_REMOTE);
    expect(outcome.routingKeys).toEqual([]);
    expect(routing.writes()).toEqual([]);
  });
});

describe('routing: istio through a sync batch', () => {
  it('target syncs enqueue their writer once per batch; a routing message runs it', async () => {
    const queue = new FakeQueue();
    const routed: { key: unknown; cause: string }[] = [];
    Object.assign(queue, { enqueueRouting: async (keys: readonly unknown[], cause: string) => void routed.push(...keys.map((key) => ({ key, cause }))) });
    const batch = { ...deps, queue };
    const records = [T_LOCAL, T_REMOTE, T_REMOTE].map((t, i) => ({ messageId: `m${i}`, body: encodeSyncMessage(t, `c${i}`) }));
    const result = await syncBatch(batch, records, clock.now());
    expect(result.batchItemFailures).toEqual([]);
    expect(routed.map((r) => r.key)).toEqual([KEY, { gns: 'kafka-gns', cluster: 'clusterTwo' }]);
    expect(entries(one(), 'gateway')).toEqual([]);
    const second = await syncBatch(batch, [{ messageId: 'r1', body: encodeRoutingMessage(KEY, routed[0]!.cause) }, { messageId: 'r2', body: encodeRoutingMessage(KEY, 'again') }], clock.now());
    expect(second.batchItemFailures).toEqual([]);
    expect(entries(one(), 'gateway')).toHaveLength(3);
    expect(one().writes).toHaveLength(3); // two messages of one writer: one run
  });

  it('a failing source config cluster fails only the routing message, not the targets', async () => {
    const queue = new FakeQueue();
    Object.assign(queue, { enqueueRouting: async () => undefined });
    one().createServiceEntry = async () => { throw new (await import('../../../shared/errors.ts')).RetryableError('clusterOne: down'); };
    const records = [{ messageId: 't', body: encodeSyncMessage(T_REMOTE, 'c') }, { messageId: 'r', body: encodeRoutingMessage(KEY, 'c') }];
    const result = await syncBatch({ ...deps, queue }, records, clock.now());
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'r' }]);
    expect(result.outcomes.map((o) => o.endpoints)).toEqual([3]);
  });
});
