// The vocabulary of gns-sync (docs/design.md §2). Every type here is readonly: the core never
// mutates its inputs (tests freeze their fixtures).

/**
 * A hybrid-logical-clock timestamp issued by one cluster's agent: `MMMMMMMMMMMMMMM.CCCCCC`,
 * 15 digits of wall-clock milliseconds then 6 digits of logical counter. Fixed width, so
 * versions of one cluster compare as plain strings (in code and in DynamoDB conditions).
 * Versions of different clusters are never compared. See docs/adr/0002-event-ordering.md.
 */
export type Hlc = string;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ClusterInfo {
  readonly name: string;
  /** Pods of clusters on the same network reach each other's pod IPs. */
  readonly network: string;
  /** routing: istio — the cluster whose istiod reads this cluster's Istio config (absent: itself). */
  readonly istioConfigCluster?: string;
  /** routing: istio — this cluster's east-west gateway as configured, instead of discovered. */
  readonly eastWestGateway?: { readonly address: string; readonly port: number };
}

export interface MemberRef {
  readonly cluster: string;
  readonly namespace: string;
}

export interface GlobalNamespace {
  readonly name: string;
  readonly members: readonly MemberRef[];
}

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol: Protocol;
}

/** What an agent publishes of a pod: only the fields gns-sync uses. */
export interface PodRecord {
  readonly name: string;
  readonly uid: string;
  readonly labels: Readonly<Record<string, string>>;
  /** status.podIPs in order (the first is status.podIP); empty until the pod has an IP. */
  readonly ips: readonly string[];
  /** spec.hostname, as set (not validated: the core decides whether to publish it). */
  readonly hostname?: string;
  /** The Ready condition is True. */
  readonly ready: boolean;
  /** metadata.deletionTimestamp is set. */
  readonly terminating: boolean;
  readonly ports: readonly ContainerPort[];
  readonly nodeName?: string;
  /**
   * The pod's controller (its ownerReference with `controller: true`), `null` when it has none;
   * absent when unknown: the record came from a v1 event, whose agent did not say.
   */
  readonly controller?: PodController | null;
}

/** Kind and name of the object that controls a pod (a StatefulSet for the pods gns-sync publishes). */
export interface PodController {
  readonly kind: string;
  readonly name: string;
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly protocol: Protocol;
  /** A number, or the name of a container port; absent means `port`. */
  readonly targetPort?: number | string;
  readonly appProtocol?: string;
}

/**
 * What an agent publishes of a Service: only Services that carry one of the selector
 * annotation keys (valid or not, so that an invalid one can be warned about).
 */
export interface ServiceRecord {
  readonly name: string;
  readonly uid: string;
  /** Only the selector annotation keys (docs/design.md §2), verbatim. */
  readonly annotations: Readonly<Record<string, string>>;
  /** spec.clusterIP ("None" for a headless Service). */
  readonly clusterIP?: string;
  /** spec.selector, when the Service has one (then it is not a valid target). */
  readonly selector?: Readonly<Record<string, string>>;
  readonly publishNotReadyAddresses: boolean;
  readonly ports: readonly ServicePort[];
  /** spec.ipFamilies, when set. */
  readonly ipFamilies?: readonly ('IPv4' | 'IPv6')[];
  /**
   * Set by the agent when the Service cannot be published as it is (an annotation over the
   * contract's size limit, more ports than it allows): the target is invalid for this reason,
   * and its annotations and ports are left out (shared/core/target.ts).
   */
  readonly problem?: string;
}

export type ObjectKind = 'pod' | 'service';

/** A versioned entry of the stored state: a record, or a tombstone when `record` is absent. */
export interface Entry<T> {
  readonly v: Hlc;
  readonly record?: T;
  /**
   * Pod tombstones only: the agent said the pod returns (its StatefulSet still wants the
   * ordinal: a restart), observed at this time (ms; the event's `observedAt`, else the
   * version's wall-clock part). docs/adr/0019-a-restart-keeps-its-routing.md.
   */
  readonly returning?: number;
}

/**
 * The stored state of one member namespace of one cluster: a join-semilattice, so that
 * merging events in any order, any number of times, gives the same state
 * (docs/adr/0002-event-ordering.md).
 */
export interface NamespaceState {
  /**
   * The member this state belongs to, set by the first merged event; merging an event of
   * another cluster or namespace is a programming error (the merge throws).
   */
  readonly scope?: MemberRef;
  /** The version of the newest snapshot merged, if any. */
  readonly snapshotV?: Hlc;
  /** Keys (`pod/<name>`, `service/<name>`) listed by that snapshot. */
  readonly listed: ReadonlySet<string>;
  readonly entries: ReadonlyMap<string, Entry<PodRecord> | Entry<ServiceRecord>>;
}

/** A source pod as the sync sees it: a visible pod record and where it lives. */
export interface SourcePod {
  readonly cluster: string;
  readonly namespace: string;
  readonly pod: PodRecord;
}

/** A target: a Service carrying the selector annotation, in a member of a GNS. */
export interface TargetRef {
  readonly gns: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
}

/** The identity a VIP is reserved for (docs/design.md §2). */
export interface VipIdentity {
  readonly gns: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly pod: string;
}

// ---- EndpointSlices, as gns-sync writes and reads them (discovery.k8s.io/v1) ----

export type AddressType = 'IPv4' | 'IPv6';

export interface EndpointConditions {
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

export interface Endpoint {
  readonly addresses: readonly string[];
  readonly hostname?: string;
  readonly conditions: EndpointConditions;
  /** Same-cluster source pods only: the pod, as the Kubernetes controller sets it. */
  readonly targetRef?: { readonly kind: 'Pod'; readonly namespace: string; readonly name: string; readonly uid: string };
  /** Same-cluster source pods only: spec.nodeName. */
  readonly nodeName?: string;
}

export interface EndpointPort {
  readonly name: string;
  readonly port: number;
  readonly protocol: Protocol;
  readonly appProtocol?: string;
}

export interface OwnerReference {
  readonly apiVersion: 'v1';
  readonly kind: 'Service';
  readonly name: string;
  readonly uid: string;
  readonly controller: true;
  readonly blockOwnerDeletion: true;
}

export interface Slice {
  /** Set on existing slices; desired slices are named by the plan (generateName or reuse). */
  readonly name?: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly ownerReferences: readonly OwnerReference[];
  readonly addressType: AddressType;
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly EndpointPort[];
  /** Existing slices only: the resourceVersion to update or delete against. */
  readonly resourceVersion?: string;
  /** Existing slices only: metadata.uid, the other precondition of an update or delete. */
  readonly uid?: string;
}

export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'gns-sync.io';
export const LABEL_GNS = 'gns-sync.io/gns';
export const ANNOTATION_TSM = 'tsm.tanzu.vmware.com/endpoints.statefulset';
export const ANNOTATION_GNS_SYNC = 'gns-sync.io/endpoints.statefulset';
export const SELECTOR_ANNOTATIONS = [ANNOTATION_TSM, ANNOTATION_GNS_SYNC] as const;
export const MAX_ENDPOINTS_PER_SLICE = 100;
