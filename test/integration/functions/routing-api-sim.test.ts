// The routing adapter (shared/adapters/kubernetes/routing-api.ts) against `sim --istio` (real
// HTTP, real @kubernetes/client-node): ServiceEntries read back with uid and resourceVersion,
// and updates and deletes conditional on both (docs/adr/0015-installation-identity.md) — an
// entry changed or recreated since it was listed is neither overwritten nor deleted; the
// namespace of every write is in the inventory first (docs/adr/0018-inventory.md).
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { kubeConfigRoutingApis } from '../../../shared/adapters/kubernetes/routing-api.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import { KIND_SERVICEENTRIES } from '../../../shared/core/inventory.ts';
import { ConflictError } from '../../../shared/errors.ts';
import type { RoutingApi } from '../../../shared/ports.ts';

let fleet: SimFleet;
let api: RoutingApi;
let kcOf: KubeConfig;

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], istio: true, dns: false, events: false });
  const kc = new KubeConfig();
  kc.loadFromString(fleet.kubeconfigYaml());
  fleet.cluster('clusterOne').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gns-sync' } });
  kcOf = kc;
  api = await kubeConfigRoutingApis(kc, new Map(), { policy: { timeoutMs: 2_000, attempts: 2, baseDelayMs: 10 } }).get('clusterOne');
});
afterAll(async () => {
  await fleet?.stop();
});

const SELECTOR = { 'app.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/routing': 'gateway' };
const entry = (address: string): ServiceEntry => ({
  cluster: 'clusterOne',
  namespace: 'istio-system',
  name: 'gnsg-0123456789abcdef',
  labels: { ...SELECTOR, 'gns-sync.io/installation': 'default' },
  ownerReferences: [],
  spec: { hosts: ['kafka-0.ns-one.clusterone.gns-sync.local'], ports: [{ number: 9092, name: 'tcp-9092', protocol: 'TCP' }], location: 'MESH_INTERNAL', resolution: 'STATIC', exportTo: ['.'], endpoints: [{ address, network: 'clusterOne', labels: { 'security.istio.io/tlsMode': 'istio' } }] },
});

describe('ServiceEntries on sim --istio', () => {
  it('the namespace is recorded in the inventory before the first write there; a failed record writes nothing (docs/adr/0018)', async () => {
    // The inventory's namespace does not exist: the record fails, the entry is not written.
    const lost = await kubeConfigRoutingApis(kcOf, new Map(), { policy: { timeoutMs: 2_000, attempts: 1 }, inventoryNamespace: 'no-such-namespace' }).get('clusterOne');
    await expect(lost.createServiceEntry(entry('10.1.0.9'))).rejects.toThrow(/inventory ConfigMap no-such-namespace/);
    expect(await api.listServiceEntries(SELECTOR, 'istio-system')).toEqual([]);
    await api.createServiceEntry(entry('10.1.0.9'));
    expect((await api.inventory.read()).kinds.get(KIND_SERVICEENTRIES)).toEqual(new Set(['istio-system']));
    const [listed] = await api.listServiceEntries(SELECTOR, 'istio-system');
    await api.deleteServiceEntry(listed!);
  });

  it('updates and deletes carry uid and resourceVersion preconditions', async () => {
    await api.createServiceEntry(entry('10.1.0.10'));
    const [listed] = await api.listServiceEntries(SELECTOR, 'istio-system');
    expect(listed?.uid).toMatch(/.+/);
    expect(listed?.resourceVersion).toMatch(/.+/);
    await api.updateServiceEntry({ ...entry('10.1.0.11'), uid: listed!.uid!, resourceVersion: listed!.resourceVersion! });
    // The entry changed since `listed`: neither an update nor a delete against it goes through.
    await expect(api.updateServiceEntry({ ...entry('10.1.0.12'), uid: listed!.uid!, resourceVersion: listed!.resourceVersion! })).rejects.toBeInstanceOf(ConflictError);
    await expect(api.deleteServiceEntry(listed!)).rejects.toBeInstanceOf(ConflictError);
    const [current] = await api.listServiceEntries(SELECTOR, 'istio-system');
    expect(current?.spec.endpoints[0]?.address).toBe('10.1.0.11');
    // Another object under the same name (another uid) is not ours to delete or overwrite.
    await expect(api.deleteServiceEntry({ ...current!, uid: 'another-incarnation' })).rejects.toBeInstanceOf(ConflictError);
    await expect(api.updateServiceEntry({ ...entry('10.1.0.13'), uid: 'another-incarnation', resourceVersion: current!.resourceVersion! })).rejects.toBeInstanceOf(ConflictError);
    await api.deleteServiceEntry(current!);
    await api.deleteServiceEntry(current!); // 404: done
    expect(await api.listServiceEntries(SELECTOR, 'istio-system')).toEqual([]);
  });
});
