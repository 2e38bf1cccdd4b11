// Least privilege, enforced (issue 13): the e2e world runs the agents with the gns-sync-agent
// token and the functions' writer with the gns-sync-writer token, bound only by the RBAC that
// `gns-sync manifests` renders for the config (the same as deploy/clusters/*), in clusters that
// enforce RBAC (sim --rbac). What each may not do is refused by the API server; the runtime
// really runs as them (taking a grant away stops exactly what it allowed).
import { ApiException, AppsV1Api, CoreV1Api, CoordinationV1Api, DiscoveryV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedObjects } from '../../local/demo/identities.ts';
import { DEMO_CONFIG } from '../../local/demo/scenario.ts';
import { findResource } from '../../local/sim/api/resources.ts';
import type { World } from './harness.ts';
import { startWorld, waitFor } from './harness.ts';

const slice = (name: string) => ({
  metadata: { name, labels: { 'kubernetes.io/service-name': 'kafka-headless' } },
  addressType: 'IPv4', endpoints: [{ addresses: ['10.9.9.9'] }], ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP' }],
});

/** The HTTP status a call ends with (200 when it succeeds). */
async function status(call: () => Promise<unknown>): Promise<number> {
  try {
    await call();
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

describe('least privilege: the agent and the writer with their own tokens and the rendered RBAC', () => {
  let world: World;
  const client = <T>(who: 'agent' | 'writer', cluster: string, api: new (...args: never[]) => T): T => {
    const kc = new KubeConfig();
    kc.loadFromString(world.base.identities![who]);
    kc.setCurrentContext(cluster);
    return kc.makeApiClient(api as never) as T;
  };

  beforeAll(async () => {
    world = await startWorld();
    await world.converged(3);
  });
  afterAll(async () => world?.stop());

  it('the identities are the ServiceAccounts of deploy/, in clusters that enforce RBAC', async () => {
    expect(world.fleet.clusters.every((c) => c.url.startsWith('https://'))).toBe(true);
    for (const who of ['agent', 'writer'] as const) {
      const kc = new KubeConfig();
      kc.loadFromString(world.base.identities![who]);
      const review = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'kube-system' }).then(() => 'allowed', (e: unknown) => (e instanceof ApiException ? e.body : String(e)));
      expect(review).toContain(`User \\"system:serviceaccount:gns-sync:gns-sync-${who}\\" cannot list resource \\"pods\\"`);
    }
    // What was installed is what `gns-sync manifests` renders (RBAC included), nothing made up for the test.
    const kinds = installedObjects(DEMO_CONFIG, 'clusterTwo').map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(kinds).toContain('RoleBinding/ns-one/gns-sync-writer');
    expect(kinds).toContain('Secret/gns-sync/gns-sync-writer-token');
  });

  it('the agent reads pods and Services of member namespaces and writes nothing there', async () => {
    const core = client('agent', 'clusterOne', CoreV1Api);
    const slices = client('agent', 'clusterOne', DiscoveryV1Api);
    expect(await status(() => core.listNamespacedPod({ namespace: 'ns-one' }))).toBe(200);
    expect(await status(() => core.listNamespacedService({ namespace: 'ns-two' }))).toBe(200);
    expect(await status(() => slices.createNamespacedEndpointSlice({ namespace: 'ns-two', body: slice('agent-made') }))).toBe(403);
    expect(await status(() => slices.listNamespacedEndpointSlice({ namespace: 'ns-two' }))).toBe(403);
    expect(await status(() => core.createNamespacedPod({ namespace: 'ns-one', body: { metadata: { name: 'agent-pod' }, spec: { containers: [{ name: 'c', image: 'x' }] } } }))).toBe(403);
    expect(await status(() => core.deleteNamespacedPod({ name: 'kafka-0', namespace: 'ns-one' }))).toBe(403);
    expect(await status(() => core.patchNamespacedPodStatus({ name: 'kafka-0', namespace: 'ns-one', body: [{ op: 'replace', path: '/status/podIP', value: '10.9.9.9' }] }))).toBe(403);
    expect(await status(() => core.createNamespacedEvent({ namespace: 'ns-one', body: { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'kafka-0', namespace: 'ns-one' } } }))).toBe(403);
    expect(await status(() => core.listNamespacedSecret({ namespace: 'gns-sync' }))).toBe(403);
    // A deleted pod's StatefulSet, by name (does it return?); never listed.
    const apps = client('agent', 'clusterOne', AppsV1Api);
    expect(await status(() => apps.readNamespacedStatefulSet({ name: 'kafka', namespace: 'ns-one' }))).toBe(200);
    expect(await status(() => apps.listNamespacedStatefulSet({ namespace: 'ns-one' }))).toBe(403);
    expect(await status(() => apps.patchNamespacedStatefulSetScale({ name: 'kafka', namespace: 'ns-one', body: [{ op: 'replace', path: '/spec/replicas', value: 0 }] }))).toBe(403);
    // Its Lease, by name only.
    const leases = client('agent', 'clusterOne', CoordinationV1Api);
    expect(await status(() => leases.readNamespacedLease({ name: 'gns-sync-agent', namespace: 'gns-sync' }))).toBe(200);
    expect(await status(() => leases.readNamespacedLease({ name: 'kube-controller-manager', namespace: 'gns-sync' }))).toBe(403);
  });

  it('the writer may not read Secrets nor touch slices of a namespace that is not a member', async () => {
    const core = client('writer', 'clusterTwo', CoreV1Api);
    const slices = client('writer', 'clusterTwo', DiscoveryV1Api);
    for (const namespace of ['gns-sync', 'ns-one', 'kube-system']) {
      expect(await status(() => core.listNamespacedSecret({ namespace }))).toBe(403);
      expect(await status(() => core.readNamespacedSecret({ name: 'gns-sync-writer-token', namespace }))).toBe(403);
    }
    expect(await status(() => slices.listNamespacedEndpointSlice({ namespace: 'ns-one' }))).toBe(200);
    expect(await status(() => slices.createNamespacedEndpointSlice({ namespace: 'default', body: slice('writer-made') }))).toBe(403);
    expect(await status(() => slices.deleteCollectionNamespacedEndpointSlice({ namespace: 'default' }))).toBe(403);
    expect(await status(() => core.listNamespacedPod({ namespace: 'ns-one' }))).toBe(403);
    expect(await status(() => core.createNamespace({ body: { metadata: { name: 'writer-ns' } } }))).toBe(403);
  });

  it('the runtime runs as them: without the writer\'s RoleBinding in clusterTwo/ns-one that target\'s syncs are refused; with it back they converge', async () => {
    const admin = world.fleet.cluster('clusterTwo');
    const binding = admin.get('/apis/rbac.authorization.k8s.io/v1/namespaces/ns-one/rolebindings/gns-sync-writer')!;
    admin.registry.delete(findResource('rbac.authorization.k8s.io', 'v1', 'rolebindings')!, 'ns-one', 'gns-sync-writer');
    expect(admin.get('/apis/rbac.authorization.k8s.io/v1/namespaces/ns-one/rolebindings/gns-sync-writer')).toBeUndefined();
    await world.kube.scale('clusterOne', 'ns-one', 'kafka', 4);
    const target = async () => (await world.runtime.status()).targets.find((t) => t.target.cluster === 'clusterTwo');
    const refused = await waitFor('the writer refused in clusterTwo/ns-one', async () => ((await target())?.lastError?.includes('403') ? (await target())!.lastError : undefined), 20_000);
    // The update from the sync's memory is refused first; a later sync of the burst lists (its memory
    // went with the failure) and is refused too: either is the target's last error.
    expect(refused).toMatch(/is forbidden: User "system:serviceaccount:gns-sync:gns-sync-writer" cannot (update|list) resource "endpointslices" in API group "discovery.k8s.io" in the namespace "ns-one"/);
    // The other target, whose binding is there, follows.
    expect((await world.runtime.status()).targets.find((t) => t.target.cluster === 'clusterOne')?.lastError).toBeUndefined();
    const { metadata, ...rest } = binding;
    admin.apply({ ...rest, metadata: { name: metadata.name, namespace: metadata.namespace, labels: metadata.labels } });
    await world.runtime.reconcile();
    await world.converged(4, 30_000);
  });
});
