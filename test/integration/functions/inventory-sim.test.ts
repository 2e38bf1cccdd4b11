// The inventory ConfigMap against a simulated cluster (shared/adapters/kubernetes/inventory.ts,
// docs/adr/0018-inventory.md): a namespace is recorded before the first slice written there
// (even when that write then fails), two writers recording at once both land (uid and
// resourceVersion preconditions, re-read on 409), a forget against a stale read changes nothing,
// and each installation keeps its own inventory.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { kubeConfigClusterApis } from '../../../shared/adapters/kubernetes/cluster-apis.ts';
import { KIND_ENDPOINTSLICES, KIND_SERVICEENTRIES } from '../../../shared/core/inventory.ts';
import type { Slice } from '../../../shared/core/types.ts';
import type { ClusterApis } from '../../../shared/ports.ts';

let fleet: SimFleet;
let kc: KubeConfig;
const apisFor = (installation?: string): ClusterApis => kubeConfigClusterApis(kc, new Map(), { policy: { timeoutMs: 2_000, attempts: 2, baseDelayMs: 10 }, ...(installation ? { installation } : {}) });
type Cm = { metadata: { name: string; uid?: string; resourceVersion?: string; labels?: Record<string, string> }; data?: Record<string, string> };
const configMap = (name: string) => (fleet.cluster('clusterOne').list('configmaps', 'gns-sync') as unknown as Cm[]).find((c) => c.metadata.name === name);

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], dns: false, events: false });
  kc = new KubeConfig();
  kc.loadFromString(fleet.kubeconfigYaml());
  for (const name of ['gns-sync', 'ns-a', 'ns-b', 'ns-c']) fleet.cluster('clusterOne').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
});
afterAll(async () => {
  await fleet?.stop();
});

const slice = (namespace: string): Slice => ({
  namespace,
  labels: { 'kubernetes.io/service-name': 'svc', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': 'g' },
  ownerReferences: [], addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.1'], hostname: 'p-0', conditions: { ready: true, serving: true, terminating: false } }],
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
});

describe('the inventory ConfigMap in a simulated cluster', () => {
  it('records the namespace before the first slice there: a create that then fails leaves the namespace listed, never a slice unlisted', async () => {
    const api = await apisFor().get('clusterOne');
    await api.createSlice(slice('ns-a'));
    expect(configMap('gns-sync-inventory')?.data).toEqual({ [KIND_ENDPOINTSLICES]: 'ns-a\n' });
    expect(configMap('gns-sync-inventory')?.metadata.labels).toMatchObject({ 'gns-sync.io/installation': 'default' });
    // A slice the API server refuses (no such namespace): recorded first all the same.
    await expect(api.createSlice(slice('ns-missing'))).rejects.toThrow(/ns-missing/);
    expect(configMap('gns-sync-inventory')?.data).toEqual({ [KIND_ENDPOINTSLICES]: 'ns-a\nns-missing\n' });
  });

  it('two writers (two containers, no shared cache) recording at once both land', async () => {
    const [one, two] = await Promise.all([apisFor().get('clusterOne'), apisFor().get('clusterOne')]);
    await Promise.all([one.inventory.record(KIND_ENDPOINTSLICES, 'ns-b'), two.inventory.record(KIND_SERVICEENTRIES, 'ns-c'), two.inventory.record(KIND_ENDPOINTSLICES, 'ns-c')]);
    const { kinds } = await one.inventory.read();
    expect([...(kinds.get(KIND_ENDPOINTSLICES) ?? [])].sort()).toEqual(['ns-a', 'ns-b', 'ns-c', 'ns-missing']);
    expect([...(kinds.get(KIND_SERVICEENTRIES) ?? [])]).toEqual(['ns-c']);
  });

  it('a forget against a read the ConfigMap changed since does nothing; against the current read it removes exactly those', async () => {
    const api = await apisFor().get('clusterOne');
    const stale = await api.inventory.read();
    await (await apisFor().get('clusterOne')).inventory.record(KIND_SERVICEENTRIES, 'ns-b');
    expect(await api.inventory.forget(KIND_ENDPOINTSLICES, ['ns-missing'], stale)).toBe(false);
    expect(configMap('gns-sync-inventory')?.data?.[KIND_ENDPOINTSLICES]).toContain('ns-missing');
    const fresh = await api.inventory.read();
    expect(await api.inventory.forget(KIND_ENDPOINTSLICES, ['ns-missing'], fresh)).toBe(true);
    expect(configMap('gns-sync-inventory')?.data).toEqual({ [KIND_ENDPOINTSLICES]: 'ns-a\nns-b\nns-c\n', [KIND_SERVICEENTRIES]: 'ns-b\nns-c\n' });
  });

  it('a ConfigMap deleted and recreated under the name since the read is not overwritten (uid precondition)', async () => {
    const api = await apisFor().get('clusterOne');
    const seen = await api.inventory.read();
    const before = configMap('gns-sync-inventory')!;
    await kc.makeApiClient(CoreV1Api).deleteNamespacedConfigMap({ namespace: 'gns-sync', name: 'gns-sync-inventory' });
    fleet.cluster('clusterOne').apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gns-sync-inventory', namespace: 'gns-sync' }, data: before.data ?? {} });
    expect(configMap('gns-sync-inventory')?.metadata.uid).not.toBe(seen.uid);
    expect(await api.inventory.forget(KIND_ENDPOINTSLICES, ['ns-a'], seen)).toBe(false);
    expect(configMap('gns-sync-inventory')?.data?.[KIND_ENDPOINTSLICES]).toContain('ns-a');
  });

  it('each installation has its own inventory', async () => {
    const teamA = await apisFor('team-a').get('clusterOne');
    await teamA.createSlice({ ...slice('ns-c'), labels: { ...slice('ns-c').labels, 'gns-sync.io/installation': 'team-a' } });
    expect(configMap('gns-sync-inventory-team-a')?.data).toEqual({ [KIND_ENDPOINTSLICES]: 'ns-c\n' });
    expect(configMap('gns-sync-inventory-team-a')?.metadata.labels).toMatchObject({ 'gns-sync.io/installation': 'team-a' });
  });
});
