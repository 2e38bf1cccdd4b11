// `gns-sync trace` over hand-built meshes: the seed scenario reaches every replica's ready pod
// from clusterTwo (through the gateway) and from clusterOne/ns-two (pod IPs); each broken mesh
// stops at the hop Istio would fail at, and says why.
import { describe, expect, it } from 'vitest';
import { memoryMeshReader } from '../../../local/trace/mesh.ts';
import { TraceInputError } from '../../../local/trace/name.ts';
import { traceName } from '../../../local/trace/trace.ts';
import type { TraceRequest, TraceResult } from '../../../local/trace/trace.ts';
import { endOf, whereNamesEnd } from '../../../local/trace/where.ts';
import type { Mesh, Obj } from './mesh-fixture.ts';
import { POD_IP, find, podFixture, remove, seedMesh } from './mesh-fixture.ts';

const NAME = (i: number, ns = 'ns-one'): string => `kafka-${i}.kafka-headless.${ns}.svc.cluster.local`;

async function run(mesh: Mesh, request: Partial<TraceRequest> = {}): Promise<TraceResult> {
  return traceName({ name: NAME(0), from: 'clusterTwo', ...request }, mesh.topology, memoryMeshReader(mesh.objects));
}

const spec = (o: Obj): Record<string, unknown> => o.spec as Record<string, unknown>;
const endpoint0 = (o: Obj): Record<string, unknown> => (spec(o).endpoints as Record<string, unknown>[])[0]!;

describe('trace: the happy paths', () => {
  it('from clusterTwo, each replica goes VIP → client entry → net-one gateway → SNI → its own ready pod', async () => {
    const mesh = seedMesh();
    for (const i of [0, 1, 2]) {
      const result = await run(mesh, { name: NAME(i) });
      expect(result.ok).toBe(true);
      expect(result.end).toEqual({ cluster: 'clusterOne', namespace: 'ns-one', pod: `kafka-${i}`, ip: POD_IP(i), ready: true });
      expect(result.hops.map((h) => h.step)).toEqual(['dns', 'listener', 'endpoint', 'gateway', 'sni', 'endpoint', 'pod']);
      expect(result.hops.some((h) => h.broken)).toBe(false);
    }
    const hops = (await run(mesh)).hops.map((h) => h.text);
    expect(hops[0]).toBe(`${NAME(0)} → 241.0.0.20 (EndpointSlice ns-one/kafka-headless-gns-1 in clusterTwo; ports 9092/TCP)`);
    expect(hops[1]).toBe('241.0.0.20:9092 → ServiceEntry ns-one/gnsc-0 in clusterTwo (host kafka-0.ns-one.clusterone.gns-sync.local, private to the namespace); Service ns-one/kafka-headless in clusterTwo also claims it and loses');
    expect(hops[3]).toBe('network net-one → 172.18.255.201:15443 (Service istio-system/istio-eastwestgateway in clusterOne)');
    expect(hops[4]).toBe('SNI outbound_.9092_._.kafka-0.ns-one.clusterone.gns-sync.local → ServiceEntry istio-system/gnsg-0 in clusterOne (Gateway istio-system/cross-network-gateway, AUTO_PASSTHROUGH)');
    expect(hops[6]).toBe(`${POD_IP(0)} → pod ns-one/kafka-0 in clusterOne, ready`);
  });

  it('a same-network name ends at the pod IP with no routing object', async () => {
    const result = await run(seedMesh(), { name: NAME(1, 'ns-two'), from: 'clusterOne' });
    expect(result.ok).toBe(true);
    expect(result.hops.map((h) => h.step)).toEqual(['dns', 'pod']);
    expect(result.end?.pod).toBe('kafka-1');
  });

  it('a short name resolves relative to --namespace', async () => {
    expect((await run(seedMesh(), { name: 'kafka-2.kafka-headless', namespace: 'ns-one' })).end?.pod).toBe('kafka-2');
  });

  it('primary-remote: clusterTwo\'s Istio reads config from clusterOne, so its client entries are read there', async () => {
    const mesh = seedMesh();
    const topology = { ...mesh.topology, clusters: mesh.topology.clusters.map((c) => (c.name === 'clusterTwo' ? { ...c, istioConfigCluster: 'clusterOne' } : c)) };
    const broken = await traceName({ name: NAME(0), from: 'clusterTwo' }, topology, memoryMeshReader(mesh.objects));
    expect(broken.ok).toBe(false);
    expect(broken.broken).toContain('no ServiceEntry in clusterOne lists this address and port');
    mesh.objects.clusterOne!.push(find(mesh, 'clusterTwo', 'ServiceEntry', 'gnsc-0'));
    expect((await traceName({ name: NAME(0), from: 'clusterTwo' }, topology, memoryMeshReader(mesh.objects))).ok).toBe(true);
  });

  it('says where each name ends up, for the demo', async () => {
    const mesh = seedMesh();
    remove(mesh, 'clusterOne', 'ServiceEntry', 'gnsg-2');
    const ends = await whereNamesEnd([0, 1, 2].map((i) => ({ name: NAME(i), from: 'clusterTwo' })), mesh.topology, memoryMeshReader(mesh.objects));
    expect(ends.slice(0, 2)).toEqual(['clusterOne/ns-one/kafka-0', 'clusterOne/ns-one/kafka-1']);
    expect(ends[2]).toMatch(/^✗ sni: SNI outbound_\.9092_\._\.kafka-2\.ns-one\.clusterone\.gns-sync\.local: no ServiceEntry in clusterOne/);
  });
});

describe('trace: broken meshes stop at the first broken hop', () => {
  const cases: [string, (m: Mesh) => void, string, string][] = [
    ['client entry endpoint without tlsMode', (m) => { delete endpoint0(find(m, 'clusterTwo', 'ServiceEntry', 'gnsc-0')).labels; }, 'endpoint', 'endpoint 0 (network net-one) has no security.istio.io/tlsMode: istio label and no serviceAccount, so Istio drops this cross-network endpoint'],
    ['gateway entry endpoint without tlsMode', (m) => { delete endpoint0(find(m, 'clusterOne', 'ServiceEntry', 'gnsg-0')).labels; }, 'sni', 'endpoint 0 has no security.istio.io/tlsMode: istio label and no serviceAccount, and the gateway keeps mTLS endpoints only'],
    ['wrong gatewayPort', (m) => { find(m, 'clusterOne', 'Service', 'istio-eastwestgateway').metadata.labels = { 'topology.istio.io/network': 'net-one', 'networking.istio.io/gatewayPort': '15444' }; }, 'gateway', 'Service istio-system/istio-eastwestgateway in clusterOne (network net-one): its gatewayPort 15444 is not one of its ports (status-port 15021, tls 15443)'],
    ['exportTo too narrow for the gateway', (m) => { spec(find(m, 'clusterOne', 'ServiceEntry', 'gnsg-0')).exportTo = ['ns-one']; }, 'sni', 'ServiceEntry istio-system/gnsg-0 has it but its exportTo ["ns-one"] is too narrow for the gateway\'s namespace istio-system'],
    ['network name mismatch', (m) => { find(m, 'clusterOne', 'Service', 'istio-eastwestgateway').metadata.labels = { 'topology.istio.io/network': 'one' }; }, 'endpoint', 'no gateway Service labelled for network net-one (topology.istio.io/network=net-one, with an address) in any cluster; gateways are labelled for: net-two, one'],
    ['client proxy without network', (m) => { find(m, 'clusterTwo', 'Namespace', 'istio-system').metadata.labels = {}; }, 'client', 'client proxies in clusterTwo have no Istio network'],
    ['missing gateway', (m) => remove(m, 'clusterOne', 'Service', 'istio-eastwestgateway'), 'endpoint', 'no gateway Service labelled for network net-one'],
    ['gateway without an address', (m) => { find(m, 'clusterOne', 'Service', 'istio-eastwestgateway').status = { loadBalancer: {} }; }, 'endpoint', '(istio-system/istio-eastwestgateway in clusterOne has no address)'],
    ['no client entry', (m) => remove(m, 'clusterTwo', 'ServiceEntry', 'gnsc-0'), 'listener', '241.0.0.20:9092: the listener belongs to headless Service ns-one/kafka-headless in clusterTwo (public), whose ORIGINAL_DST cluster dials 241.0.0.20 itself, which routes nowhere; no ServiceEntry in clusterTwo lists this address and port for clients in namespace ns-one'],
    ['client entry public: the older headless Service wins the listener', (m) => { spec(find(m, 'clusterTwo', 'ServiceEntry', 'gnsc-0')).exportTo = ['*']; }, 'listener', 'the listener belongs to headless Service ns-one/kafka-headless in clusterTwo (public, older)'],
    ['client entry MESH_EXTERNAL', (m) => { spec(find(m, 'clusterTwo', 'ServiceEntry', 'gnsc-0')).location = 'MESH_EXTERNAL'; }, 'listener', 'is MESH_EXTERNAL'],
    ['client entry with an address on a client-local network', (m) => { endpoint0(find(m, 'clusterTwo', 'ServiceEntry', 'gnsc-0')).network = 'net-two'; }, 'endpoint', "endpoint 0 is on the client's own network net-two and has no address: nothing is sent (fail closed)"],
    ['no AUTO_PASSTHROUGH Gateway for *.local', (m) => { (spec(find(m, 'clusterOne', 'Gateway', 'cross-network-gateway')).servers as Record<string, unknown>[])[0]!.hosts = ['*.global']; }, 'sni', 'no Gateway in clusterOne has an AUTO_PASSTHROUGH server on port 15443 whose hosts admit kafka-0.ns-one.clusterone.gns-sync.local'],
    ['gateway entry carries another pod\'s IP', (m) => { endpoint0(find(m, 'clusterOne', 'ServiceEntry', 'gnsg-0')).address = POD_IP(1); }, 'pod', 'but its hostname is kafka-1, not kafka-0: the name reaches the wrong pod'],
    ['Istio CRDs absent where the client reads config', (m) => { m.objects.clusterTwo = m.objects.clusterTwo!.filter((o) => !o.apiVersion?.startsWith('networking.istio.io')); }, 'listener', 'clusterTwo (where clusterTwo\'s Istio reads config) does not serve networking.istio.io/v1 ServiceEntry'],
  ];
  it.each(cases)('%s', async (_name, breakIt, step, message) => {
    const mesh = seedMesh();
    breakIt(mesh);
    const served = (cluster: string, apiVersion: string): boolean => !(apiVersion.startsWith('networking.istio.io') && !mesh.objects[cluster]!.some((o) => o.apiVersion === apiVersion));
    const result = await traceName({ name: NAME(0), from: 'clusterTwo' }, mesh.topology, memoryMeshReader(mesh.objects, served));
    expect(result.ok).toBe(false);
    const last = result.hops[result.hops.length - 1]!;
    expect(last.broken).toBe(true);
    expect(last.step).toBe(step);
    expect(last.text).toContain(message);
    expect(result.hops.filter((h) => h.broken)).toHaveLength(1);
  });

  it('a not-ready pod is reached but the trace fails', async () => {
    const mesh = seedMesh();
    mesh.objects.clusterOne = mesh.objects.clusterOne!.map((o) => (o.kind === 'Pod' && o.metadata.name === 'kafka-0' ? podFixture(0, false) : o));
    const result = await run(mesh);
    expect(result.ok).toBe(false);
    expect(result.end).toMatchObject({ pod: 'kafka-0', ready: false });
    expect(result.hops[result.hops.length - 1]).toEqual({ step: 'pod', text: `${POD_IP(0)} → pod ns-one/kafka-0 in clusterOne, NOT ready`, broken: true });
    expect(endOf(result)).toBe('clusterOne/ns-one/kafka-0 (not ready)');
  });

  it('with routing: none the VIP is where it stops', async () => {
    const mesh = seedMesh();
    const result = await traceName({ name: NAME(0), from: 'clusterTwo' }, { ...mesh.topology, routing: 'none' }, memoryMeshReader(mesh.objects));
    expect(result.hops.map((h) => h.step)).toEqual(['dns', 'vip']);
    expect(result.broken).toBe('241.0.0.20 is no pod IP on network net-two; with routing: none nothing in the clusters routes it (a VIP needs a data plane you provide)');
  });

  it('an unknown name or service is a broken DNS hop', async () => {
    expect((await run(seedMesh(), { name: NAME(7) })).broken).toContain('no endpoint with hostname kafka-7');
    expect((await run(seedMesh(), { name: 'kafka-0.nope.ns-one.svc.cluster.local' })).broken).toContain('no Service ns-one/nope in clusterTwo');
  });

  it.each([
    [{ from: 'clusterThree' }, '--from clusterThree: no such cluster in the config'],
    [{ name: 'kafka-0' }, 'is not a per-pod name of a headless Service'],
    [{ name: 'Kafka_0.kafka-headless.ns-one' }, 'is not a DNS name'],
    [{ name: 'kafka-0.kafka-headless' }, 'names no namespace'],
  ])('bad input %j is a TraceInputError', async (request, message) => {
    await expect(run(seedMesh(), request as Partial<TraceRequest>)).rejects.toThrow(TraceInputError);
    await expect(run(seedMesh(), request as Partial<TraceRequest>)).rejects.toThrow(message);
  });
});
