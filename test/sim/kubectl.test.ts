// Acceptance of the simulated clusters through kubectl v1.32 with the fleet's kubeconfig:
// apply of the Kafka StatefulSet and its headless Service, pods Running and Ready with
// distinct IPs, pod recreation, scaling, slices, events, label, patch, namespace deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimEnv } from './helpers.ts';
import { hasKubectl, KAFKA_MANIFEST, startEnv, until } from './helpers.ts';

interface PodJson { metadata: { name: string; uid: string; labels: Record<string, string> }; spec: { hostname?: string; subdomain?: string; nodeName?: string }; status: { phase: string; podIP?: string; conditions?: { type: string; status: string }[] } }

const ready = (p: PodJson): boolean => p.status.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

// kubectl is installed on every machine this project runs on (see the issue); without it these tests cannot say anything.
describe.skipIf(!hasKubectl)('kubectl against a simulated cluster', () => {
  let env: SimEnv;
  const pods = async (): Promise<PodJson[]> => (JSON.parse(await env.k(['get', 'pods', '-n', 'ns-one', '-o', 'json'])) as { items: PodJson[] }).items;
  const readyPods = (n: number): Promise<PodJson[]> => until(`${n} ready pods`, async () => {
    const list = await pods();
    return list.length === n && list.every(ready) ? list : undefined;
  });

  beforeAll(async () => {
    env = await startEnv();
    expect(await env.k(['create', 'namespace', 'ns-one'])).toContain('namespace/ns-one created');
  });
  afterAll(async () => env?.close());

  it('rejects a namespace name with upper case, as a real server does', async () => {
    const r = await env.kubectl(['create', 'ns', 'nsOne']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The Namespace "nsOne" is invalid: metadata.name: Invalid value: "nsOne": a lowercase RFC 1123 label must consist of lower case alphanumeric characters');
    expect(env.fleet.cluster('clusterOne').list('namespaces').map((n) => n.metadata.name)).not.toContain('nsOne');
  });

  it('applies the StatefulSet and its headless Service: 3 Running, Ready pods with distinct IPs', async () => {
    const out = await env.k(['apply', '-f', KAFKA_MANIFEST]);
    expect(out).toContain('service/kafka-headless created');
    expect(out).toContain('statefulset.apps/kafka created');
    const list = await readyPods(3);
    expect(list.map((p) => p.metadata.name).sort()).toEqual(['kafka-0', 'kafka-1', 'kafka-2']);
    expect(new Set(list.map((p) => p.status.podIP)).size).toBe(3);
    for (const p of list) {
      expect(p.status.podIP).toMatch(/^10\.1\./);
      expect(p.spec.hostname).toBe(p.metadata.name);
      expect(p.spec.subdomain).toBe('kafka-headless');
      expect(p.metadata.labels['statefulset.kubernetes.io/pod-name']).toBe(p.metadata.name);
      expect(p.metadata.labels['app.kubernetes.io/name']).toBe('kafka');
    }
    const wide = await env.k(['get', 'pods', '-n', 'ns-one', '-o', 'wide']);
    const lines = wide.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(lines.slice(1).filter((l) => /^kafka-\d\s+1\/1\s+Running\s+0\s+\S+\s+10\.1\.\d+\.\d+\s+clusterone-control-plane/.test(l))).toHaveLength(3);
    // Applying again changes nothing.
    expect(await env.k(['apply', '-f', KAFKA_MANIFEST])).toContain('statefulset.apps/kafka unchanged');
    expect(await env.k(['get', 'statefulset', 'kafka', '-n', 'ns-one'])).toMatch(/kafka\s+3\/3/);
  });

  it('brings back a deleted pod with a new uid and a new IP', async () => {
    const before = (await pods()).find((p) => p.metadata.name === 'kafka-1')!;
    expect(await env.k(['delete', 'pod', 'kafka-1', '-n', 'ns-one'])).toContain('pod "kafka-1" deleted');
    const after = await until('kafka-1 back and ready', async () => {
      const p = (await pods()).find((x) => x.metadata.name === 'kafka-1');
      return p && p.metadata.uid !== before.metadata.uid && ready(p) ? p : undefined;
    });
    expect(after.status.podIP).toBeDefined();
    expect(after.status.podIP).not.toBe(before.status.podIP);
    const ips = (await readyPods(3)).map((p) => p.status.podIP);
    expect(new Set(ips).size).toBe(3);
  });

  it('scales to 5 and back to 2, keeping the lowest ordinals', async () => {
    expect(await env.k(['scale', 'statefulset', 'kafka', '-n', 'ns-one', '--replicas=5'])).toContain('statefulset.apps/kafka scaled');
    expect((await readyPods(5)).map((p) => p.metadata.name).sort()).toEqual(['kafka-0', 'kafka-1', 'kafka-2', 'kafka-3', 'kafka-4']);
    await env.k(['scale', 'sts', 'kafka', '-n', 'ns-one', '--replicas=2']);
    expect((await readyPods(2)).map((p) => p.metadata.name).sort()).toEqual(['kafka-0', 'kafka-1']);
    const scale = JSON.parse(await env.k(['get', '--raw', '/apis/apps/v1/namespaces/ns-one/statefulsets/kafka/scale'])) as { kind: string; spec: { replicas: number } };
    expect(scale).toMatchObject({ kind: 'Scale', spec: { replicas: 2 } });
  });

  it('shows the EndpointSlices of the selector Service in YAML, with hostnames, ports and an owner', async () => {
    await readyPods(2);
    const slices = await until('slice with 2 endpoints', async () => {
      const list = JSON.parse(await env.k(['get', 'endpointslices', '-n', 'ns-one', '-o', 'json'])) as { items: { endpoints: { hostname?: string; addresses: string[] }[] | null }[] };
      return list.items.length === 1 && list.items[0]!.endpoints?.length === 2 ? list : undefined;
    });
    expect(slices.items[0]!.endpoints!.map((e) => e.hostname).sort()).toEqual(['kafka-0', 'kafka-1']);
    const yaml = await env.k(['get', 'endpointslices', '-n', 'ns-one', '-o', 'yaml']);
    expect(yaml).toContain('addressType: IPv4');
    expect(yaml).toContain('kubernetes.io/service-name: kafka-headless');
    expect(yaml).toContain('endpointslice.kubernetes.io/managed-by: endpointslice-controller.k8s.io');
    expect(yaml).toMatch(/ownerReferences:\n\s+- apiVersion: v1\n\s+blockOwnerDeletion: true\n\s+controller: true\n\s+kind: Service\n\s+name: kafka-headless/);
    expect(yaml).toMatch(/- name: tcp-client\n\s+port: 9092\n\s+protocol: TCP/);
    const table = await env.k(['get', 'endpointslices', '-n', 'ns-one']);
    expect(table).toMatch(/^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
    expect(table).toMatch(/kafka-headless-\w{5}\s+IPv4\s+9092,9093\s+10\.1\.\d+\.\d+,10\.1\.\d+\.\d+/);
  });

  it('lists events of the controllers and the kubelet', async () => {
    const out = await env.k(['get', 'events', '-n', 'ns-one']);
    expect(out.split('\n')[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(out).toMatch(/Normal\s+SuccessfulCreate\s+statefulset\/kafka\s+create Pod kafka-0 in StatefulSet kafka successful/);
    expect(out).toMatch(/Normal\s+Scheduled\s+pod\/kafka-0\s+Successfully assigned ns-one\/kafka-0 to clusterone-control-plane/);
    // The same events through events.k8s.io/v1, in that group's shape.
    const v1 = JSON.parse(await env.k(['get', '--raw', '/apis/events.k8s.io/v1/namespaces/ns-one/events'])) as { items: { regarding: { name: string }; reason: string; note: string; reportingController: string }[] };
    expect(v1.items.some((e) => e.regarding.name === 'kafka' && e.reason === 'SuccessfulCreate' && e.note.startsWith('create Pod') && e.reportingController === 'statefulset-controller')).toBe(true);
  });

  it('labels and patches (merge, json, strategic) like a real server', async () => {
    expect(await env.k(['label', 'pod', 'kafka-0', '-n', 'ns-one', 'tier=broker'])).toContain('pod/kafka-0 labeled');
    expect(await env.k(['get', 'pods', '-n', 'ns-one', '-l', 'tier=broker', '-o', 'name'])).toBe('pod/kafka-0\n');
    const relabel = await env.kubectl(['label', 'pod', 'kafka-0', '-n', 'ns-one', 'tier=other']);
    expect(relabel.code).not.toBe(0);
    expect(relabel.stderr).toContain("'tier' already has a value (broker), and --overwrite is false");
    await env.k(['label', 'pod', 'kafka-0', '-n', 'ns-one', 'tier-']);
    expect(await env.k(['get', 'pods', '-n', 'ns-one', '-l', 'tier', '-o', 'name'])).toBe('');

    expect(await env.k(['patch', 'service', 'kafka-headless', '-n', 'ns-one', '--type', 'merge', '-p', '{"metadata":{"annotations":{"team":"data"}}}'])).toContain('service/kafka-headless patched');
    await env.k(['patch', 'service', 'kafka-headless', '-n', 'ns-one', '--type', 'json', '-p', '[{"op":"add","path":"/metadata/labels/tier","value":"db"}]']);
    await env.k(['patch', 'statefulset', 'kafka', '-n', 'ns-one', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"kafka","ports":[{"containerPort":9094,"name":"kafka-extra"}]}]}}}}']);
    const svc = JSON.parse(await env.k(['get', 'svc', 'kafka-headless', '-n', 'ns-one', '-o', 'json'])) as { metadata: { annotations: Record<string, string>; labels: Record<string, string> } };
    expect(svc.metadata.annotations.team).toBe('data');
    expect(svc.metadata.labels.tier).toBe('db');
    const sts = JSON.parse(await env.k(['get', 'sts', 'kafka', '-n', 'ns-one', '-o', 'json'])) as { metadata: { generation: number }; spec: { template: { spec: { containers: { name: string; image: string; ports: { containerPort: number }[] }[] } } } };
    const container = sts.spec.template.spec.containers[0]!;
    expect(container.image).toBe('docker.io/bitnami/kafka:3.9.0');
    expect(container.ports.map((p) => p.containerPort)).toEqual([9092, 9093, 9094]);
    expect(sts.metadata.generation).toBeGreaterThan(1);
    const bad = await env.kubectl(['patch', 'service', 'kafka-headless', '-n', 'ns-one', '--type', 'merge', '-p', '{"metadata":{"labels":{"bad key":"x"}}}']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('The Service "kafka-headless" is invalid: metadata.labels: Invalid value: "bad key"');
  });

  it('serves -o yaml of one object with uid, resourceVersion, creationTimestamp', async () => {
    const yaml = await env.k(['get', 'pod', 'kafka-0', '-n', 'ns-one', '-o', 'yaml']);
    expect(yaml).toMatch(/^apiVersion: v1\nkind: Pod\n/);
    expect(yaml).toMatch(/uid: [0-9a-f-]{36}/);
    expect(yaml).toMatch(/resourceVersion: "\d+"/);
    expect(yaml).toMatch(/creationTimestamp: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"/);
    expect(yaml).toContain('podIP: 10.1.');
    const nf = await env.kubectl(['get', 'pod', 'nope', '-n', 'ns-one']);
    expect(nf.stderr).toContain('Error from server (NotFound): pods "nope" not found');
  });

  it('keeps clusters apart: clusterTwo has its own pod CIDR and no ns-one', async () => {
    const r = await env.kubectl(['get', 'pods', '-n', 'ns-one'], { context: 'clusterTwo' });
    expect(r.stderr).toContain('No resources found in ns-one namespace.');
    await env.k(['create', 'ns', 'ns-one'], { context: 'clusterTwo' });
    await env.k(['apply', '-f', KAFKA_MANIFEST], { context: 'clusterTwo' });
    const two = await until('pods in clusterTwo', () => {
      const list = env.fleet.cluster('clusterTwo').list('pods', 'ns-one');
      return list.length === 3 && list.every((p) => (p.status as { podIP?: string }).podIP) ? list : undefined;
    });
    for (const p of two) expect((p.status as { podIP: string }).podIP).toMatch(/^10\.2\./);
  });

  it('deletes a namespace: Terminating, then gone with everything in it', async () => {
    const one = env.fleet.cluster('clusterOne');
    expect(await env.k(['delete', 'ns', 'ns-one'])).toContain('namespace "ns-one" deleted');
    expect(one.list('namespaces').map((n) => n.metadata.name)).not.toContain('ns-one');
    for (const r of ['pods', 'services', 'statefulsets', 'endpointslices', 'events'] as const) expect(one.list(r, 'ns-one')).toEqual([]);
    const r = await env.kubectl(['get', 'ns', 'ns-one']);
    expect(r.stderr).toContain('namespaces "ns-one" not found');
    expect(env.fleet.cluster('clusterTwo').list('pods', 'ns-one')).toHaveLength(3);
  });
});
