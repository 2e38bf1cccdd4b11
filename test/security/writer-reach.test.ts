// Adversarial: what the writer's credential reaches (issue 11, finding 4), against a simulated
// cluster that enforces RBAC (`sim --rbac`) with exactly the RBAC `gns-sync manifests` renders
// and a bound, expiring writer token (TokenRequest with expirationSeconds, as docs/deploy.md
// says to issue it). The cluster-wide list the reconcile used to make and a list in a namespace
// that is no member are refused with 403; the writer's own work (its inventory, its slices in a
// member namespace, finding its leftovers) is allowed.
import { CoreV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manifestSettings } from '../../local/cli/commands/manifests.ts';
import { rbacObjects, renderCluster } from '../../local/manifests/render.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import type { SimFleet } from '../../local/sim/index.ts';
import { kubeClusterApi } from '../../shared/adapters/kubernetes/cluster-api.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { KIND_ENDPOINTSLICES } from '../../shared/core/inventory.ts';
import type { Slice } from '../../shared/core/types.ts';
import { FinalError } from '../../shared/errors.ts';
import type { ClusterApi } from '../../shared/ports.ts';
import { EXAMPLE_CONFIG } from '../infra/synth.ts';

let fleet: SimFleet;
let writerKc: KubeConfig;
let writer: ClusterApi;
let expiresAt: Date | undefined;

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], rbac: true, dns: false, events: false });
  const sim = fleet.cluster('clusterOne');
  for (const name of ['gns-sync', 'ns-one', 'ns-two', 'ns-other']) sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gns-sync-writer', namespace: 'gns-sync' } });
  sim.apply({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'gns-sync-agent', namespace: 'gns-sync' } });
  for (const o of rbacObjects(renderCluster(loadConfig(EXAMPLE_CONFIG), 'clusterOne', manifestSettings()))) sim.apply(o);
  const admin = new KubeConfig();
  admin.loadFromString(fleet.kubeconfigYaml());
  const request = await admin.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    name: 'gns-sync-writer', namespace: 'gns-sync', body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  expiresAt = request.status?.expirationTimestamp;
  writerKc = new KubeConfig();
  writerKc.loadFromOptions({
    clusters: admin.clusters,
    users: [{ name: 'gns-sync-writer', token: request.status?.token ?? '' }],
    contexts: [{ name: 'clusterOne', cluster: admin.clusters[0]!.name, user: 'gns-sync-writer' }],
    currentContext: 'clusterOne',
  });
  writer = kubeClusterApi(writerKc, { cluster: 'clusterOne', policy: { attempts: 1, timeoutMs: 5_000 } });
});
afterAll(async () => {
  await fleet?.stop();
});

const status = async (p: Promise<unknown>): Promise<number | undefined> => {
  try {
    await p;
    return 200;
  } catch (error) {
    return (error as { code?: number }).code;
  }
};

const ours = (namespace: string): Slice => ({
  namespace,
  labels: { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': 'kafka-gns' },
  ownerReferences: [], addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.1'], hostname: 'kafka-0', conditions: { ready: true, serving: true, terminating: false } }],
  ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP' }],
});

describe("the writer's reach with the rendered RBAC and a bound token (finding 4)", () => {
  it('the token is bound and expires (TokenRequest with expirationSeconds)', () => {
    expect(expiresAt).toBeInstanceOf(Date);
    expect(expiresAt!.getTime() - Date.now()).toBeLessThanOrEqual(3600_000 + 5_000);
  });

  it('refuses the cluster-wide list and a list in a namespace that is no member (403)', async () => {
    const discovery = writerKc.makeApiClient(DiscoveryV1Api);
    expect(await status(discovery.listEndpointSliceForAllNamespaces())).toBe(403);
    expect(await status(discovery.listNamespacedEndpointSlice({ namespace: 'ns-other' }))).toBe(403);
    await expect(writer.listManagedSlices('ns-other')).rejects.toBeInstanceOf(FinalError);
  });

  it("allows the writer's own work: its inventory, its slices in a member namespace, finding them again", async () => {
    const created = await writer.createSlice(ours('ns-one'));
    expect((await writer.inventory.read()).kinds.get(KIND_ENDPOINTSLICES)).toEqual(new Set(['ns-one']));
    expect((await writer.listManagedSlices('ns-one')).map((s) => s.name)).toEqual([created.name]);
    await writer.deleteSlice(created);
    expect(await writer.listManagedSlices('ns-one')).toEqual([]);
  });
});
