import { beforeEach, describe, expect, it } from 'vitest';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { ConflictError, FinalError, RetryableError } from '../../../shared/errors.ts';
import type { Slice, TargetRef } from '../../../shared/core/types.ts';
import { deepFreeze } from '../core/factories.ts';
import {
  FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, KAFKA_LABELS, T_LOCAL, T_REMOTE, kafkaPod, podDelete, podUpsert, serviceDelete,
  serviceUpsert, targetService, topology, seedScenario,
} from './fakes.ts';

let store: FakeStore;
let vips: FakeVips;
let statuses: FakeStatuses;
let clusters: FakeClusters;
let clock: FakeClock;
let deps: SyncDeps;

const one = () => clusters.cluster('clusterOne');
const two = () => clusters.cluster('clusterTwo');

beforeEach(async () => {
  store = new FakeStore();
  vips = new FakeVips();
  statuses = new FakeStatuses();
  clusters = new FakeClusters();
  clock = new FakeClock();
  deps = { topology: topology(), store, vips, statuses, clusters, clock, memo: newSyncMemo() };
  await store.put(...seedScenario(3));
});

const sync = (target: TargetRef) => syncTarget(deps, deepFreeze({ ...target }), clock.now());

describe('syncTarget: the seed scenario', () => {
  it('publishes pod IPs in the same network and VIPs across networks, with hostnames', async () => {
    const local = await sync(T_LOCAL);
    const remote = await sync(T_REMOTE);
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toEqual(['kafka-0=10.1.0.10', 'kafka-1=10.1.0.11', 'kafka-2=10.1.0.12']);
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toEqual(['kafka-0=240.240.0.1', 'kafka-1=240.240.0.2', 'kafka-2=240.240.0.3']);
    expect(local).toMatchObject({ action: 'synced', endpoints: 3, vips: 0, writes: 1 });
    expect(remote).toMatchObject({ action: 'synced', endpoints: 3, vips: 3, writes: 1 });
    const slice = [...two().slices.values()][0] as Slice;
    expect(slice.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Service', name: 'kafka-headless', uid: 'uid-svc-kafka-headless', controller: true, blockOwnerDeletion: true }]);
    expect(slice.ports).toEqual([{ name: 'tcp-client', port: 9092, protocol: 'TCP' }]);
    expect(statuses.byKey.size).toBe(2);
  });

  it('a sync with nothing to do makes zero write calls to Kubernetes', async () => {
    await sync(T_LOCAL);
    await sync(T_REMOTE);
    one().writes.length = 0;
    two().writes.length = 0;
    const again = [await sync(T_LOCAL), await sync(T_REMOTE), await sync(T_LOCAL)];
    expect(one().writes).toEqual([]);
    expect(two().writes).toEqual([]);
    expect(again.map((o) => o.writes)).toEqual([0, 0, 0]);
  });

  it('a restarted pod: the pod IP follows, the VIP does not change', async () => {
    await sync(T_LOCAL);
    await sync(T_REMOTE);
    await store.put(podDelete('clusterOne', 'ns-one', 'kafka-1', 'uid-kafka-1'));
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(1, { uid: 'uid-kafka-1-new', ips: ['10.1.0.99'] })));
    const local = await sync(T_LOCAL);
    const remote = await sync(T_REMOTE);
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toContain('kafka-1=10.1.0.99');
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toContain('kafka-1=240.240.0.2');
    expect(local.writes).toBe(1);
    expect(remote.writes).toBe(0);
  });

  it('scaling to 5 adds 2 endpoints (2 new VIPs); scaling back removes them and marks their VIPs gone', async () => {
    await sync(T_REMOTE);
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(3)), podUpsert('clusterOne', 'ns-one', kafkaPod(4)));
    await sync(T_REMOTE);
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toHaveLength(5);
    expect(vips.byIdentity.size).toBe(5);
    await store.put(podDelete('clusterOne', 'ns-one', 'kafka-3', 'uid-kafka-3'), podDelete('clusterOne', 'ns-one', 'kafka-4', 'uid-kafka-4'));
    await sync(T_REMOTE);
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toHaveLength(3);
    expect([...vips.gone.keys()].sort()).toEqual(['kafka-gns/clusterOne/ns-one/kafka-3', 'kafka-gns/clusterOne/ns-one/kafka-4']);
    // Marked once per container, not on every sync.
    const calls = vips.calls.length;
    await sync(T_REMOTE);
    expect(vips.calls.slice(calls).filter((c) => c.startsWith('markGone'))).toEqual([]);
  });
});

describe('syncTarget: conflicts and ownership', () => {
  it('a 409 on update re-reads the slices and re-plans', async () => {
    await sync(T_LOCAL);
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(0, { ips: ['10.1.0.50'] })));
    let conflicts = 0;
    one().beforeWrite = (verb, slice) => {
      if (verb === 'update' && conflicts === 0 && slice?.name) {
        conflicts++;
        // Someone else touched the slice: its resourceVersion moved on.
        const key = `${slice.namespace}/${slice.name}`;
        const current = one().slices.get(key) as Slice;
        one().slices.set(key, { ...current, resourceVersion: `${current.resourceVersion}-x` });
      }
    };
    const outcome = await sync(T_LOCAL);
    expect(outcome.replans).toBe(1);
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toContain('kafka-0=10.1.0.50');
  });

  it('gives up after the bounded re-plans with a ConflictError (the queue retries) and records the error', async () => {
    await sync(T_LOCAL);
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(0, { ips: ['10.1.0.50'] })));
    one().beforeWrite = (verb) => {
      if (verb === 'update') throw new ConflictError('update: conflict');
    };
    await expect(sync(T_LOCAL)).rejects.toBeInstanceOf(ConflictError);
    const status = await statuses.get(T_LOCAL);
    expect(status?.lastError).toMatch(/ConflictError/);
  });

  it('a create meeting 409 AlreadyExists (a lost response) re-reads and finds the slice', async () => {
    let lost = false;
    one().beforeWrite = (verb, slice) => {
      if (verb === 'create' && !lost && slice) {
        lost = true;
        one().seed({ ...slice });
        throw new ConflictError('create: already exists');
      }
    };
    const outcome = await sync(T_LOCAL);
    expect(outcome.replans).toBe(1);
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toHaveLength(3);
    expect([...one().slices.values()].filter((s) => s.namespace === 'ns-two')).toHaveLength(1);
  });

  it('never writes or deletes a slice it does not own', async () => {
    const foreign = one().seed({
      name: 'kafka-headless-abcde',
      namespace: 'ns-two',
      labels: { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'someone-else' },
      ownerReferences: [],
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.9.9.9'], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [],
    });
    await sync(T_LOCAL);
    await store.put(serviceDelete('clusterOne', 'ns-two', 'kafka-headless'));
    await sync(T_LOCAL);
    expect(one().slices.get('ns-two/kafka-headless-abcde')).toEqual(foreign);
    expect(one().writes.filter((w) => w.includes('abcde'))).toEqual([]);
  });

  it('a deleted target Service: our slices are removed', async () => {
    await sync(T_LOCAL);
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toHaveLength(3);
    await store.put(serviceDelete('clusterOne', 'ns-two', 'kafka-headless'));
    const outcome = await sync(T_LOCAL);
    expect(outcome.action).toBe('deleted');
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toEqual([]);
  });

  it('a target no longer in a member of its GNS: our slices are removed', async () => {
    await sync(T_LOCAL);
    const moved = { ...T_LOCAL, namespace: 'ns-gone' };
    one().seed({ ...([...one().slices.values()][0] as Slice), name: 'x-gns-1', namespace: 'ns-gone' });
    const outcome = await sync(moved);
    expect(outcome.action).toBe('not-a-member');
    expect([...one().slices.keys()]).not.toContain('ns-gone/x-gns-1');
  });
});

describe('syncTarget: warnings', () => {
  it('a target edited into an invalid one gets a Warning event and keeps its last valid state (no slice written), once per change', async () => {
    await sync(T_LOCAL);
    const before = one().endpointsOf('ns-two', 'kafka-headless');
    one().writes.length = 0;
    await store.put(serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { selector: { app: 'x' } })));
    const outcome = await sync(T_LOCAL);
    expect(outcome).toMatchObject({ action: 'invalid', endpoints: 3 });
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toEqual(before);
    expect(one().writes).toEqual(['event InvalidTarget']);
    expect(one().events).toEqual([expect.objectContaining({ type: 'Warning', reason: 'InvalidTarget', name: 'kafka-headless', namespace: 'ns-two', uid: 'uid-svc-kafka-headless' })]);
    expect(one().events[0]?.message).toMatch(/selector.*; keeping the last valid state: 3 endpoint\(s\) in 1 slice\(s\) stay published unchanged until the Service is fixed or deleted/);
    expect((await statuses.get(T_LOCAL))).toMatchObject({ endpoints: 3, lastError: expect.stringMatching(/selector.*keeping the last valid state/) });
    await sync(T_LOCAL);
    expect(one().events).toHaveLength(1);
  });

  it.each([
    ['bad JSON', { annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': '{"app.kubernetes.io/name": kafka' } }, /not valid JSON/],
    ['a problem the agent reports (over its size limit)', { annotations: {}, ports: [], problem: 'annotation tsm.tanzu.vmware.com/endpoints.statefulset has 70000 characters, more than the 65536 the agent publishes' }, /more than the 65536/],
  ])('%s: the remote target keeps its VIP slices and VIPs, even past the release time; deleting the Service removes them', async (_what, edit, reason) => {
    await sync(T_REMOTE);
    const published = two().endpointsOf('ns-one', 'kafka-headless');
    await store.put(serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-headless', edit as never)));
    const outcome = await sync(T_REMOTE);
    expect(outcome).toMatchObject({ action: 'invalid', endpoints: 3, vips: 3 });
    expect(two().events.at(-1)?.message).toMatch(reason);
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toEqual(published);
    // A reconcile marks the identities no valid target needs; the invalid target's next sync holds them again.
    await vips.markGone([0, 1, 2].map((i) => ({ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod: `kafka-${i}` })), clock.now());
    await sync(T_REMOTE);
    expect(await vips.releaseExpired(clock.now() + 3_600_001)).toBe(0);
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toEqual(published);
    await store.put(serviceDelete('clusterTwo', 'ns-one', 'kafka-headless'));
    expect((await sync(T_REMOTE)).action).toBe('deleted');
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toEqual([]);
  });

  it('a target that never was valid publishes nothing and says so', async () => {
    await store.put(serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': '{}' } })));
    const outcome = await sync(T_LOCAL);
    expect(outcome).toMatchObject({ action: 'invalid', endpoints: 0 });
    expect(one().events[0]?.message).toMatch(/empty selector.*; it has published nothing, so nothing is published until it is fixed/);
  });

  it('bad annotation JSON: Warning with the reason, nothing else disturbed', async () => {
    await store.put(serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': '{not json' } })));
    await sync(T_LOCAL);
    await sync(T_REMOTE);
    expect(one().events.map((e) => e.reason)).toEqual(['InvalidTarget']);
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toHaveLength(3);
  });

  it('a hostname conflict: one pod published by the documented rule, one Warning naming the loser, not repeated', async () => {
    await store.put(podUpsert('clusterTwo', 'ns-one', kafkaPod(0, { uid: 'uid-other-kafka-0', ips: ['10.2.0.10'] })));
    const first = await sync(T_LOCAL);
    expect(first.warnings).toHaveLength(1);
    // clusterOne/ns-one comes before clusterTwo/ns-one in the GNS's members: its kafka-0 wins.
    expect(one().endpointsOf('ns-two', 'kafka-headless').filter((e) => e.startsWith('kafka-0='))).toEqual(['kafka-0=10.1.0.10']);
    expect(one().events).toHaveLength(1);
    expect(one().events[0]).toMatchObject({ reason: 'HostnameConflict' });
    expect(one().events[0]?.message).toContain('published: pod kafka-0 (cluster clusterOne, namespace ns-one)');
    expect(one().events[0]?.message).toContain('not published: pod kafka-0 (cluster clusterTwo, namespace ns-one)');
    expect((await statuses.get(T_LOCAL))?.warnings?.[0]).toMatch(/^HostnameConflict: /);
    one().writes.length = 0;
    await sync(T_LOCAL);
    expect(one().writes).toEqual([]);
  });

  it("a hostname conflict: a pod in the target's own namespace wins over the first member, whatever the order", async () => {
    await store.put(podUpsert('clusterOne', 'ns-two', kafkaPod(0, { uid: 'uid-own-kafka-0', ips: ['10.1.9.9'] })));
    await sync(T_LOCAL);
    await sync(T_REMOTE);
    expect(one().endpointsOf('ns-two', 'kafka-headless').filter((e) => e.startsWith('kafka-0='))).toEqual(['kafka-0=10.1.9.9']);
    expect(one().events[0]?.message).toContain("because it is in the target's own namespace");
    expect(one().events[0]?.message).toContain('not published: pod kafka-0 (cluster clusterOne, namespace ns-one)');
    // The remote target: neither pod is in its namespace; clusterOne/ns-one is the first member. One VIP, one name.
    expect(two().endpointsOf('ns-one', 'kafka-headless').filter((e) => e.startsWith('kafka-0='))).toEqual(['kafka-0=240.240.0.1']);
    expect(two().events[0]?.message).toContain('not published: pod kafka-0 (cluster clusterOne, namespace ns-two)');
  });

  it('a selected pod no StatefulSet controls is not published, with a Warning saying why; an unknown controller (v1 agent) is', async () => {
    await store.put(
      podUpsert('clusterOne', 'ns-one', kafkaPod(7, { name: 'web-abc12', hostname: 'web-abc12', controller: { kind: 'ReplicaSet', name: 'web-7d9' } })),
      podUpsert('clusterOne', 'ns-one', kafkaPod(8, { name: 'bare', hostname: 'bare', controller: null })),
      podUpsert('clusterOne', 'ns-one', (({ controller: _, ...p }) => p)(kafkaPod(9))),
    );
    const outcome = await sync(T_LOCAL);
    const names = one().endpointsOf('ns-two', 'kafka-headless').map((e) => e.split('=')[0]);
    expect(names).toEqual(['kafka-0', 'kafka-1', 'kafka-2', 'kafka-9']);
    expect(outcome.warnings).toEqual([
      'NotAStatefulSetPod: 2 pod(s) match the selector but no StatefulSet controls them, so they are not published: ' +
        'pod bare (cluster clusterOne, namespace ns-one) has no controller, pod web-abc12 (cluster clusterOne, namespace ns-one) is controlled by ReplicaSet web-7d9',
    ]);
    expect(one().events.map((e) => e.reason)).toEqual(['NotAStatefulSetPod']);
    expect((await statuses.get(T_LOCAL))?.warnings).toEqual(outcome.warnings);
  });

  it('the warning is remembered through the status store, not only in memory (a cold start does not repeat it)', async () => {
    await store.put(podUpsert('clusterTwo', 'ns-one', kafkaPod(0, { uid: 'uid-other-kafka-0', ips: ['10.2.0.10'] })));
    await sync(T_LOCAL);
    deps = { ...deps, memo: newSyncMemo() };
    await sync(T_LOCAL);
    expect(one().events).toHaveLength(1);
  });

  it('pool exhausted: a Warning, existing endpoints kept, the new pods wait', async () => {
    vips.capacity = 3;
    await sync(T_REMOTE);
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(3)), podUpsert('clusterOne', 'ns-one', kafkaPod(4)));
    const outcome = await sync(T_REMOTE);
    expect(outcome.missingVips).toBe(2);
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toEqual(['kafka-0=240.240.0.1', 'kafka-1=240.240.0.2', 'kafka-2=240.240.0.3']);
    expect(two().events.map((e) => e.reason)).toEqual(['VipPoolExhausted']);
    expect((await statuses.get(T_REMOTE))?.lastError).toMatch(/exhausted/);
    // The same-network target is not affected by the pool at all.
    await sync(T_LOCAL);
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toHaveLength(5);
  });

  it('a Warning event that cannot be written is tried again on the next sync', async () => {
    await store.put(serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { clusterIP: '10.96.0.1' })));
    one().beforeWrite = (verb) => {
      if (verb === 'event') throw new RetryableError('events: 503');
    };
    await sync(T_LOCAL);
    expect(one().events).toHaveLength(0);
    one().beforeWrite = undefined;
    await sync(T_LOCAL);
    expect(one().events.map((e) => e.reason)).toEqual(['InvalidTarget']);
  });
});

describe('syncTarget: VIPs and failures', () => {
  it('adopts the VIPs its slices already show when the allocator lost them (a rebuild)', async () => {
    await sync(T_REMOTE);
    const before = two().endpointsOf('ns-one', 'kafka-headless');
    // Rebuild: an empty allocator that would hand out other addresses, a fresh container.
    vips = new FakeVips('240.240.7.1');
    deps = { ...deps, vips, memo: newSyncMemo() };
    two().writes.length = 0;
    await sync(T_REMOTE);
    expect(two().endpointsOf('ns-one', 'kafka-headless')).toEqual(before);
    expect(two().writes).toEqual([]);
    expect(vips.calls.some((c) => c.startsWith('adopt '))).toBe(true);
  });

  it('an unreachable cluster: RetryableError (the queue retries), the failure recorded in the status', async () => {
    two().beforeCall = () => {
      throw new RetryableError('clusterTwo: list slices: timed out after 3 attempt(s)');
    };
    await expect(sync(T_REMOTE)).rejects.toBeInstanceOf(RetryableError);
    expect((await statuses.get(T_REMOTE))?.lastError).toMatch(/timed out/);
    // The other target is unaffected.
    await sync(T_LOCAL);
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toHaveLength(3);
  });

  it('a final error is thrown as such (not retried by the caller)', async () => {
    two().beforeCall = () => {
      throw new FinalError('clusterTwo: 403 forbidden');
    };
    await expect(sync(T_REMOTE)).rejects.toBeInstanceOf(FinalError);
  });

  it('pods whose labels stop matching leave the slices', async () => {
    await sync(T_LOCAL);
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(2, { labels: { ...KAFKA_LABELS, 'app.kubernetes.io/component': 'zookeeper' } })));
    await sync(T_LOCAL);
    expect(one().endpointsOf('ns-two', 'kafka-headless')).toEqual(['kafka-0=10.1.0.10', 'kafka-1=10.1.0.11']);
  });

  it('writes the status only when what it shows changes, else once a minute', async () => {
    await sync(T_LOCAL);
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(0, { ips: ['10.1.0.60'] })));
    const writes = statuses.calls.filter((c) => c === 'record').length;
    await sync(T_LOCAL);
    expect(statuses.calls.filter((c) => c === 'record').length).toBe(writes);
    clock.ms += 61_000;
    await sync(T_LOCAL);
    expect(statuses.calls.filter((c) => c === 'record').length).toBe(writes + 1);
    await store.put(podDelete('clusterOne', 'ns-one', 'kafka-0', 'uid-kafka-0'));
    await sync(T_LOCAL);
    expect(statuses.calls.filter((c) => c === 'record').length).toBe(writes + 2);
    expect((await statuses.get(T_LOCAL))?.endpoints).toBe(2);
  });
});
