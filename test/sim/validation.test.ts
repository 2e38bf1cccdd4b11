// Validation and conflicts through the real clients: invalid EndpointSlices get 422 with a
// real-shaped Status and change nothing; a stale update gets 409; bad names and labels, bad
// bodies and unknown paths get the statuses a real API server gives.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { http } from './helpers.ts';

interface Status { kind: string; metadata?: unknown; apiVersion: string; status: string; reason: string; message: string; code: number; details?: { name?: string; group?: string; kind?: string; causes?: { reason: string; message: string; field: string }[] } }

function slice(name: string, endpoints: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, labels: { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io' } },
    addressType: 'IPv4', endpoints, ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP' }], ...extra,
  };
}

describe('validation, conflicts and errors', () => {
  let fleet: SimFleet;
  let base: string;
  let discovery: k8s.DiscoveryV1Api;
  const slicesPath = '/apis/discovery.k8s.io/v1/namespaces/ns-two/endpointslices';

  beforeAll(async () => {
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }] });
    base = fleet.clusters[0]!.url;
    const kc = new k8s.KubeConfig();
    kc.loadFromString(fleet.kubeconfigYaml());
    discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    await http(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'ns-two' } });
  });
  afterAll(async () => fleet?.stop());

  async function expectInvalid(body: unknown, field: string, message: string): Promise<Status> {
    const before = fleet.clusters[0]!.resourceVersion;
    const r = await http(base, 'POST', slicesPath, body);
    expect(r.status).toBe(422);
    const s = r.body as Status;
    expect(s).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Invalid', code: 422, details: { group: 'discovery.k8s.io', kind: 'EndpointSlice' } });
    expect(s.metadata).toEqual({});
    const cause = s.details!.causes!.find((c) => c.field === field);
    expect(cause, JSON.stringify(s.details?.causes)).toBeDefined();
    expect(cause!.message).toContain(message);
    expect(s.message).toContain(`EndpointSlice.discovery.k8s.io "${(body as { metadata: { name: string } }).metadata.name}" is invalid: `);
    expect(s.message).toContain(`${field}: ${cause!.message}`);
    expect(fleet.clusters[0]!.resourceVersion).toBe(before);
    return s;
  }

  const ep = (addresses: string[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({ addresses, conditions: { ready: true }, ...extra });

  it('accepts a valid slice and answers with the stored object', async () => {
    const r = await http(base, 'POST', slicesPath, slice('ok', [ep(['10.1.0.5'], { hostname: 'kafka-0' })]));
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ metadata: { name: 'ok', namespace: 'ns-two', generation: 1 }, addressType: 'IPv4' });
  });

  it.each([
    ['loopback', ['127.0.0.1'], 'endpoints[0].addresses[0]', 'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)'],
    ['link-local', ['169.254.1.1'], 'endpoints[0].addresses[0]', 'may not be in the link-local range'],
    ['unspecified', ['0.0.0.0'], 'endpoints[0].addresses[0]', 'may not be unspecified'],
    ['leading zeros', ['10.01.0.1'], 'endpoints[0].addresses[0]', 'Invalid value: "10.01.0.1": must not have leading 0s'],
    ['not IPv4', ['2001:db8::1'], 'endpoints[0].addresses[0]', 'must be a valid IPv4 address'],
    ['no address', [], 'endpoints[0].addresses', 'Required value: must contain at least 1 address'],
    ['101 addresses', Array.from({ length: 101 }, (_, i) => `10.9.0.${i + 1}`), 'endpoints[0].addresses', 'Too many: 101: must have at most 100 items'],
  ])('rejects an endpoint address: %s', async (_label, addresses, field, message) => {
    await expectInvalid(slice('bad', [ep(addresses)]), field, message);
  });

  it('rejects more than 1000 endpoints', async () => {
    const endpoints = Array.from({ length: 1001 }, (_, i) => ep([`10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`]));
    await expectInvalid(slice('big', endpoints), 'endpoints', 'Too many: 1001: must have at most 1000 items');
  });

  it('rejects IPv6 not in canonical form, and accepts it canonical', async () => {
    await expectInvalid(slice('v6', [ep(['2001:DB8:0:0::1'])], { addressType: 'IPv6' }), 'endpoints[0].addresses[0]', 'must be in canonical form ("2001:db8::1")');
    await expectInvalid(slice('v6', [ep(['fe80::1'])], { addressType: 'IPv6' }), 'endpoints[0].addresses[0]', 'link-local');
    await expectInvalid(slice('v6', [ep(['::1'])], { addressType: 'IPv6' }), 'endpoints[0].addresses[0]', 'loopback');
    expect((await http(base, 'POST', slicesPath, slice('v6', [ep(['2001:db8::1'])], { addressType: 'IPv6' }))).status).toBe(201);
  });

  it('rejects a bad hostname, duplicate port names, a bad protocol, a bad addressType, a bad name and labels', async () => {
    await expectInvalid(slice('h', [ep(['10.1.0.9'], { hostname: 'Kafka_0' })]), 'endpoints[0].hostname', 'a lowercase RFC 1123 label must consist of');
    await expectInvalid(slice('p', [ep(['10.1.0.9'])], { ports: [{ name: 'a', port: 1, protocol: 'TCP' }, { name: 'a', port: 2, protocol: 'TCP' }] }), 'ports[1].name', 'Duplicate value: "a"');
    await expectInvalid(slice('p', [ep(['10.1.0.9'])], { ports: [{ name: 'a', port: 1, protocol: 'HTTP' }] }), 'ports[0].protocol', 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"');
    await expectInvalid(slice('t', [], { addressType: 'IPv5' }), 'addressType', 'Unsupported value: "IPv5"');
    await expectInvalid(slice('Bad_Name', []), 'metadata.name', 'a lowercase RFC 1123 subdomain must consist of');
    const bad = slice('l', []);
    (bad.metadata as { labels: Record<string, string> }).labels['gns-sync.io/gns'] = 'not ok!';
    await expectInvalid(bad, 'metadata.labels', 'Invalid value: "not ok!": a valid label must be an empty string or consist of alphanumeric characters');
  });

  it('keeps addressType immutable', async () => {
    const r = await http(base, 'PUT', `${slicesPath}/ok`, { ...slice('ok', [ep(['2001:db8::2'])]), addressType: 'IPv6' });
    expect(r.status).toBe(422);
    expect((r.body as Status).details!.causes).toContainEqual({ reason: 'FieldValueInvalid', field: 'addressType', message: 'Invalid value: "IPv6": field is immutable' });
  });

  it('answers a stale update with 409 Conflict, through the client too', async () => {
    const current = await discovery.readNamespacedEndpointSlice({ namespace: 'ns-two', name: 'ok' });
    const staleRv = current.metadata!.resourceVersion!;
    current.endpoints = [{ addresses: ['10.1.0.6'], conditions: { ready: true } }];
    const replaced = await discovery.replaceNamespacedEndpointSlice({ namespace: 'ns-two', name: 'ok', body: current });
    expect(Number(replaced.metadata!.resourceVersion)).toBeGreaterThan(Number(staleRv));
    expect(replaced.metadata!.generation).toBe(2);
    const stale = { ...current, metadata: { ...current.metadata, resourceVersion: staleRv } };
    const error = await discovery.replaceNamespacedEndpointSlice({ namespace: 'ns-two', name: 'ok', body: stale }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(k8s.ApiException);
    const apiError = error as k8s.ApiException<string>;
    expect(apiError.code).toBe(409);
    const body = JSON.parse(apiError.body) as Status;
    expect(body).toMatchObject({
      kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409,
      message: 'Operation cannot be fulfilled on endpointslices.discovery.k8s.io "ok": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'ok', group: 'discovery.k8s.io', kind: 'endpointslices' },
    });
  });

  it('writes nothing for an update that changes nothing (same resourceVersion, no watch event)', async () => {
    const current = await discovery.readNamespacedEndpointSlice({ namespace: 'ns-two', name: 'ok' });
    const rv = fleet.clusters[0]!.resourceVersion;
    const again = await discovery.replaceNamespacedEndpointSlice({ namespace: 'ns-two', name: 'ok', body: current });
    expect(again.metadata!.resourceVersion).toBe(current.metadata!.resourceVersion);
    expect(fleet.clusters[0]!.resourceVersion).toBe(rv);
  });

  it('answers create of an existing name with 409 AlreadyExists and a missing one with 404 NotFound', async () => {
    const dup = await http(base, 'POST', slicesPath, slice('ok', []));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ reason: 'AlreadyExists', message: 'endpointslices.discovery.k8s.io "ok" already exists' });
    const missing = await http(base, 'GET', `${slicesPath}/nope`);
    expect(missing.body).toMatchObject({ kind: 'Status', reason: 'NotFound', code: 404, message: 'endpointslices.discovery.k8s.io "nope" not found', details: { name: 'nope', group: 'discovery.k8s.io', kind: 'endpointslices' } });
    const noNs = await http(base, 'POST', '/apis/discovery.k8s.io/v1/namespaces/nowhere/endpointslices', slice('x', []));
    expect(noNs.body).toMatchObject({ code: 404, message: 'namespaces "nowhere" not found' });
  });

  it('answers unknown paths with a 404 Status, bad JSON with 400, and unknown patch types with 415', async () => {
    for (const path of ['/api/v1/widgets', '/apis/example.com/v1/things', '/nope', '/apis/discovery.k8s.io/v2/endpointslices']) {
      const r = await http(base, 'GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    }
    const badJson = await http(base, 'POST', slicesPath, '{"metadata":');
    expect(badJson.status).toBe(400);
    expect(badJson.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const badPatch = await http(base, 'PATCH', `${slicesPath}/ok`, '{}', 'text/plain');
    expect(badPatch.status).toBe(415);
    const badKind = await http(base, 'POST', slicesPath, { ...slice('k', []), kind: 'Service' });
    expect(badKind.status).toBe(400);
    const badSelector = await http(base, 'GET', `${slicesPath}?labelSelector=${encodeURIComponent('a in b')}`);
    expect(badSelector.status).toBe(400);
    const badField = await http(base, 'GET', `${slicesPath}?fieldSelector=spec.foo%3Dbar`);
    expect(badField.body).toMatchObject({ code: 400, message: 'field label not supported: spec.foo' });
  });

  it('validates Service names (DNS-1035) and namespaces (DNS-1123 labels)', async () => {
    const svc = await http(base, 'POST', '/api/v1/namespaces/ns-two/services', { metadata: { name: '1kafka' }, spec: { clusterIP: 'None' } });
    expect(svc.status).toBe(422);
    expect((svc.body as Status).details!.causes![0]).toMatchObject({ field: 'metadata.name', message: expect.stringContaining('a DNS-1035 label must consist of lower case alphanumeric characters') });
    const ns = await http(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'nsOne' } });
    expect(ns.body).toMatchObject({ code: 422, reason: 'Invalid', message: expect.stringMatching(/^Namespace "nsOne" is invalid: metadata.name: Invalid value: "nsOne"/), details: { name: 'nsOne', kind: 'Namespace' } });
    expect((ns.body as Status).details!.group).toBeUndefined();
  });

  it('lets a pod update change the image only, as Kubernetes does', async () => {
    const pods = '/api/v1/namespaces/ns-two/pods';
    expect((await http(base, 'POST', pods, { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i:1' }] } })).status).toBe(201);
    const image = await http(base, 'PATCH', `${pods}/p`, { spec: { containers: [{ name: 'c', image: 'i:2' }] } }, 'application/strategic-merge-patch+json');
    expect(image.status).toBe(200);
    const renamed = await http(base, 'PATCH', `${pods}/p`, { spec: { hostname: 'other' } }, 'application/merge-patch+json');
    expect(renamed.status).toBe(422);
    expect((renamed.body as Status).details!.causes![0]).toMatchObject({ reason: 'FieldValueForbidden', field: 'spec' });
  });
});
