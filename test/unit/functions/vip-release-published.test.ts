// Issue 10, case 4: a VIP is released only when no target still publishes it — not while a
// target whose syncs keep failing still shows it, nor while its cluster cannot be listed, nor
// when that cluster left the config with its slices in place (docs/adr/0004-vip-allocation.md,
// "Published VIPs").
import { beforeEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import type { ReconcileDeps } from '../../../functions/reconcile/reconcile.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { RetryableError } from '../../../shared/errors.ts';
import type { PublishedVipsStore, Topology } from '../../../shared/ports.ts';
import {
  FakeClock, FakeClusters, FakeQueue, FakeStatuses, FakeStore, FakeVips, T_REMOTE, TOPOLOGY, kafkaPod, podDelete, podUpsert, serviceUpsert, targetService, topology,
} from './fakes.ts';

class MemoryPublished implements PublishedVipsStore {
  readonly records = new Map<string, ReadonlySet<string>>();
  writes = 0;
  async read() { return new Map(this.records); }
  async write(cluster: string, addresses: ReadonlySet<string>) { this.writes++; this.records.set(cluster, new Set(addresses)); }
}

const GRACE = TOPOLOGY.vipReleaseAfterMs;
const KAFKA_2 = 'kafka-gns/clusterOne/ns-one/kafka-2';
let store: FakeStore;
let vips: FakeVips;
let clusters: FakeClusters;
let clock: FakeClock;
let published: MemoryPublished;
let deps: ReconcileDeps;
let vip2: string;

beforeEach(async () => {
  store = new FakeStore();
  vips = new FakeVips();
  clusters = new FakeClusters();
  clock = new FakeClock();
  published = new MemoryPublished();
  deps = { topology: topology(), store, queue: new FakeQueue(), vips, clusters, published };
  await store.put(...[0, 1, 2].map((i) => podUpsert('clusterOne', 'ns-one', kafkaPod(i))), serviceUpsert('clusterTwo', 'ns-one', targetService()));
  await syncTarget({ topology: topology(), store, vips, statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo() }, T_REMOTE, clock.now());
  vip2 = vips.byIdentity.get(KAFKA_2)!;
  expect(clusters.cluster('clusterTwo').endpointsOf('ns-one', 'kafka-headless')).toContain(`kafka-2=${vip2}`);
  // kafka-2 is deleted; clusterTwo's syncs fail from now on (expired token, say): its slice keeps the VIP.
  await store.put(podDelete('clusterOne', 'ns-one', 'kafka-2'));
  clusters.cluster('clusterTwo').beforeWrite = () => { throw new RetryableError('clusterTwo: 401 Unauthorized'); };
  await reconcile(deps, clock.now()).catch(() => undefined);
  expect(vips.gone.has(KAFKA_2)).toBe(true);
});

const later = () => clock.now() + GRACE + 1;

describe('the release waits for every target publishing the VIP', () => {
  it('a failing target still shows it: kept past the grace period, however often the reconcile runs', async () => {
    await reconcile(deps, later()).catch(() => undefined);
    await reconcile(deps, later() + GRACE).catch(() => undefined);
    expect(vips.byIdentity.get(KAFKA_2)).toBe(vip2);
  });

  it('its cluster cannot be listed any more: the last record holds it', async () => {
    clusters.cluster('clusterTwo').beforeCall = () => { throw new RetryableError('clusterTwo: connection refused'); };
    await reconcile(deps, later()).catch(() => undefined);
    expect(vips.byIdentity.get(KAFKA_2)).toBe(vip2);
  });

  it('without a record store, an unlistable cluster holds back every release', async () => {
    clusters.cluster('clusterTwo').beforeCall = () => { throw new RetryableError('clusterTwo: connection refused'); };
    const { published: _, ...bare } = deps;
    const result = await reconcile(bare, later()).catch(() => undefined);
    expect(result).toBeUndefined(); // the failure is reported; and nothing was released
    expect(vips.byIdentity.get(KAFKA_2)).toBe(vip2);
  });

  it('its cluster left the config while the slice remains: still held', async () => {
    const without: Topology = {
      ...TOPOLOGY,
      clusters: TOPOLOGY.clusters.filter((c) => c.name !== 'clusterTwo'),
      globalNamespaces: [{ name: 'kafka-gns', members: TOPOLOGY.globalNamespaces[0]!.members.filter((m) => m.cluster !== 'clusterTwo') }],
    };
    await reconcile({ ...deps, topology: indexTopology(without) }, later()).catch(() => undefined);
    expect(vips.byIdentity.get(KAFKA_2)).toBe(vip2);
  });

  it('once the target publishes it no more, it is released (after the grace period)', async () => {
    clusters.cluster('clusterTwo').beforeWrite = undefined;
    await syncTarget({ topology: topology(), store, vips, statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo() }, T_REMOTE, clock.now());
    expect(clusters.cluster('clusterTwo').endpointsOf('ns-one', 'kafka-headless')).not.toContain(`kafka-2=${vip2}`);
    await reconcile(deps, later());
    expect(vips.byIdentity.has(KAFKA_2)).toBe(false);
    expect(published.records.get('clusterTwo')?.has(vip2)).toBe(false);
  });
});
