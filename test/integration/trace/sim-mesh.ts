// A routed seed scenario built by hand on simulated clusters started with `--istio` (what
// ADR 13 says the routing writer leaves, written here without it): Kafka in clusterOne/ns-one
// (net-one), VIP slices and client ServiceEntries in clusterTwo/ns-one (net-two), pod-IP
// slices in clusterOne/ns-two, gateway ServiceEntries in clusterOne's istio-system.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { SimFleet } from '../../../local/sim/index.ts';
import { startSimClusters } from '../../../local/sim/index.ts';

const KAFKA = new URL('../../sim/fixtures/kafka.yaml', import.meta.url);
export const HOST = (i: number): string => `kafka-${i}.ns-one.clusterone.gns-sync.local`;
export const VIP = (i: number): string => `241.0.0.${20 + i}`;
const PORTS = [{ name: 'tcp-client', port: 9092, protocol: 'TCP' }, { name: 'tcp-internal', port: 9093, protocol: 'TCP' }];
const SE_PORTS = [{ number: 9092, name: 'tcp-9092', protocol: 'TCP' }, { number: 9093, name: 'tcp-9093', protocol: 'TCP' }];

async function until<T>(what: string, check: () => T | undefined, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function selectorless(namespace: string): unknown {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kafka-headless', namespace, annotations: { 'gns-sync.io/endpoints.statefulset': '{"app.kubernetes.io/name":"kafka"}' } }, spec: { clusterIP: 'None', ports: PORTS.map((p) => ({ name: p.name, port: p.port, protocol: 'TCP', targetPort: p.port })) } };
}

function slice(namespace: string, addresses: readonly string[]): unknown {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kafka-headless-gns-test', namespace, labels: { 'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io' } },
    addressType: 'IPv4', ports: PORTS,
    endpoints: addresses.map((a, i) => ({ addresses: [a], hostname: `kafka-${i}`, conditions: { ready: true, serving: true, terminating: false } })),
  };
}

/** Starts the two clusters and lays out the routed seed scenario; resolves with the fleet and the pod IPs. */
export async function startRoutedSeed(): Promise<{ fleet: SimFleet; podIps: string[] }> {
  const fleet = await startSimClusters({ clusters: [{ name: 'clusterOne', network: 'net-one' }, { name: 'clusterTwo', network: 'net-two' }], istio: true, readyDelayMs: 10 });
  const one = fleet.cluster('clusterOne');
  const two = fleet.cluster('clusterTwo');
  for (const ns of ['ns-one', 'ns-two']) one.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  two.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
  for (const doc of parseAllDocuments(readFileSync(KAFKA, 'utf8'))) one.apply(doc.toJS());
  const podIps = await until('three ready Kafka pods', () => {
    const pods = one.list('pods', 'ns-one').filter((p) => (p.status as { conditions?: { type: string; status: string }[] }).conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    if (pods.length !== 3) return undefined;
    return [0, 1, 2].map((i) => String((pods.find((p) => p.metadata.name === `kafka-${i}`)!.status as { podIP: string }).podIP));
  });
  await until('gateway addresses', () => (fleet.clusters.every((c) => (c.get('/api/v1/namespaces/istio-system/services/istio-eastwestgateway')?.status as { loadBalancer?: { ingress?: unknown[] } }).loadBalancer?.ingress) ? true : undefined));
  one.apply(selectorless('ns-two'));
  one.apply(slice('ns-two', podIps));
  two.apply(selectorless('ns-one'));
  two.apply(slice('ns-one', [0, 1, 2].map(VIP)));
  for (const i of [0, 1, 2]) {
    two.apply({
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: `gnsc-test-${i}`, namespace: 'ns-one' },
      spec: { hosts: [HOST(i)], addresses: [VIP(i)], ports: SE_PORTS, location: 'MESH_INTERNAL', resolution: 'STATIC', exportTo: ['.'], endpoints: [{ network: 'net-one', labels: { 'security.istio.io/tlsMode': 'istio' } }] },
    });
    one.apply({
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: `gnsg-test-${i}`, namespace: 'istio-system', labels: { 'networking.istio.io/enable-autoallocate-ip': 'false' } },
      spec: { hosts: [HOST(i)], ports: SE_PORTS, location: 'MESH_INTERNAL', resolution: 'STATIC', exportTo: ['.'], endpoints: [{ address: podIps[i]!, network: 'net-one', labels: { 'security.istio.io/tlsMode': 'istio' } }] },
    });
  }
  return { fleet, podIps };
}
