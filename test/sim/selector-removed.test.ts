// A Service's selector taken off leaves the EndpointSlice controller's slices in place, as
// Kubernetes v1.33's controller does (pkg/controller/endpointslice syncService returns early for
// a Service without a selector; nothing deletes what it made while the Service lives);
// `selector: {}` is no selector (an empty map is not stored) and gets no slices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject, SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { until } from './helpers.ts';

let fleet: SimFleet;
beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], readyDelayMs: 5, events: false, containerStopMs: 0 });
  fleet.cluster('clusterOne').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
});
afterAll(async () => fleet?.stop());

const labels = { app: 'web' };
const svc = (selector: Record<string, string> | undefined, name = 'web'): unknown => ({
  apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'ns-one' },
  spec: { clusterIP: 'None', ...(selector ? { selector } : {}), ports: [{ name: 'http', port: 80 }] },
});
const controllerSlices = (service: string): KubeObject[] => fleet.cluster('clusterOne').list('endpointslices', 'ns-one', `kubernetes.io/service-name=${service},endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io`);
const addresses = (slices: readonly KubeObject[]): number => slices.flatMap((s) => (s.endpoints as unknown[] | null) ?? []).length;

describe('a Service whose selector is removed', () => {
  it('keeps the controller\'s slices (no longer updated); selector {} gets none', async () => {
    const c = fleet.cluster('clusterOne');
    c.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-0', namespace: 'ns-one', labels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'web' }] } });
    c.apply(svc(labels));
    await until('controller slice with web-0', () => (addresses(controllerSlices('web')) === 1 ? true : undefined));
    c.apply(svc(undefined));
    c.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'ns-one', labels }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'web' }] } });
    await until('web-1 running', () => ((c.get('/api/v1/namespaces/ns-one/pods/web-1')?.status as { podIP?: string }).podIP ? true : undefined));
    await new Promise((r) => setTimeout(r, 100));
    const left = controllerSlices('web');
    expect(left).toHaveLength(1);
    expect(addresses(left)).toBe(1); // stale: web-1 is not added

    const empty = c.apply(svc({}, 'empty'));
    expect((empty.spec as { selector?: unknown }).selector).toBeUndefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(controllerSlices('empty')).toEqual([]);
  });
});
