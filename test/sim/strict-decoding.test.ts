// Field validation as kube-apiserver 1.33 does it (apiserver pkg/endpoints/handlers create.go,
// update.go, patch.go; sigs.k8s.io/json): kubectl sends fieldValidation=Strict and gets 400
// `strict decoding error: unknown field "spec.foo"`; clients that send nothing (client-node,
// `kubectl patch`) get Warn: a `Warning` header per unknown field and the field dropped;
// Ignore drops silently; a value of the wrong JSON type is 400 (422 in a patch) under all three.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCES } from '../../local/sim/api/resources.ts';
import type { SimEnv } from './helpers.ts';
import { hasKubectl, http, startEnv } from './helpers.ts';

const svc = (name: string, spec: Record<string, unknown>): unknown => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'sd' }, spec });

// kubectl is installed on every machine this project runs on; without it these tests cannot say anything.
describe.skipIf(!hasKubectl)('strict decoding of request bodies', () => {
  let env: SimEnv;
  let url: string;
  beforeAll(async () => {
    env = await startEnv({ clusters: [{ name: 'one' }] });
    url = env.fleet.clusters[0]!.url;
    await env.k(['create', 'namespace', 'sd']);
  });
  afterAll(async () => env?.close());

  it('kubectl apply (fieldValidation=Strict) is refused with every unknown field named, array indexes included', async () => {
    const r = await env.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(svc('web', { foo: 1, ports: [{ port: 80, bar: 'x' }] })) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo", unknown field "spec.ports[0].bar"');
    expect((await env.kubectl(['get', 'service', 'web', '-n', 'sd'])).code).not.toBe(0);
  });

  it('kubectl apply --validate=warn creates the object without the fields and prints the server\'s warnings', async () => {
    const r = await env.kubectl(['apply', '--validate=warn', '-f', '-'], { stdin: JSON.stringify(svc('web', { foo: 1, ports: [{ port: 80, bar: 'x' }] })) });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Warning: unknown field "spec.foo"');
    expect(r.stderr).toContain('Warning: unknown field "spec.ports[0].bar"');
    const spec = JSON.parse(await env.k(['get', 'service', 'web', '-n', 'sd', '-o', 'jsonpath={.spec}'])) as Record<string, unknown>;
    expect(spec.foo).toBeUndefined();
    expect(spec.ports).toEqual([{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  });

  it('a client that sends no fieldValidation gets Warn: a 299 Warning header per field, the fields dropped (document order)', async () => {
    const r = await http(url, 'POST', '/api/v1/namespaces/sd/services', svc('quiet', { clusterIP: 'None', extra: true }));
    expect(r.status).toBe(201);
    expect((r.body as { spec: Record<string, unknown> }).spec.extra).toBeUndefined();
    const counted = env.fleet.clusters[0]!.counters.fieldWarnings;
    const res = await fetch(`${url}/api/v1/namespaces/sd/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'c', bogus: 1 }, data: { a: 'b' }, dta: {} }) });
    expect(res.status).toBe(201);
    expect(env.fleet.clusters[0]!.counters.fieldWarnings - counted).toBe(2);
    expect(res.headers.get('warning')).toBe('299 - "unknown field \\"metadata.bogus\\"", 299 - "unknown field \\"dta\\""');
  });

  it('Ignore drops unknown fields without a warning; other values are refused as ValidateFieldValidation does', async () => {
    const res = await fetch(`${url}/api/v1/namespaces/sd/configmaps?fieldValidation=Ignore`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'ign' }, bogus: 1 }) });
    expect(res.status).toBe(201);
    expect(res.headers.get('warning')).toBeNull();
    expect(((await res.json()) as Record<string, unknown>).bogus).toBeUndefined();
    const bad = await http(url, 'POST', '/api/v1/namespaces/sd/configmaps?fieldValidation=Loose', { metadata: { name: 'bad' } });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ reason: 'Invalid', message: 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Loose": supported values: "", "Ignore", "Strict", "Warn"' });
  });

  it('reports keys given twice as the strict decoder does (JSON.parse would keep the last silently)', async () => {
    const text = '{"metadata":{"name":"twice","name":"twice"},"data":{"a":"1","a":"2"},"binaryData":{}}';
    const strict = await http(url, 'POST', '/api/v1/namespaces/sd/configmaps?fieldValidation=Strict', text);
    expect(strict.status).toBe(400);
    expect((strict.body as { message: string }).message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", duplicate field "data.a"');
    const res = await fetch(`${url}/api/v1/namespaces/sd/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: text });
    expect(res.status).toBe(201);
    expect(res.headers.get('warning')).toBe('299 - "duplicate field \\"metadata.name\\"", 299 - "duplicate field \\"data.a\\""');
    expect(((await res.json()) as { data: unknown }).data).toEqual({ a: '2' });
  });

  it('refuses values of the wrong type with encoding/json\'s message, whatever the directive', async () => {
    for (const q of ['', '?fieldValidation=Ignore']) {
      const r = await http(url, 'POST', `/api/v1/namespaces/sd/services${q}`, svc('typed', { ports: 'x' }));
      expect(r.status).toBe(400);
      expect((r.body as { message: string }).message).toBe('Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort');
    }
    const port = await http(url, 'POST', '/api/v1/namespaces/sd/services', svc('typed', { ports: [{ port: '80' }] }));
    expect((port.body as { message: string }).message).toBe('Service in version "v1" cannot be handled as a Service: json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32');
    const big = await http(url, 'POST', '/apis/apps/v1/namespaces/sd/statefulsets', { metadata: { name: 's' }, spec: { replicas: 1.5 } });
    expect((big.body as { message: string }).message).toBe('StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot unmarshal number 1.5 into Go struct field StatefulSetSpec.spec.replicas of type int32');
    const labels = await http(url, 'POST', '/api/v1/namespaces/sd/configmaps', { metadata: { name: 'l', labels: { a: 1 } } });
    expect((labels.body as { message: string }).message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  });

  it('accepts what real manifests carry: quantities as numbers, int-or-string ports, nested pod templates', async () => {
    const labels = { app: 'q' };
    const r = await env.kubectl(['apply', '-f', '-'], {
      stdin: JSON.stringify({
        apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'q', namespace: 'sd' },
        spec: {
          replicas: 0, serviceName: 'q', selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'x', resources: { limits: { cpu: 1, memory: '1Gi' } }, readinessProbe: { tcpSocket: { port: 'client' } }, ports: [{ name: 'client', containerPort: 9092 }] }] } },
        },
      }),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const nested = await env.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'q', namespace: 'sd' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x', imagePullPolicy: 'Always', colour: 'red' }] } } } }) });
    expect(nested.stderr).toContain('strict decoding error: unknown field "spec.template.spec.containers[0].colour"');
  });

  it('decodes patched objects as patch.go does: Warn by default (kubectl patch sends none), 422 "patch: Invalid value" under Strict', async () => {
    const merged = await env.kubectl(['patch', 'service', 'web', '-n', 'sd', '--type', 'merge', '-p', '{"spec":{"baz":1}}']);
    expect(merged.code).toBe(0);
    expect(merged.stderr).toContain('Warning: unknown field "spec.baz"');
    const strict = await http(url, 'PATCH', '/api/v1/namespaces/sd/services/web?fieldValidation=Strict', { spec: { baz: 1 } }, 'application/strategic-merge-patch+json');
    expect(strict.status).toBe(422);
    expect(strict.body).toMatchObject({ reason: 'Invalid', message: ' "" is invalid: patch: Invalid value: "map[spec:map[baz:1]]": strict decoding error: unknown field "spec.baz"', details: { causes: [{ reason: 'FieldValueInvalid', field: 'patch' }] } });
    const typed = await env.kubectl(['patch', 'service', 'web', '-n', 'sd', '--type', 'merge', '-p', '{"spec":{"ports":"x"}}']);
    expect(typed.stderr).toMatch(/^The request is invalid: patch: Invalid value: ".*": json: cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type \[\]v1.ServicePort/);
  });

  it.each(RESOURCES.map((def) => [`${def.group || 'core'}/${def.version} ${def.kind}`, def] as const))('%s: unknown fields refused under Strict', async (_name, def) => {
    const base = def.group ? `/apis/${def.group}/${def.version}` : `/api/${def.version}`;
    const r = await http(url, 'POST', `${base}${def.namespaced ? '/namespaces/sd' : ''}/${def.plural}?fieldValidation=Strict`, { metadata: { name: 'strict-x', bogus: 1 } });
    expect(r.status).toBe(400);
    expect((r.body as { message: string }).message).toBe(`${def.kind} in version "${def.version}" cannot be handled as a ${def.kind}: strict decoding error: unknown field "metadata.bogus"`);
  });
});
