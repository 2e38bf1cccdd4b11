// The common way to make a target — take the selector off an existing Service — leaves the
// EndpointSlice controller's slices in place (as in Kubernetes); gns-sync publishes its own slices
// next to them, raises a Warning naming them with the command that removes them, and once they
// are gone warns no more.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { findResource } from '../../../local/sim/api/resources.ts';
import { parseLabelSelector } from '../../../local/sim/api/selectors.ts';
import { kubeConfigClusterApis } from '../../../shared/adapters/kubernetes/cluster-apis.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { FakeClock, FakeStatuses, FakeStore, FakeVips, KAFKA_LABELS, T_LOCAL, kafkaPod, podUpsert, serviceUpsert, targetService, topology } from '../../unit/functions/fakes.ts';

let fleet: SimFleet;
let deps: SyncDeps;
let store: FakeStore;
const clock = new FakeClock();

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], readyDelayMs: 5, events: false, containerStopMs: 0 });
  const kc = new KubeConfig();
  kc.loadFromString(fleet.kubeconfigYaml());
  store = new FakeStore();
  await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(0)), podUpsert('clusterOne', 'ns-one', kafkaPod(1)));
  deps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: kubeConfigClusterApis(kc, new Map()), clock, memo: newSyncMemo() };
});
afterAll(async () => fleet?.stop());

describe('a target made by removing the selector of an existing Service', () => {
  it('gets a Warning naming the controller\'s leftover slices and how to remove them; none once they are gone', async () => {
    const sim = fleet.cluster('clusterOne');
    sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-two' } });
    sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gns-sync' } }); // the inventory's, as deploy/base leaves it
    sim.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'old-0', namespace: 'ns-two', labels: KAFKA_LABELS }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'kafka', ports: [{ name: 'tcp-client', containerPort: 9092 }] }] } });
    const ports = [{ name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'tcp-client' }];
    sim.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kafka-headless', namespace: 'ns-two' }, spec: { clusterIP: 'None', selector: KAFKA_LABELS, ports } });
    const controller = 'kubernetes.io/service-name=kafka-headless,endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io';
    await expect.poll(() => sim.list('endpointslices', 'ns-two', controller).flatMap((s) => (s.endpoints as unknown[] | null) ?? []).length, { timeout: 5000 }).toBe(1);
    // Made a target: the selector goes, the annotation comes (kubectl apply of the seed's Service).
    const svc = sim.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kafka-headless', namespace: 'ns-two', annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': JSON.stringify(KAFKA_LABELS) } }, spec: { clusterIP: 'None', ports } });
    await store.put(serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { uid: svc.metadata.uid ?? '' })));
    const leftover = sim.list('endpointslices', 'ns-two', controller);
    expect(leftover).toHaveLength(1);

    const outcome = await syncTarget(deps, T_LOCAL, clock.now());
    expect(outcome.action).toBe('synced');
    expect(outcome.endpoints).toBe(2);
    const line = outcome.warnings.find((w) => w.startsWith('ForeignEndpointSlices:'));
    expect(line).toContain(`managed by endpointslice-controller.k8s.io (${leftover[0]!.metadata.name})`);
    expect(line).toContain(`kubectl -n ns-two delete endpointslice -l ${controller}`);
    const events = sim.list('events', 'ns-two').filter((e) => e.reason === 'ForeignEndpointSlices');
    expect(events.map((e) => e.type)).toEqual(['Warning']);

    // The user runs the command: the next sync warns no more (and writes nothing).
    const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
    sim.registry.deleteCollection(slices, 'ns-two', parseLabelSelector(controller), []);
    clock.ms += 1000;
    const after = await syncTarget(deps, T_LOCAL, clock.now());
    expect(after.warnings).toEqual([]);
    expect(after.writes).toBe(0);
  });
});
