// The writer's routing grants, exactly (issue 9, Deploy): on `sim --istio --rbac` with what
// `gns-sync manifests` renders for routing: istio installed, the writer's own token may list,
// create, update and delete ServiceEntries in the member namespaces of the clusters a config
// cluster configures and in istio-system (the gateway's namespace) — and nowhere else: no
// cluster-wide list (the namespaces written are in the inventory, docs/adr/0018), nothing it does
// not use (patch); it may read the gateway Services and the istio-system namespace. The demo
// (demo --once) runs the whole routing with this token.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installGnsSync } from '../../../local/demo/identities.ts';
import { DEMO_ROUTED_CONFIG } from '../../../local/demo/scenario.ts';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { kubeConfigRoutingApis } from '../../../shared/adapters/kubernetes/routing-api.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import { KIND_SERVICEENTRIES } from '../../../shared/core/inventory.ts';
import { FinalError } from '../../../shared/errors.ts';
import type { RoutingApis } from '../../../shared/ports.ts';

let fleet: SimFleet;
let writer: RoutingApis;
let writerKc: KubeConfig;

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: DEMO_ROUTED_CONFIG.clusters.map((c) => ({ name: c.name, network: c.network })), istio: true, rbac: true, dns: false, events: false });
  for (const c of ['clusterOne', 'clusterTwo']) fleet.cluster(c).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
  fleet.cluster('clusterOne').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-two' } });
  fleet.cluster('clusterTwo').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
  const identities = await installGnsSync(fleet, DEMO_ROUTED_CONFIG);
  writerKc = new KubeConfig();
  writerKc.loadFromString(identities.writer);
  writer = kubeConfigRoutingApis(writerKc, new Map(), { policy: { attempts: 1, timeoutMs: 5_000 } });
}, 60_000);
afterAll(async () => {
  await fleet?.stop();
});

const entry = (namespace: string, name: string): ServiceEntry => ({
  cluster: 'clusterTwo', namespace, name,
  labels: { 'app.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/routing': 'client', 'gns-sync.io/installation': 'default' },
  ownerReferences: [],
  spec: { hosts: [`${name}.gns-sync.local`], addresses: ['241.0.0.9'], ports: [{ number: 9092, name: 'tcp-9092', protocol: 'TCP' }], location: 'MESH_INTERNAL', resolution: 'STATIC', exportTo: ['.'], endpoints: [{ network: 'net-one', labels: { 'security.istio.io/tlsMode': 'istio' } }] },
});

describe('the writer\'s routing grants on sim --rbac', () => {
  it('create, update, delete in a member namespace and in istio-system, each namespace recorded in the inventory; gateway discovery', async () => {
    const api = await writer.get('clusterTwo');
    for (const ns of ['ns-one', 'istio-system']) {
      await api.createServiceEntry(entry(ns, 'gnsc-grant'));
      const [found] = await api.listServiceEntries({ 'gns-sync.io/routing': 'client' }, ns);
      await api.updateServiceEntry({ ...entry(ns, 'gnsc-grant'), uid: found!.uid!, resourceVersion: found!.resourceVersion! });
      const [again] = await api.listServiceEntries({ 'gns-sync.io/routing': 'client' }, ns);
      await api.deleteServiceEntry(again!);
    }
    expect((await api.inventory.read()).kinds.get(KIND_SERVICEENTRIES)).toEqual(new Set(['istio-system', 'ns-one']));
    for (const ns of ['ns-one', 'istio-system']) expect(await api.listServiceEntries({ 'app.kubernetes.io/managed-by': 'gns-sync.io' }, ns)).toEqual([]);
    const view = await api.istioView();
    expect(view.services.map((s) => `${s.namespace}/${s.name}`)).toEqual(['istio-system/istio-eastwestgateway']);
    expect(view.systemNetwork).toBe('net-two');
  });

  it('refused anywhere else, and refused verbs it does not use', async () => {
    const api = await writer.get('clusterTwo');
    // No cluster-wide list: the writers and the reconcile list only the namespaces in the inventory.
    await expect(api.listServiceEntries({ 'app.kubernetes.io/managed-by': 'gns-sync.io' })).rejects.toThrow(/403|forbidden/i);
    await expect(api.listServiceEntries({ 'app.kubernetes.io/managed-by': 'gns-sync.io' }, 'elsewhere')).rejects.toBeInstanceOf(FinalError);
    await expect(api.createServiceEntry(entry('elsewhere', 'gnsc-nope'))).rejects.toThrow(/403|forbidden/i);
    await expect(api.createServiceEntry(entry('elsewhere', 'gnsc-nope'))).rejects.toBeInstanceOf(FinalError);
    const one = await writer.get('clusterOne');
    await expect(one.createServiceEntry({ ...entry('default', 'gnsc-nope'), cluster: 'clusterOne' })).rejects.toBeInstanceOf(FinalError);
    // No patch: the writer replaces (update) against the listed resourceVersion.
    const { CustomObjectsApi } = await import('@kubernetes/client-node');
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: writerKc.clusters, users: writerKc.users, contexts: writerKc.contexts, currentContext: 'clusterTwo' });
    await api.createServiceEntry(entry('ns-one', 'gnsc-patch'));
    await expect(kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'serviceentries', namespace: 'ns-one', name: 'gnsc-patch', body: [{ op: 'add', path: '/metadata/labels/x', value: 'y' }] })).rejects.toMatchObject({ code: 403 });
  });
});
