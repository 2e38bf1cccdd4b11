// Adoption reads an endpoint's hostname as the hostname its pod publishes, not as a pod name
// (round 3, defect 3): pod `foo` with spec.hostname `bar` keeps its VIP, and a pod named `bar`
// never takes it.
import { beforeEach, describe, expect, it } from 'vitest';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { adoptable, publishedHostnames } from '../../../functions/sync/vips.ts';
import type { Endpoint, Slice, SourcePod, VipIdentity } from '../../../shared/core/types.ts';
import { deepFreeze } from '../core/factories.ts';
import { FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, T_REMOTE, kafkaPod, podUpsert, serviceUpsert, targetService, topology } from './fakes.ts';

const id = (pod: string): VipIdentity => ({ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod });
const source = (name: string, hostname?: string): SourcePod => {
  const { hostname: _drop, ...pod } = kafkaPod(0, { name, uid: `uid-${name}` });
  return { cluster: 'clusterOne', namespace: 'ns-one', pod: hostname === undefined ? pod : { ...pod, hostname } };
};
const ep = (hostname: string | undefined, address: string): Endpoint => ({
  addresses: [address], conditions: { ready: true, serving: true, terminating: false }, ...(hostname === undefined ? {} : { hostname }),
});
const ours = (...endpoints: Endpoint[]): Slice => ({
  name: 's', namespace: 'ns-one', addressType: 'IPv4', ports: [], ownerReferences: [], endpoints,
  labels: { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': 'kafka-gns' },
});
const POOL = '240.240.0.0/16';

describe('adoptable', () => {
  it('matches the hostname a pod publishes: foo (hostname bar) adopts; the pod named bar does not', () => {
    const sources = [source('foo', 'bar'), source('bar')];
    const needed = [id('bar'), id('foo')];
    const got = adoptable(deepFreeze([ours(ep('bar', '240.240.0.2'))]), needed, needed, new Map(), POOL, publishedHostnames('kafka-gns', sources));
    expect(got).toEqual([{ identity: id('foo'), vip: '240.240.0.2' }]);
  });

  it('a hostname published by two needed identities is adopted by neither', () => {
    const sources = [source('a', 'kafka-0'), source('b', 'kafka-0'), source('c', 'c')];
    const needed = [id('a'), id('b'), id('c')];
    const got = adoptable([ours(ep('kafka-0', '240.240.0.1'), ep('c', '240.240.0.3'))], needed, needed, new Map(), POOL, publishedHostnames('kafka-gns', sources));
    expect(got).toEqual([{ identity: id('c'), vip: '240.240.0.3' }]);
  });

  it('a hostname that is not a DNS-1123 label is not published, so not matched', () => {
    const hostnames = publishedHostnames('kafka-gns', [source('x', 'Not_A_Label'), source('y', 'y')]);
    expect([...hostnames]).toEqual([['kafka-gns/clusterOne/ns-one/y', 'y']]);
  });

  it('skips foreign slices, same-cluster endpoints, addresses outside the pool or known to another identity', () => {
    const sources = [source('a', 'a'), source('b', 'b'), source('c', 'c'), source('d', 'd')];
    const needed = ['a', 'b', 'c', 'd'].map(id);
    const foreign = { ...ours(ep('a', '240.240.0.1')), labels: { 'kubernetes.io/service-name': 'kafka-headless' } };
    const local: Endpoint = { ...ep('b', '240.240.0.2'), targetRef: { kind: 'Pod', namespace: 'ns-one', name: 'b', uid: 'u' } };
    const got = adoptable([foreign, ours(local, ep('c', '10.0.0.3'), ep('d', '240.240.0.4'))], needed, needed, new Map([['kafka-gns/x/y/z', '240.240.0.4']]), POOL, publishedHostnames('kafka-gns', sources));
    expect(got).toEqual([]);
  });
});

describe('syncTarget: a rebuild adopts by published hostname', () => {
  let store: FakeStore;
  let clusters: FakeClusters;
  let deps: SyncDeps;
  beforeEach(async () => {
    store = new FakeStore();
    clusters = new FakeClusters();
    deps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters, clock: new FakeClock(), memo: newSyncMemo() };
    const { hostname: _none, ...bar } = kafkaPod(1, { name: 'bar', uid: 'uid-bar' });
    await store.put(
      podUpsert('clusterOne', 'ns-one', kafkaPod(0, { name: 'foo', uid: 'uid-foo', hostname: 'bar' })),
      podUpsert('clusterOne', 'ns-one', bar),
      serviceUpsert('clusterTwo', 'ns-one', targetService()),
    );
  });

  it("pod foo (hostname bar) keeps its VIP after the table is lost; pod bar gets a new one, never foo's", async () => {
    const now = new FakeClock().now();
    await syncTarget(deps, T_REMOTE, now);
    const first = await deps.vips.listGns('kafka-gns');
    const fooVip = first.get('clusterOne/ns-one/foo');
    expect(clusters.cluster('clusterTwo').endpointsOf('ns-one', 'kafka-headless')).toContain(`bar=${fooVip}`);
    const rebuilt = new FakeVips('240.240.7.1');
    deps = { ...deps, vips: rebuilt, memo: newSyncMemo() };
    await syncTarget(deps, T_REMOTE, now + 1);
    expect(rebuilt.calls.filter((c) => c.startsWith('adopt '))).toEqual([`adopt kafka-gns/clusterOne/ns-one/foo=${fooVip}`]);
    const after = await rebuilt.listGns('kafka-gns');
    expect(after.get('clusterOne/ns-one/foo')).toBe(fooVip);
    expect(after.get('clusterOne/ns-one/bar')).toBe('240.240.7.1');
  });
});
