// Custom resources on simulated clusters, through kubectl and raw HTTP: `--istio` preinstalls
// Istio 1.27.9's networking CRDs, istio-system labelled with the network and the east-west
// gateway (LoadBalancer address, port tls 15443); ServiceEntries are served like built-in kinds
// (discovery, list -A, get in another served version, create, apply, patch, watch, delete) with
// their schema enforced; a user's own CRD can be applied, and deleting it deletes its objects.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimEnv } from './helpers.ts';
import { hasKubectl, http, startEnv, until } from './helpers.ts';

const SE = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name: 'kafka-0', namespace: 'ns-one' },
  spec: {
    hosts: ['kafka-0.kafka-headless.ns-one.svc.cluster.local'],
    addresses: ['240.241.0.5'],
    ports: [{ number: 9092, name: 'tcp-kafka', protocol: 'TCP' }],
    location: 'MESH_INTERNAL',
    resolution: 'STATIC',
    endpoints: [{ network: 'west', labels: { 'security.istio.io/tlsMode': 'istio' } }],
  },
};

const WIDGETS = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', shortNames: ['wg'] },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', required: ['spec'], properties: { spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 } } } } } } }],
  },
};

// kubectl is installed on every machine this project runs on; without it these tests cannot say anything.
describe.skipIf(!hasKubectl)('custom resources on simulated clusters (--istio)', () => {
  let env: SimEnv;
  beforeAll(async () => {
    env = await startEnv({ clusters: [{ name: 'east' }, { name: 'west', network: 'net-w' }], istio: true });
    await env.k(['create', 'namespace', 'ns-one'], { context: 'east' });
  });
  afterAll(async () => env?.close());
  const apply = async (context: string, obj: unknown): Promise<string> => {
    const r = await env.kubectl(['apply', '-f', '-'], { context, stdin: JSON.stringify(obj) });
    if (r.code !== 0) throw new Error(`kubectl apply failed: ${r.stderr}`);
    return r.stdout;
  };

  it('preinstalls the networking.istio.io CRDs, established, and kubectl discovers their kinds', async () => {
    const crds = await env.k(['get', 'crd', '-o', 'name']);
    expect(crds.trim().split('\n').sort()).toEqual(['destinationrules', 'gateways', 'serviceentries', 'sidecars', 'workloadentries'].map((p) => `customresourcedefinition.apiextensions.k8s.io/${p}.networking.istio.io`));
    expect(await env.k(['get', 'crd', 'serviceentries.networking.istio.io', '-o', 'jsonpath={.status.conditions[?(@.type=="Established")].status}'])).toBe('True');
    const resources = await env.k(['api-resources', '--api-group', 'networking.istio.io', '-o', 'name']);
    expect(resources.trim().split('\n').sort()).toEqual(['destinationrules.networking.istio.io', 'gateways.networking.istio.io', 'serviceentries.networking.istio.io', 'sidecars.networking.istio.io', 'workloadentries.networking.istio.io']);
    const versions = (await http(env.fleet.cluster('east').url, 'GET', '/apis/networking.istio.io')).body as { preferredVersion: { version: string }; versions: { version: string }[] };
    expect(versions.preferredVersion.version).toBe('v1');
    expect(versions.versions.map((v) => v.version)).toEqual(['v1', 'v1beta1', 'v1alpha3']);
  });

  it('labels istio-system with each cluster\'s network and gives the east-west gateway a load-balancer address', async () => {
    for (const [context, network] of [['east', 'east'], ['west', 'net-w']] as const) {
      expect(await env.k(['get', 'ns', 'istio-system', '-o', 'jsonpath={.metadata.labels.topology\\.istio\\.io/network}'], { context })).toBe(network);
      const svc = await until(`${context}'s gateway address`, async () => {
        const s = JSON.parse(await env.k(['get', 'svc', '-n', 'istio-system', 'istio-eastwestgateway', '-o', 'json'], { context })) as { metadata: { labels: Record<string, string> }; spec: { type: string; ports: { name: string; port: number }[] }; status: { loadBalancer: { ingress?: { ip: string }[] } } };
        return s.status.loadBalancer.ingress ? s : undefined;
      });
      expect(svc.spec.type).toBe('LoadBalancer');
      expect(svc.metadata.labels['topology.istio.io/network']).toBe(network);
      expect(svc.spec.ports.find((p) => p.name === 'tls')?.port).toBe(15443);
      expect(svc.status.loadBalancer.ingress![0]!.ip).toMatch(/^172\.18\.255\.2\d\d$/);
    }
    const ips = await Promise.all(['east', 'west'].map((context) => env.k(['get', 'svc', '-n', 'istio-system', 'istio-eastwestgateway', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}'], { context })));
    expect(new Set(ips).size).toBe(2);
    expect(await env.k(['get', 'svc', '-n', 'istio-system'], { context: 'west' })).toMatch(/istio-eastwestgateway\s+LoadBalancer\s+\S+\s+172\.18\.255\.\d+\s+15021\/TCP,15443\/TCP/);
    const gw = JSON.parse(await env.k(['get', 'gateways.networking.istio.io', '-n', 'istio-system', 'cross-network-gateway', '-o', 'json'])) as { spec: { servers: { port: { number: number }; tls: { mode: string }; hosts: string[] }[] } };
    expect(gw.spec.servers).toEqual([{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }]);
  });

  it('serves ServiceEntries: apply, list -A, get as v1beta1, patch (generation), unknown fields refused (Strict) or pruned with a warning', async () => {
    expect(await env.k(['get', 'serviceentries', '-A'])).toBe('');
    // kubectl's fieldValidation=Strict refuses the unknown field as apiextensions does; --validate=warn stores the object pruned.
    const strict = await env.kubectl(['apply', '-f', '-'], { context: 'east', stdin: JSON.stringify({ ...SE, spec: { ...SE.spec, bogus: 1 } }) });
    expect(strict.stderr).toContain('ServiceEntry in version "v1" cannot be handled as a ServiceEntry: strict decoding error: unknown field "spec.bogus"');
    const warned = await env.kubectl(['apply', '--validate=warn', '-f', '-'], { context: 'east', stdin: JSON.stringify({ ...SE, spec: { ...SE.spec, bogus: 1 } }) });
    expect(warned.stderr).toContain('Warning: unknown field "spec.bogus"');
    expect(warned.stdout).toContain('serviceentry.networking.istio.io/kafka-0 created');
    const table = await env.k(['get', 'serviceentries', '-A'], { context: 'east' });
    expect(table).toMatch(/^NAMESPACE\s+NAME\s+HOSTS\s+LOCATION\s+RESOLUTION\s+AGE\n/);
    expect(table).toMatch(/ns-one\s+kafka-0\s+\["kafka-0\.kafka-headless\.ns-one\.svc\.cluster\.local"\]\s+MESH_INTERNAL\s+STATIC\s+\d+s/);
    const beta = JSON.parse(await env.k(['get', 'serviceentries.v1beta1.networking.istio.io', '-n', 'ns-one', 'kafka-0', '-o', 'json'], { context: 'east' })) as { apiVersion: string; metadata: { generation: number }; spec: Record<string, unknown> };
    expect(beta.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(beta.metadata.generation).toBe(1);
    expect(beta.spec).toEqual(SE.spec);
    expect(await env.k(['patch', 'se', '-n', 'ns-one', 'kafka-0', '--type', 'merge', '-p', '{"spec":{"addresses":["240.241.0.6"]}}'], { context: 'east' })).toContain('patched');
    expect(await env.k(['get', 'se', '-n', 'ns-one', 'kafka-0', '-o', 'jsonpath={.metadata.generation} {.spec.addresses[0]}'], { context: 'east' })).toBe('2 240.241.0.6');
    expect(await env.k(['get', 'se', '-A'], { context: 'west' })).toBe('');
  });

  it('rejects a ServiceEntry its schema forbids with 422 naming each field, and stores nothing', async () => {
    const bad = { ...SE, metadata: { name: 'bad', namespace: 'ns-one' }, spec: { ...SE.spec, hosts: undefined, resolution: 'SOMETIMES', ports: [{ number: '9092', name: 'tcp' }] } };
    const r = await env.kubectl(['apply', '-f', '-'], { context: 'east', stdin: JSON.stringify(bad) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The ServiceEntry "bad" is invalid');
    expect(r.stderr).toContain('spec.hosts: Required value');
    expect(r.stderr).toContain('spec.resolution: Unsupported value: "SOMETIMES": supported values: "NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"');
    expect(r.stderr).toContain('spec.ports[0].number: Invalid value: "string"');
    expect((await env.kubectl(['get', 'se', '-n', 'ns-one', 'bad'], { context: 'east' })).code).not.toBe(0);
  });

  it('watches ServiceEntries like any kind, and deletes them', async () => {
    const base = env.fleet.cluster('east').url;
    const list = (await http(base, 'GET', '/apis/networking.istio.io/v1/serviceentries')).body as { kind: string; metadata: { resourceVersion: string }; items: unknown[] };
    expect(list.kind).toBe('ServiceEntryList');
    const controller = new AbortController();
    const res = await fetch(`${base}/apis/networking.istio.io/v1/namespaces/ns-one/serviceentries?watch=true&resourceVersion=${list.metadata.resourceVersion}`, { signal: controller.signal });
    const reader = res.body!.getReader();
    expect(await env.k(['delete', 'se', '-n', 'ns-one', 'kafka-0'], { context: 'east' })).toContain('deleted');
    let text = '';
    await until('a DELETED watch event', async () => {
      const { value } = await reader.read();
      text += Buffer.from(value ?? new Uint8Array()).toString();
      return text.includes('"DELETED"') ? true : undefined;
    });
    controller.abort();
    expect(JSON.parse(text.trim().split('\n').pop()!)).toMatchObject({ type: 'DELETED', object: { kind: 'ServiceEntry', metadata: { name: 'kafka-0' } } });
    expect(await env.k(['get', 'se', '-A'], { context: 'east' })).toBe('');
  });

  it('applies a user CRD, enforces its schema, and deleting the CRD deletes its objects', async () => {
    await apply('west', WIDGETS);
    await env.k(['wait', '--for', 'condition=established', 'crd/widgets.example.com'], { context: 'west' });
    const bad = await env.kubectl(['apply', '-f', '-'], { context: 'west', stdin: JSON.stringify({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { size: 0 } }) });
    expect(bad.stderr).toContain('spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1');
    await apply('west', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec: { size: 2 } });
    expect(await env.k(['get', 'wg'], { context: 'west' })).toMatch(/^NAME\s+AGE\nw\s+\d+s\n$/);
    expect((await env.kubectl(['get', 'widgets'], { context: 'east' })).code).not.toBe(0);
    await env.k(['delete', 'crd', 'widgets.example.com'], { context: 'west' });
    await until('the widget gone with its CRD', () => (env.fleet.cluster('west').store.bucket('widgets.example.com').size === 0 ? true : undefined));
  });

  it('refuses a CRD that cannot be served', async () => {
    const r = await env.kubectl(['apply', '-f', '-'], { context: 'west', stdin: JSON.stringify({ ...WIDGETS, metadata: { name: 'gadgets.example.com' }, spec: { ...WIDGETS.spec, scope: 'Global', versions: [] } }) });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group');
    expect(r.stderr).toContain('spec.scope: Unsupported value: "Global"');
    expect(r.stderr).toContain('spec.versions: Required value');
  });
});
