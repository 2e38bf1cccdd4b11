// Protobuf request bodies as kubectl v1.32.4 sends them. The fixtures are the bodies kubectl
// posted (captured with `kubectl -v=8` through a recording proxy) for `kubectl create
// namespace|configmap|secret generic|secret docker-registry|serviceaccount|token|service|role|
// rolebinding|clusterrole|clusterrolebinding` and `kubectl auth can-i|whoami`; each must decode to
// the object a real server (k8s.io/api v0.33 generated.proto) reads from it. `scale`, `label`
// and `annotate` send JSON merge patches (application/merge-patch+json), not protobuf.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtobufObject } from '../../local/sim/api/protobuf.ts';
import { findResource } from '../../local/sim/api/resources.ts';
import type { SimEnv } from './helpers.ts';
import { hasKubectl, http, startEnv } from './helpers.ts';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`./fixtures/kubectl-1.32-protobuf/${name}.bin`, import.meta.url)));
const RBAC = 'rbac.authorization.k8s.io';

describe('protobuf bodies kubectl 1.32 sends', () => {
  it.each<[string, unknown]>([
    ['namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'capns' }, spec: {} }],
    ['configmap', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm3', namespace: 'capns' }, data: { a: 'b' }, binaryData: { bin: Buffer.from([0, 0xff, 0xfe]).toString('base64') } }],
    ['secret-generic', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's2', namespace: 'capns' }, data: { user: Buffer.from('admin').toString('base64') }, type: 'Opaque' }],
    ['secret-docker-registry', {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'reg', namespace: 'capns' }, type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from('{"auths":{"r.example":{"username":"u","password":"p","auth":"dTpw"}}}').toString('base64') },
    }],
    ['serviceaccount', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa2', namespace: 'capns' } }],
    // kubectl create token sa2 --duration=1h --audience=a1 --bound-object-kind=Pod --bound-object-name=p1 --bound-object-uid=u1
    ['tokenrequest', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: {}, spec: { audiences: ['a1'], expirationSeconds: 3600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'p1', uid: 'u1' } } }],
    ['service', {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web3', namespace: 'capns', labels: { app: 'web3' } },
      spec: { ports: [{ name: '9092-client', protocol: 'TCP', port: 9092, targetPort: 'client' }], selector: { app: 'web3' }, clusterIP: 'None', type: 'ClusterIP' },
    }],
    ['role', { apiVersion: `${RBAC}/v1`, kind: 'Role', metadata: { name: 'r1', namespace: 'capns' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'services'], resourceNames: ['x'] }] }],
    ['rolebinding', {
      apiVersion: `${RBAC}/v1`, kind: 'RoleBinding', metadata: { name: 'rb1', namespace: 'capns' }, roleRef: { apiGroup: RBAC, kind: 'Role', name: 'r1' },
      subjects: [{ kind: 'User', apiGroup: RBAC, name: 'alice' }, { kind: 'Group', apiGroup: RBAC, name: 'devs' }, { kind: 'ServiceAccount', name: 'sa2', namespace: 'capns' }],
    }],
    ['clusterrole', { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'cr1' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }],
    ['clusterrole-aggregation', { apiVersion: `${RBAC}/v1`, kind: 'ClusterRole', metadata: { name: 'cr2' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: 'b' } }] } }],
    ['clusterrolebinding', { apiVersion: `${RBAC}/v1`, kind: 'ClusterRoleBinding', metadata: { name: 'crb1' }, subjects: [{ kind: 'User', apiGroup: RBAC, name: 'bob' }], roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'cr1' } }],
    ['selfsubjectaccessreview', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', metadata: {}, spec: { resourceAttributes: { namespace: 'capns', verb: 'list', resource: 'pods' } } }],
    ['selfsubjectreview-v1', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} }],
    ['selfsubjectreview-v1beta1', { apiVersion: 'authentication.k8s.io/v1beta1', kind: 'SelfSubjectReview', metadata: {} }],
  ])('%s', (name, expected) => {
    expect(decodeProtobufObject(fixture(name))).toEqual(expected);
  });

  it('keeps a zero that is a value (Scale to 0 replicas) and drops zeros Go writes for unset fields', () => {
    const len = (n: number, b: Buffer): Buffer => Buffer.concat([Buffer.from([(n << 3) | 2, b.length]), b]);
    const typeMeta = Buffer.concat([len(1, Buffer.from('autoscaling/v1')), len(2, Buffer.from('Scale'))]);
    const scale = Buffer.concat([len(1, Buffer.concat([len(1, Buffer.from('kafka')), len(6, Buffer.alloc(0)), Buffer.from([7 << 3, 0])])), len(2, Buffer.from([1 << 3, 0]))]);
    const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), len(1, typeMeta), len(2, scale)]);
    expect(decodeProtobufObject(body)).toEqual({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'kafka' }, spec: { replicas: 0 } });
  });

  it('answers 415 for kinds it does not decode and 400 for a body without the envelope', () => {
    const pods = findResource('', 'v1', 'pods')!;
    const asPod = Buffer.from(fixture('namespace').toString('latin1').replace('\x12\x09Namespace', '\x12\x09NamespacX'), 'latin1');
    expect(() => decodeProtobufObject(asPod, pods)).toThrow(expect.objectContaining({ code: 415, message: expect.stringMatching(/decodes protobuf bodies only for Namespace, ConfigMap, Secret/) }));
    expect(() => decodeProtobufObject(Buffer.from('{}'), pods)).toThrow(expect.objectContaining({ code: 400 }));
  });
});

// kubectl is installed on every machine this project runs on; without it these tests cannot say anything.
describe.skipIf(!hasKubectl)('kubectl imperative commands against the simulated cluster', () => {
  let env: SimEnv;
  beforeAll(async () => {
    env = await startEnv({ clusters: [{ name: 'one' }], istio: true });
  });
  afterAll(async () => env?.close());

  it('creates namespaces, configmaps (binary data too) and services from protobuf bodies', async () => {
    await env.k(['create', 'namespace', 'pb']);
    const r = await env.kubectl(['create', 'configmap', 'cm', '-n', 'pb', '--from-literal=a=b', '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ metadata: { name: 'cm', namespace: 'pb' }, data: { a: 'b' } });
    const svc = JSON.parse(await env.k(['create', 'service', 'clusterip', 'kafka-headless', '-n', 'pb', '--clusterip=None', '--tcp=9092:client', '-o', 'json'])) as { spec: unknown };
    expect(svc.spec).toMatchObject({ clusterIP: 'None', ports: [{ port: 9092, targetPort: 'client', protocol: 'TCP' }] });
  });

  it('creates secrets, service accounts, tokens, roles and bindings from protobuf bodies', async () => {
    await env.k(['create', 'secret', 'generic', 's', '-n', 'pb', '--from-literal=user=admin']);
    await env.k(['create', 'secret', 'docker-registry', 'reg', '-n', 'pb', '--docker-username=u', '--docker-password=p', '--docker-server=r.example']);
    await env.k(['create', 'serviceaccount', 'bot', '-n', 'pb']);
    expect((await env.k(['create', 'token', 'bot', '-n', 'pb', '--duration=1h'])).trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    await env.k(['create', 'role', 'reader', '-n', 'pb', '--verb=get,list', '--resource=pods']);
    await env.k(['create', 'rolebinding', 'reader', '-n', 'pb', '--role=reader', '--serviceaccount=pb:bot']);
    await env.k(['create', 'clusterrole', 'health', '--verb=get', '--non-resource-url=/healthz']);
    await env.k(['create', 'clusterrolebinding', 'health', '--clusterrole=health', '--user=bob']);
    expect(await env.k(['get', 'secret', 's', '-n', 'pb', '-o', 'jsonpath={.type} {.data.user}'])).toBe(`Opaque ${Buffer.from('admin').toString('base64')}`);
    expect(await env.k(['get', 'secret', 'reg', '-n', 'pb', '-o', 'jsonpath={.type}'])).toBe('kubernetes.io/dockerconfigjson');
    expect(await env.k(['get', 'role', 'reader', '-n', 'pb', '-o', 'jsonpath={.rules[0].verbs}'])).toBe('["get","list"]');
    expect(await env.k(['get', 'rolebinding', 'reader', '-n', 'pb', '-o', 'jsonpath={.roleRef.name} {.subjects[0].kind} {.subjects[0].name}'])).toBe('reader ServiceAccount bot');
    expect(await env.k(['get', 'clusterrole', 'health', '-o', 'jsonpath={.rules[0].nonResourceURLs}'])).toBe('["/healthz"]');
    expect(await env.k(['get', 'clusterrolebinding', 'health', '-o', 'jsonpath={.subjects[0].name}'])).toBe('bob');
  });

  it('scale, label and annotate send JSON merge patches, which the sim applies', async () => {
    await env.k(['label', 'namespace', 'pb', 'team=data']);
    await env.k(['annotate', 'configmap', 'cm', '-n', 'pb', 'note=x']);
    const ns = JSON.parse(await env.k(['get', 'namespace', 'pb', '-o', 'json'])) as { metadata: { labels: Record<string, string> } };
    expect(ns.metadata.labels.team).toBe('data');
    expect(await env.k(['get', 'configmap', 'cm', '-n', 'pb', '-o', 'jsonpath={.metadata.annotations.note}'])).toBe('x');
    const v8 = await env.kubectl(['-v=8', 'label', 'configmap', 'cm', '-n', 'pb', 'k=v']);
    expect(v8.stderr).toMatch(/Content-Type: application\/merge-patch\+json/);
  });

  it('answers a custom resource posted as protobuf with the 415 of apiextensions', async () => {
    const url = env.fleet.clusters[0]!.url;
    const r = await http(url, 'POST', '/apis/networking.istio.io/v1/namespaces/pb/serviceentries', 'k8s\0', 'application/vnd.kubernetes.protobuf');
    expect(r.status).toBe(415);
    expect(r.body).toMatchObject({ reason: 'UnsupportedMediaType', message: 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml' });
  });
});
