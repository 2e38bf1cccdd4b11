// A restart that does not fold keeps the pod's client entries (docs/adr/0019): through the sync,
// against in-memory clusters, every write counted. The pod away with a returning tombstone, or
// back without an IP: the client entry stays as it is (zero writes to it); after the grace, or
// when the deletion does not return (scale down), it is removed with the slices' endpoint.
import { beforeEach, describe, expect, it } from 'vitest';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncGatewayEntries } from '../../../functions/sync/routing-gateway.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { RESTART_GRACE_MS } from '../../../shared/core/routing/keep.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import type { Topology } from '../../../shared/ports.ts';
import { deepFreeze } from '../core/factories.ts';
import { FakeRoutingApis, eastWestGateway } from './fake-routing.ts';
import { FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, T_REMOTE, TOPOLOGY, kafkaPod, podDelete, podUpsert, serviceUpsert, targetService } from './fakes.ts';

const ISTIO: Topology = { ...TOPOLOGY, routing: 'istio' };
let store: FakeStore;
let routing: FakeRoutingApis;
let clock: FakeClock;
let deps: SyncDeps;

const clients = () => [...routing.cluster('clusterTwo').entries.values()].filter((e: ServiceEntry) => e.labels['gns-sync.io/routing'] === 'client');
const clientOf = (pod: string) => clients().find((e) => e.labels['gns-sync.io/source-pod'] === pod);
const returning = (event: GnsEvent): GnsEvent => ({ ...event, detail: { ...event.detail, returning: true } } as GnsEvent);
const sync = async () => {
  const outcome = await syncTarget(deps, deepFreeze({ ...T_REMOTE }), clock.now());
  await syncGatewayEntries({ topology: deps.topology, store, routing: { apis: routing } }, { gns: 'kafka-gns', cluster: 'clusterOne' }, clock.now());
  return outcome;
};
const clientWrites = () => routing.writes().filter((w) => w.startsWith('clusterTwo:'));

beforeEach(async () => {
  store = new FakeStore();
  routing = new FakeRoutingApis();
  clock = new FakeClock();
  routing.cluster('clusterOne').services = [eastWestGateway('clusterOne', '172.18.255.1')];
  routing.cluster('clusterTwo').services = [eastWestGateway('clusterTwo', '172.18.255.2')];
  deps = { topology: indexTopology(ISTIO), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: new FakeClusters(), clock, memo: newSyncMemo(), routing: { apis: routing } };
  await store.put(
    podUpsert('clusterOne', 'ns-one', kafkaPod(0)),
    podUpsert('clusterOne', 'ns-one', kafkaPod(1)),
    serviceUpsert('clusterTwo', 'ns-one', targetService()),
  );
  await sync();
  routing.clearWrites();
});

describe('a restart in steps keeps the client entry', () => {
  it('away (returning), then back Pending without an IP, then with an IP: no client-entry write, same VIP; the endpoint left and came back', async () => {
    const before = clientOf('kafka-1')!;
    await store.put(returning(podDelete('clusterOne', 'ns-one', 'kafka-1')));
    expect((await sync()).endpoints).toBe(1);
    expect(clientOf('kafka-1')).toEqual(before);
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(1, { uid: 'new', ips: [], ready: false })));
    expect((await sync()).endpoints).toBe(1);
    expect(clientOf('kafka-1')).toEqual(before);
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(1, { uid: 'new', ips: ['10.1.0.99'] })));
    expect((await sync()).endpoints).toBe(2);
    expect(clientOf('kafka-1')).toEqual(before);
    expect(clientWrites()).toEqual([]);
    // The gateway entry carries the IP: removed while the pod had none, created with the new one.
    expect(routing.writes().map((w) => w.replace(/ istio-system\/.*/, ''))).toEqual(['clusterOne: delete', 'clusterOne: create']);
  });

  it('away longer than the grace: the next sync removes it', async () => {
    await store.put(returning(podDelete('clusterOne', 'ns-one', 'kafka-1')));
    clock.ms += RESTART_GRACE_MS - 1;
    await sync();
    expect(clientOf('kafka-1')).toBeDefined();
    clock.ms += 1;
    await sync();
    expect(clientOf('kafka-1')).toBeUndefined();
    expect(clientWrites()).toEqual([expect.stringMatching(/^clusterTwo: delete ns-one\/gnsc-/)]);
  });

  it('a deletion that does not return (scale down): removed at once with the endpoint', async () => {
    await store.put(podDelete('clusterOne', 'ns-one', 'kafka-1'));
    expect((await sync()).endpoints).toBe(1);
    expect(clientOf('kafka-1')).toBeUndefined();
    expect(clientOf('kafka-0')).toBeDefined();
  });
});
