// Bad input end to end: an invalid annotation, a target with a selector, a malformed event on
// the bus — a Warning event or a dead-letter entry with the reason; every other target converges.
import type { CoreV1Event } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SEED_ANNOTATION } from '../../local/demo/scenario.ts';
import { startWorld, waitFor, type World } from './harness.ts';

let world: World;
beforeAll(async () => { world = await startWorld(); });
afterAll(async () => { await world?.stop(); });

const ports = [{ name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'kafka-client' }];
const service = (name: string, annotation: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1', kind: 'Service',
  metadata: { name, namespace: 'ns-two', annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': annotation } },
  spec: { clusterIP: 'None', ports, ...extra },
});

async function warningsOn(name: string): Promise<CoreV1Event[]> {
  const events = await world.kube.list<CoreV1Event>('clusterOne', 'v1', 'Event', 'ns-two');
  return events.filter((e) => e.type === 'Warning' && e.involvedObject.name === name);
}

it('an invalid annotation and a target with a selector get a Warning event and no slices; the others converge', async () => {
  await world.converged(3);
  await world.kube.create('clusterOne', service('bad-json', '{"app.kubernetes.io/name": kafka'));
  await world.kube.create('clusterOne', service('not-strings', '{"app.kubernetes.io/name": 3}'));
  await world.kube.create('clusterOne', {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'with-selector', namespace: 'ns-two', annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': SEED_ANNOTATION } },
    spec: { ports: [{ port: 9092, protocol: 'TCP' }], selector: { app: 'x' } },
  });
  for (const name of ['bad-json', 'not-strings', 'with-selector']) {
    const [warning] = await waitFor(`a Warning event on ${name}`, async () => {
      const found = await warningsOn(name);
      return found.length > 0 ? found : undefined;
    });
    expect(warning?.message).toBeTruthy();
    // (Kubernetes' own controller publishes the Service with a selector; gns-sync writes nothing.)
    const ours = (await world.slices('clusterOne', 'ns-two', name)).filter((s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === 'gns-sync.io');
    expect(ours).toEqual([]);
  }
  await world.kube.scale('clusterOne', 'ns-one', 'kafka', 4);
  await world.converged(4);
});

it('malformed events on the bus go to the dead-letter file with the reason; the others converge', async () => {
  const failed = await world.runtime.bus.put([
    { source: 'gns-sync.io/cluster/clusterOne', detailType: 'gns-sync.pod.upsert.v1', detail: JSON.stringify({ cluster: 'clusterOne', namespace: 'ns-one', v: 'yesterday' }) },
    { source: 'gns-sync.io/cluster/clusterTwo', detailType: 'gns-sync.pod.delete.v1', detail: JSON.stringify({ cluster: 'clusterOne', namespace: 'ns-one', v: '001764366000123.000004', name: 'kafka-0', uid: 'u' }) },
    { source: 'gns-sync.io/cluster/clusterOne', detailType: 'gns-sync.pod.upsert.v1', detail: 'not json' },
  ]);
  expect(failed).toEqual([{ index: 2, errorCode: 'MalformedDetail', errorMessage: expect.any(String) }]);
  const letters = await waitFor('2 dead letters', () => {
    const l = world.runtime.deadLetters.ingest.list();
    return l.length >= 2 ? l : undefined;
  });
  expect(letters.map((l) => l.origin)).toEqual(['ingest', 'ingest']);
  expect(letters.map((l) => l.reason).join('\n')).toMatch(/v/);
  expect(letters.some((l) => /source|cluster/.test(l.reason))).toBe(true);
  for (const l of letters) expect(l.reason).not.toContain('\n');
  await world.kube.scale('clusterOne', 'ns-one', 'kafka', 3);
  const three = await world.converged(3);
  expect(three.vips.size).toBe(3);
  expect((await world.runtime.status()).deadLetters.ingest).toBe(2);
});
