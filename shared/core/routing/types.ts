// The Istio objects gns-sync writes with `routing: istio` (docs/adr/0013-routing-through-istio.md):
// `networking.istio.io/v1` ServiceEntries of two kinds, `client` (target side: host, VIP,
// the source network, no address) and `gateway` (source side: host, pod IP), as the core sees
// them. The Kubernetes adapter maps them to and from the API object.
import type { VipIdentity } from '../types.ts';

export const SERVICE_ENTRY_API_VERSION = 'networking.istio.io/v1';

export const LABEL_ROUTING_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_ROUTING = 'gns-sync.io/routing';
export const LABEL_TARGET = 'gns-sync.io/target';
export const LABEL_TARGET_CLUSTER = 'gns-sync.io/target-cluster';
export const LABEL_SOURCE_CLUSTER = 'gns-sync.io/source-cluster';
export const LABEL_SOURCE_NAMESPACE = 'gns-sync.io/source-namespace';
export const LABEL_SOURCE_POD = 'gns-sync.io/source-pod';
/** Istio's opt-out of its address auto-allocation (pilot/pkg/networking/serviceentry/ip_autoallocation.go). */
export const LABEL_ISTIO_AUTOALLOCATE = 'networking.istio.io/enable-autoallocate-ip';
/** Istio's endpoint label that marks an mTLS-capable endpoint; without it a cross-network endpoint is dropped. */
export const LABEL_ISTIO_TLS_MODE = 'security.istio.io/tlsMode';
/** Istio's network label on a gateway Service and on the system namespace. */
export const LABEL_ISTIO_NETWORK = 'topology.istio.io/network';
/** Istio's gateway port label on a gateway Service (default 15443). */
export const LABEL_ISTIO_GATEWAY_PORT = 'networking.istio.io/gatewayPort';
export const DEFAULT_GATEWAY_PORT = 15443;

export type EntryKind = 'client' | 'gateway';

export interface EntryPort {
  readonly number: number;
  readonly name: string;
  readonly protocol: 'TCP';
}

export interface EntryEndpoint {
  /** Gateway entries only: the pod IP. A client entry has none: it fails closed. */
  readonly address?: string;
  readonly network: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface ServiceEntrySpec {
  readonly hosts: readonly string[];
  /** Client entries only: the VIP. */
  readonly addresses?: readonly string[];
  readonly ports: readonly EntryPort[];
  readonly location: 'MESH_INTERNAL';
  readonly resolution: 'STATIC';
  readonly exportTo: readonly string[];
  readonly endpoints: readonly EntryEndpoint[];
}

export interface EntryOwner {
  readonly apiVersion: 'v1';
  readonly kind: 'Service';
  readonly name: string;
  readonly uid: string;
}

/** A ServiceEntry as gns-sync writes it: where (cluster, namespace), its name, labels, owner, spec. */
export interface ServiceEntry {
  /** The Istio config cluster it lives in. */
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly ownerReferences: readonly EntryOwner[];
  readonly spec: ServiceEntrySpec;
  /** Existing entries only: the preconditions of an update or delete (docs/adr/0015-installation-identity.md). */
  readonly resourceVersion?: string;
  readonly uid?: string;
}

/** A remote source pod that a target publishes as a VIP, and what routing it needs. */
export interface RoutedPod {
  readonly identity: VipIdentity;
  /** Absent only when asked for pods without a VIP yet (the gateway-entry writer). */
  readonly vip?: string;
  /** The pod IP the gateway entry routes to. */
  readonly podIp: string;
  /** The pod's network (the config's `network` of its cluster). */
  readonly network: string;
  /** Resolved TCP ports the target publishes for the pod, sorted, distinct. */
  readonly ports: readonly number[];
  /** Resolved ports the gateway path cannot carry (UDP, SCTP): `protocol/port`. */
  readonly unsupported: readonly string[];
}

/** The writer of a GNS's gateway entries for the pods of one source cluster. */
export interface RoutingKey {
  readonly gns: string;
  readonly cluster: string;
}

/** Where a source network's gateway entries go: an Istio config cluster and the gateway's namespace. */
export interface GatewayPlace {
  readonly cluster: string;
  readonly namespace: string;
}
