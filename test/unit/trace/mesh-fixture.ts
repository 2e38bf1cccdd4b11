// Hand-built meshes for trace: the seed scenario as ADR 13 lays it out (Kafka in clusterOne on
// net-one; clusterTwo on net-two publishes VIPs; a client ServiceEntry per VIP in clusterTwo, a
// gateway ServiceEntry per pod in clusterOne's istio-system), written as plain objects so each
// test can break exactly one thing.
import type { MeshTopology } from '../../../local/trace/mesh.ts';

export const HOST = (i: number): string => `kafka-${i}.ns-one.clusterone.gns-sync.local`;
export const POD_IP = (i: number): string => `10.1.0.${10 + i}`;
export const VIP = (i: number): string => `241.0.0.${20 + i}`;
const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:05:00Z';

/** A MeshObject the tests may change in place. */
export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec?: unknown;
  status?: unknown;
  [key: string]: unknown;
}

const ns = (name: string, network?: string): Obj => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, ...(network ? { labels: { 'topology.istio.io/network': network } } : {}) } });

function pod(i: number, ready = true): Obj {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `kafka-${i}`, namespace: 'ns-one', labels: { app: 'kafka' } },
    spec: { hostname: `kafka-${i}`, subdomain: 'kafka-headless' },
    status: { podIP: POD_IP(i), podIPs: [{ ip: POD_IP(i) }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

function headless(namespace: string, selector: boolean): Obj {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kafka-headless', namespace, creationTimestamp: T0 }, spec: { clusterIP: 'None', ...(selector ? { selector: { app: 'kafka' } } : {}), ports: [{ name: 'tcp', port: 9092, targetPort: 9092 }] } };
}

function slice(namespace: string, name: string, addresses: readonly string[], readyFlags: readonly boolean[] = []): Obj {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': 'kafka-headless' } },
    addressType: 'IPv4',
    ports: [{ name: 'tcp', port: 9092, protocol: 'TCP' }],
    endpoints: addresses.map((a, i) => ({ addresses: [a], hostname: `kafka-${i}`, conditions: { ready: readyFlags[i] ?? true } })),
  };
}

export function eastWestGateway(network: string, ip: string): Obj {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'istio-eastwestgateway', namespace: 'istio-system', labels: { 'topology.istio.io/network': network } },
    spec: { type: 'LoadBalancer', selector: { istio: 'eastwestgateway' }, ports: [{ name: 'status-port', port: 15021, targetPort: 15021 }, { name: 'tls', port: 15443, targetPort: 15443 }] },
    status: { loadBalancer: { ingress: [{ ip }] } },
  };
}

export function passthroughGateway(): Obj {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'cross-network-gateway', namespace: 'istio-system' },
    spec: { selector: { istio: 'eastwestgateway' }, servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }] },
  };
}

export function clientEntry(i: number): Obj {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: `gnsc-${i}`, namespace: 'ns-one', creationTimestamp: T1 },
    spec: { hosts: [HOST(i)], addresses: [VIP(i)], ports: [{ number: 9092, name: 'tcp-9092', protocol: 'TCP' }], location: 'MESH_INTERNAL', resolution: 'STATIC', exportTo: ['.'], endpoints: [{ network: 'net-one', labels: { 'security.istio.io/tlsMode': 'istio' } }] },
  };
}

export function gatewayEntry(i: number): Obj {
  return {
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: `gnsg-${i}`, namespace: 'istio-system', creationTimestamp: T1 },
    spec: { hosts: [HOST(i)], ports: [{ number: 9092, name: 'tcp-9092', protocol: 'TCP' }], location: 'MESH_INTERNAL', resolution: 'STATIC', exportTo: ['.'], endpoints: [{ address: POD_IP(i), network: 'net-one', labels: { 'security.istio.io/tlsMode': 'istio' } }] },
  };
}

export interface Mesh {
  readonly topology: MeshTopology;
  readonly objects: Record<string, Obj[]>;
}

/** The seed scenario with routing: istio, three replicas, everything in place. */
export function seedMesh(): Mesh {
  const ids = [0, 1, 2];
  return {
    topology: { routing: 'istio', clusters: [{ name: 'clusterOne', network: 'net-one', istioConfigCluster: 'clusterOne' }, { name: 'clusterTwo', network: 'net-two', istioConfigCluster: 'clusterTwo' }] },
    objects: {
      clusterOne: [
        ns('istio-system', 'net-one'), ns('ns-one'), ns('ns-two'),
        ...ids.map((i) => pod(i)), headless('ns-one', true), headless('ns-two', false),
        slice('ns-one', 'kafka-headless-abc', ids.map(POD_IP)), slice('ns-two', 'kafka-headless-gns-1', ids.map(POD_IP)),
        eastWestGateway('net-one', '172.18.255.201'), passthroughGateway(), ...ids.map(gatewayEntry),
      ],
      clusterTwo: [
        ns('istio-system', 'net-two'), ns('ns-one'),
        headless('ns-one', false), slice('ns-one', 'kafka-headless-gns-1', ids.map(VIP)),
        eastWestGateway('net-two', '172.18.255.209'), passthroughGateway(), ...ids.map(clientEntry),
      ],
    },
  };
}

/** The object of a kind and name in a cluster of the mesh (throws when absent). */
export function find(mesh: Mesh, cluster: string, kind: string, name: string, namespace?: string): Obj {
  const found = mesh.objects[cluster]!.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${name} in ${cluster}`);
  return found;
}

export function remove(mesh: Mesh, cluster: string, kind: string, name: string, namespace?: string): void {
  const target = find(mesh, cluster, kind, name, namespace);
  mesh.objects[cluster] = mesh.objects[cluster]!.filter((o) => o !== target);
}

export const podFixture = pod;
