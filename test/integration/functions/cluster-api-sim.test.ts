// The Kubernetes adapter and the sync use case against the simulated clusters (real HTTP,
// real @kubernetes/client-node): slices written, read back identical (so a second sync writes
// nothing), 409 on a stale update, 404 on delete, events, the DNS answers, an unreachable cluster.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { kubeConfigClusterApis } from '../../../shared/adapters/kubernetes/cluster-apis.ts';
import { kubeClusterApi } from '../../../shared/adapters/kubernetes/cluster-api.ts';
import { planSlices } from '../../../shared/core/plan.ts';
import type { Slice } from '../../../shared/core/types.ts';
import { ConflictError, RetryableError } from '../../../shared/errors.ts';
import type { ClusterApis } from '../../../shared/ports.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import {
  FakeClock, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, kafkaPod, podUpsert, serviceUpsert, targetService, topology,
} from '../../unit/functions/fakes.ts';
import { createSimTarget } from './sim-targets.ts';

let fleet: SimFleet;
let kc: KubeConfig;
let apis: ClusterApis;
const uids = new Map<string, string>();

function createTarget(cluster: string, namespace: string): void {
  uids.set(`${cluster}/${namespace}`, createSimTarget(fleet, cluster, namespace));
}

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], dns: false, events: false });
  kc = new KubeConfig();
  kc.loadFromString(fleet.kubeconfigYaml());
  apis = kubeConfigClusterApis(kc, new Map(), { policy: { timeoutMs: 1_000, attempts: 2, baseDelayMs: 10 } });
  createTarget('clusterOne', 'ns-two');
  createTarget('clusterTwo', 'ns-one');
});
afterAll(async () => {
  await fleet?.stop();
});

const sliceFor = (namespace: string, name: string, uid: string): Slice => ({
  name,
  namespace,
  labels: { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': 'kafka-gns' },
  ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'kafka-headless', uid, controller: true, blockOwnerDeletion: true }],
  addressType: 'IPv4',
  endpoints: [
    { addresses: ['240.240.0.1'], hostname: 'kafka-0', conditions: { ready: true, serving: true, terminating: false } },
    { addresses: ['10.1.0.5'], hostname: 'kafka-1', conditions: { ready: false, serving: false, terminating: true }, targetRef: { kind: 'Pod', namespace: 'ns-one', name: 'kafka-1', uid: 'u1' }, nodeName: 'n1' },
  ],
  ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP' }],
});

describe('ClusterApi against a simulated cluster', () => {
  it('creates, lists (read back identical: the plan is empty), updates, conflicts, deletes', async () => {
    const api = await apis.get('clusterTwo');
    const uid = uids.get('clusterTwo/ns-one') ?? '';
    const desired = sliceFor('ns-one', 'kafka-headless-gns-test000001', uid);
    const created = await api.createSlice(desired);
    expect(created.resourceVersion).toBeTruthy();
    await expect(api.createSlice(desired)).rejects.toBeInstanceOf(ConflictError);

    const listed = await api.listSlices('ns-one', 'kafka-headless');
    expect(listed).toHaveLength(1);
    const { name: _n, ...unnamed } = desired;
    const plan = planSlices([unnamed], listed);
    expect(plan).toEqual({ create: [], update: [], delete: [] });

    const updated = await api.updateSlice({ ...(listed[0] as Slice), endpoints: desired.endpoints.slice(0, 1) });
    expect(updated.endpoints).toHaveLength(1);
    await expect(api.updateSlice(listed[0] as Slice)).rejects.toBeInstanceOf(ConflictError); // stale resourceVersion

    expect((await api.listManagedSlices('ns-one')).map((s) => `${s.namespace}/${s.name}`)).toContain('ns-one/kafka-headless-gns-test000001');
    // Deletes carry uid and resourceVersion preconditions: a slice changed since it was listed stays.
    await expect(api.deleteSlice(listed[0] as Slice)).rejects.toBeInstanceOf(ConflictError);
    const [current] = await api.listSlices('ns-one', 'kafka-headless');
    expect(current?.uid).toBe(created.uid);
    await expect(api.deleteSlice({ ...(current as Slice), uid: 'another-incarnation' })).rejects.toBeInstanceOf(ConflictError);
    await expect(api.updateSlice({ ...(current as Slice), uid: 'another-incarnation' })).rejects.toBeInstanceOf(ConflictError);
    await api.deleteSlice(current as Slice);
    await api.deleteSlice(current as Slice); // 404: done
    expect(await api.listSlices('ns-one', 'kafka-headless')).toEqual([]);
  });

  it('records Warning events on the Service', async () => {
    const api = await apis.get('clusterOne');
    await api.recordEvent({ namespace: 'ns-two', name: 'kafka-headless', uid: uids.get('clusterOne/ns-two') ?? '' }, 'Warning', 'InvalidTarget', 'bad selector');
    const events = fleet.cluster('clusterOne').list('events', 'ns-two') as { reason?: string; type?: string; involvedObject?: { name?: string } }[];
    expect(events.filter((e) => e.reason === 'InvalidTarget')).toEqual([expect.objectContaining({ type: 'Warning', involvedObject: expect.objectContaining({ name: 'kafka-headless' }) })]);
  });

  it('an unreachable cluster fails fast with a RetryableError', async () => {
    const sim = fleet.cluster('clusterTwo');
    const ctx = new KubeConfig();
    ctx.loadFromString(fleet.kubeconfigYaml('clusterTwo'));
    const api = kubeClusterApi(ctx, { cluster: 'clusterTwo', policy: { timeoutMs: 300, attempts: 2, baseDelayMs: 10 } });
    sim.faults.down = true;
    try {
      await expect(api.listSlices('ns-one', 'kafka-headless')).rejects.toBeInstanceOf(RetryableError);
    } finally {
      sim.faults.down = false;
    }
  });
});

describe('syncTarget against the simulated clusters', () => {
  it('publishes, then a sync with nothing to do makes zero writes; DNS answers the pod IPs and VIPs', async () => {
    const store = new FakeStore();
    await store.put(
      podUpsert('clusterOne', 'ns-one', kafkaPod(0)),
      podUpsert('clusterOne', 'ns-one', kafkaPod(1)),
      serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { uid: uids.get('clusterOne/ns-two') ?? '' })),
      serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-headless', { uid: uids.get('clusterTwo/ns-one') ?? '' })),
    );
    const clock = new FakeClock();
    const deps: SyncDeps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: apis, clock, memo: newSyncMemo() };
    await syncTarget(deps, T_LOCAL, clock.now());
    await syncTarget(deps, T_REMOTE, clock.now());
    const one = fleet.cluster('clusterOne');
    const two = fleet.cluster('clusterTwo');
    expect(one.resolve('kafka-0.kafka-headless.ns-two.svc.cluster.local')).toEqual(['10.1.0.10']);
    expect(two.resolve('kafka-1.kafka-headless.ns-one.svc.cluster.local')).toEqual(['240.240.0.2']);

    const writes = one.counters.writes + two.counters.writes;
    const again = [await syncTarget(deps, T_LOCAL, clock.now()), await syncTarget(deps, T_REMOTE, clock.now())];
    expect(one.counters.writes + two.counters.writes).toBe(writes);
    expect(again.map((o) => o.writes)).toEqual([0, 0]);
  });
});
