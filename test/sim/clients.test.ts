// What gns-sync's own code calls, through @kubernetes/client-node: Leases (get/create/replace),
// EndpointSlices (list by label selector, create, replace, delete, deletecollection), Services,
// Events (v1 and events.k8s.io/v1), ConfigMaps, generateName, status subresource, owner GC.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCluster, SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { http, until } from './helpers.ts';

describe('client-node APIs gns-sync uses', () => {
  let fleet: SimFleet;
  let cluster: SimCluster;
  let core: k8s.CoreV1Api;
  let discovery: k8s.DiscoveryV1Api;
  let coordination: k8s.CoordinationV1Api;
  let events: k8s.EventsV1Api;

  beforeAll(async () => {
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }] });
    cluster = fleet.cluster('clusterTwo');
    const kc = new k8s.KubeConfig();
    kc.loadFromString(fleet.kubeconfigYaml());
    kc.setCurrentContext('clusterTwo');
    core = kc.makeApiClient(k8s.CoreV1Api);
    discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    coordination = kc.makeApiClient(k8s.CoordinationV1Api);
    events = kc.makeApiClient(k8s.EventsV1Api);
    await core.createNamespace({ body: { metadata: { name: 'ns-one' } } });
    await core.createNamespace({ body: { metadata: { name: 'gns-sync' } } });
  });
  afterAll(async () => fleet?.stop());

  it('gets, creates and replaces a Lease with resourceVersion preconditions', async () => {
    const missing = await coordination.readNamespacedLease({ namespace: 'gns-sync', name: 'gns-sync-agent' }).catch((e: k8s.ApiException<string>) => e);
    expect((missing as k8s.ApiException<string>).code).toBe(404);
    const now = new Date();
    const created = await coordination.createNamespacedLease({ namespace: 'gns-sync', body: { metadata: { name: 'gns-sync-agent', annotations: { 'gns-sync.io/hlc-floor': '001764366000123.000000' } }, spec: { holderIdentity: 'agent-a', leaseDurationSeconds: 15, acquireTime: now as unknown as k8s.V1MicroTime, renewTime: now as unknown as k8s.V1MicroTime } } });
    expect(created.spec?.holderIdentity).toBe('agent-a');
    const got = await coordination.readNamespacedLease({ namespace: 'gns-sync', name: 'gns-sync-agent' });
    expect(String(got.spec?.renewTime)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    got.spec!.holderIdentity = 'agent-b';
    const replaced = await coordination.replaceNamespacedLease({ namespace: 'gns-sync', name: 'gns-sync-agent', body: got });
    expect(replaced.spec?.holderIdentity).toBe('agent-b');
    const stale = await coordination.replaceNamespacedLease({ namespace: 'gns-sync', name: 'gns-sync-agent', body: { ...got, spec: { ...got.spec, holderIdentity: 'agent-c' } } }).catch((e: k8s.ApiException<string>) => e);
    expect((stale as k8s.ApiException<string>).code).toBe(409);
  });

  it('creates, lists by label selector, replaces and deletes EndpointSlices; 404 on a second delete', async () => {
    const svc = await core.createNamespacedService({ namespace: 'ns-one', body: { metadata: { name: 'kafka-headless', annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': '{"app":"kafka"}' } }, spec: { clusterIP: 'None', ports: [{ name: 'tcp-client', port: 9092 }] } } });
    expect(svc.spec?.clusterIP).toBe('None');
    const owner = [{ apiVersion: 'v1', kind: 'Service', name: 'kafka-headless', uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true }];
    const labels = { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': 'kafka-gns' };
    const created = await discovery.createNamespacedEndpointSlice({ namespace: 'ns-one', body: {
      metadata: { generateName: 'kafka-headless-gns-', labels, ownerReferences: owner },
      addressType: 'IPv4', endpoints: [{ addresses: ['240.240.0.10'], hostname: 'kafka-0', conditions: { ready: true, serving: true, terminating: false } }],
      ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP' }],
    } });
    expect(created.metadata?.name).toMatch(/^kafka-headless-gns-[a-z0-9]{5}$/);
    await discovery.createNamespacedEndpointSlice({ namespace: 'ns-one', body: { metadata: { name: 'other', labels: { 'kubernetes.io/service-name': 'kafka-headless' } }, addressType: 'IPv4', endpoints: [] } });
    const mine = await discovery.listNamespacedEndpointSlice({ namespace: 'ns-one', labelSelector: 'endpointslice.kubernetes.io/managed-by=gns-sync.io,kubernetes.io/service-name=kafka-headless' });
    expect(mine.items.map((s) => s.metadata?.name)).toEqual([created.metadata?.name]);
    expect(mine.metadata?.resourceVersion).toMatch(/^\d+$/);
    const all = await discovery.listEndpointSliceForAllNamespaces({ labelSelector: 'kubernetes.io/service-name=kafka-headless' });
    expect(all.items).toHaveLength(2);
    const notMine = await discovery.listNamespacedEndpointSlice({ namespace: 'ns-one', labelSelector: 'endpointslice.kubernetes.io/managed-by!=gns-sync.io' });
    expect(notMine.items.map((s) => s.metadata?.name)).toEqual(['other']);
    const body = mine.items[0]!;
    body.endpoints = [{ addresses: ['240.240.0.12'], hostname: 'kafka-0', conditions: { ready: true } }];
    const replaced = await discovery.replaceNamespacedEndpointSlice({ namespace: 'ns-one', name: body.metadata!.name!, body });
    expect(replaced.endpoints?.[0]?.addresses).toEqual(['240.240.0.12']);
    await discovery.deleteNamespacedEndpointSlice({ namespace: 'ns-one', name: 'other' });
    const again = await discovery.deleteNamespacedEndpointSlice({ namespace: 'ns-one', name: 'other' }).catch((e: k8s.ApiException<string>) => e);
    expect((again as k8s.ApiException<string>).code).toBe(404);
  });

  it('removes the slices a Service owns when the Service is deleted (garbage collection)', async () => {
    expect(cluster.list('endpointslices', 'ns-one')).toHaveLength(1);
    await core.deleteNamespacedService({ namespace: 'ns-one', name: 'kafka-headless' });
    await until('slices collected', () => (cluster.list('endpointslices', 'ns-one').length === 0 ? true : undefined));
  });

  it('deletes a collection by label selector', async () => {
    for (const name of ['a', 'b', 'c']) {
      await discovery.createNamespacedEndpointSlice({ namespace: 'ns-one', body: { metadata: { name, labels: { group: name === 'c' ? 'keep' : 'drop' } }, addressType: 'IPv4', endpoints: [] } });
    }
    await discovery.deleteCollectionNamespacedEndpointSlice({ namespace: 'ns-one', labelSelector: 'group=drop' });
    expect(cluster.list('endpointslices', 'ns-one').map((s) => s.metadata.name)).toEqual(['c']);
  });

  it('creates Events through v1 and events.k8s.io/v1, one storage seen both ways', async () => {
    await core.createNamespacedEvent({ namespace: 'ns-one', body: {
      metadata: { name: 'kafka-headless.warn1' },
      involvedObject: { kind: 'Service', namespace: 'ns-one', name: 'kafka-headless', apiVersion: 'v1' },
      reason: 'InvalidSelector', message: 'the selector annotation is not valid JSON', type: 'Warning',
      source: { component: 'gns-sync' }, count: 1, firstTimestamp: new Date(), lastTimestamp: new Date(),
    } });
    await events.createNamespacedEvent({ namespace: 'ns-one', body: {
      metadata: { name: 'kafka-headless.warn2' }, eventTime: new Date() as unknown as k8s.V1MicroTime,
      reportingController: 'gns-sync.io/sync', reportingInstance: 'sync-1', action: 'Sync', reason: 'HostnameConflict',
      note: 'kafka-0 is published from two members', type: 'Warning', regarding: { kind: 'Service', namespace: 'ns-one', name: 'kafka-headless' },
    } });
    const v1 = await core.listNamespacedEvent({ namespace: 'ns-one', fieldSelector: 'involvedObject.name=kafka-headless' });
    expect(v1.items.map((e) => [e.reason, e.message, e.type]).sort()).toEqual([
      ['HostnameConflict', 'kafka-0 is published from two members', 'Warning'],
      ['InvalidSelector', 'the selector annotation is not valid JSON', 'Warning'],
    ]);
    const ev = await events.listNamespacedEvent({ namespace: 'ns-one' });
    expect(ev.items.find((e) => e.metadata?.name === 'kafka-headless.warn1')).toMatchObject({ note: 'the selector annotation is not valid JSON', regarding: { name: 'kafka-headless' } });
  });

  it('serves ConfigMaps and the pod status subresource', async () => {
    await core.createNamespacedConfigMap({ namespace: 'ns-one', body: { metadata: { name: 'cfg' }, data: { a: '1' } } });
    expect((await core.readNamespacedConfigMap({ namespace: 'ns-one', name: 'cfg' })).data).toEqual({ a: '1' });
    await core.createNamespacedPod({ namespace: 'ns-one', body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1' }] } } });
    const running = await until('p running', async () => {
      const p = await core.readNamespacedPod({ namespace: 'ns-one', name: 'p' });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    expect(running.spec?.nodeName).toBe('clustertwo-control-plane');
    expect(running.status?.hostIP).toBe('172.18.0.3');
    expect(running.status?.podIPs?.[0]?.ip).toBe(running.status?.podIP);
    // Spec changes through /status are ignored; status changes through the main resource are ignored.
    const r = await http(cluster.url, 'PATCH', '/api/v1/namespaces/ns-one/pods/p', { status: { phase: 'Failed' } }, 'application/merge-patch+json');
    expect((r.body as { status: { phase: string } }).status.phase).toBe('Running');
    const s = await http(cluster.url, 'PATCH', '/api/v1/namespaces/ns-one/pods/p/status', { status: { message: 'hi' }, spec: { nodeName: 'x' } }, 'application/merge-patch+json');
    expect(s.body).toMatchObject({ status: { message: 'hi' }, spec: { nodeName: 'clustertwo-control-plane' } });
  });

  it('allocates clusterIPs from the service CIDR unless headless', async () => {
    const svc = await core.createNamespacedService({ namespace: 'ns-one', body: { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } } });
    expect(svc.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(svc.spec?.clusterIPs).toEqual([svc.spec?.clusterIP]);
    expect(svc.spec?.ports?.[0]).toMatchObject({ port: 80, protocol: 'TCP', targetPort: 80 });
    expect(cluster.resolve('web.ns-one.svc.cluster.local')).toEqual([svc.spec?.clusterIP]);
  });
});
