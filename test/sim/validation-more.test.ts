// Validation as Kubernetes v1.33 answers it (pkg/apis/core/validation ValidateService: duplicate
// (protocol, port); pkg/apis/apps/validation ValidateStatefulSetUpdate: only replicas, ordinals,
// template, updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and
// minReadySeconds may change; pkg/apis/discovery/validation validateHints: at most 8 zone and
// 8 node hints, each once, zones label values, nodes node names).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { http } from './helpers.ts';

let fleet: SimFleet;
let base: string;
beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], events: false, containerStopMs: 0 });
  base = fleet.cluster('clusterOne').url;
});
afterAll(async () => fleet?.stop());

const message = (r: { body: unknown }): string => (r.body as { message: string }).message;

describe('validation', () => {
  it('refuses a Service with two ports of the same protocol and number', async () => {
    const r = await http(base, 'POST', '/api/v1/namespaces/default/services', { metadata: { name: 'dup' }, spec: { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, targetPort: 8080 }] } });
    expect(r.status).toBe(422);
    expect(message(r)).toBe('Service "dup" is invalid: spec.ports[1]: Duplicate value: {"protocol":"TCP","port":80}');
    expect((await http(base, 'POST', '/api/v1/namespaces/default/services', { metadata: { name: 'ok' }, spec: { ports: [{ name: 'a', port: 80 }, { name: 'b', port: 80, protocol: 'UDP' }] } })).status).toBe(201);
  });

  it('refuses changes to a StatefulSet\'s serviceName or selector; replicas and template may change', async () => {
    const labels = { app: 'kafka' };
    const sts = { metadata: { name: 'kafka' }, spec: { replicas: 0, serviceName: 'kafka-headless', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'k', image: 'kafka' }] } } } };
    const path = '/apis/apps/v1/namespaces/default/statefulsets';
    expect((await http(base, 'POST', path, sts)).status).toBe(201);
    const patch = (body: unknown) => http(base, 'PATCH', `${path}/kafka`, body, 'application/merge-patch+json');
    const renamed = await patch({ spec: { serviceName: 'other' } });
    expect(renamed.status).toBe(422);
    expect(message(renamed)).toBe("StatefulSet.apps \"kafka\" is invalid: spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden");
    expect((await patch({ spec: { selector: { matchLabels: { app: 'kafka', tier: 'x' } }, template: { metadata: { labels: { app: 'kafka', tier: 'x' } } } } })).status).toBe(422);
    expect((await patch({ spec: { replicas: 0, minReadySeconds: 5, template: { metadata: { annotations: { a: 'b' } } } } })).status).toBe(200);
  });

  it('refuses EndpointSlice hints: more than 8 zones, a zone twice, a node name that is not one', async () => {
    const slice = (hints: unknown) => ({ metadata: { name: `s-${Math.random().toString(36).slice(2, 8)}` }, addressType: 'IPv4', endpoints: [{ addresses: ['10.1.0.5'], hints }], ports: [] });
    const path = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
    const many = await http(base, 'POST', path, slice({ forZones: Array.from({ length: 9 }, (_, i) => ({ name: `z${i}` })) }));
    expect(many.status).toBe(422);
    expect(message(many)).toContain('endpoints[0].hints.forZones: Too many: 9: must have at most 8 items');
    const twice = await http(base, 'POST', path, slice({ forZones: [{ name: 'a' }, { name: 'a' }] }));
    expect(message(twice)).toContain('endpoints[0].hints.forZones[1].name: Duplicate value: "a"');
    const node = await http(base, 'POST', path, slice({ forNodes: [{ name: 'Not_A_Node' }] }));
    expect(node.status).toBe(422);
    expect(message(node)).toContain('endpoints[0].hints.forNodes[0].name: Invalid value: "Not_A_Node"');
    expect((await http(base, 'POST', path, slice({ forZones: [{ name: 'eu-west-1a' }], forNodes: [{ name: 'node-1' }] }))).status).toBe(201);
  });
});
