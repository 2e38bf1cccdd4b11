// The garbage collector and dependents whose owner does not exist, as Kubernetes v1.33's does
// (https://kubernetes.io/docs/concepts/architecture/garbage-collection/#owners-dependents;
// pkg/controller/garbagecollector attemptToDeleteItem: an owner absent, or present with another
// uid, is "dangling"): a dependent whose owners all dangle is deleted within seconds; one with an
// owner still there loses only the dangling reference; an owner of a kind the server does not
// serve is left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';

let fleet: SimFleet;
beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], events: false });
  fleet.cluster('clusterOne').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
});
afterAll(async () => fleet?.stop());

const cm = (name: string, owners: { kind: string; apiVersion: string; name: string; uid: string }[]): unknown => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns-one', ownerReferences: owners }, data: {},
});

describe('dependents of absent owners', () => {
  it('deletes a dependent whose owner has another uid, or does not exist; keeps one with a live owner, without the dangling reference', async () => {
    const c = fleet.cluster('clusterOne');
    const svc = c.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'ns-one' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
    const live = { apiVersion: 'v1', kind: 'Service', name: 'web', uid: svc.metadata.uid ?? '' };
    c.apply(cm('stale-uid', [{ ...live, uid: '00000000-0000-0000-0000-000000000001' }]));
    c.apply(cm('no-owner', [{ apiVersion: 'v1', kind: 'Service', name: 'nothing', uid: '00000000-0000-0000-0000-000000000002' }]));
    c.apply(cm('one-live', [{ ...live, uid: '00000000-0000-0000-0000-000000000003' }, live]));
    c.apply(cm('owned', [live]));
    c.apply(cm('unknown-kind', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: '00000000-0000-0000-0000-000000000004' }]));
    await expect.poll(() => c.list('configmaps', 'ns-one').map((o) => o.metadata.name), { timeout: 5000 }).toEqual(['one-live', 'owned', 'unknown-kind']);
    expect(c.get('/api/v1/namespaces/ns-one/configmaps/one-live')!.metadata.ownerReferences).toEqual([live]);
    expect(c.get('/api/v1/namespaces/ns-one/configmaps/owned')!.metadata.ownerReferences).toEqual([live]);
  });
});
