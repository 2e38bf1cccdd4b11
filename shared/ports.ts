// Ports: what the use cases need from the outside world. Adapters implement them
// (shared/adapters/*); tests pass fakes. Use cases import this file, never an adapter.
import type {
  ClusterInfo, Entry, GlobalNamespace, Hlc, MemberRef, PodRecord, ServiceRecord, Slice, SourcePod, TargetRef, VipIdentity,
} from './core/types.ts';
import type { IncarnationView } from './core/completeness.ts';
import type { ReturningPod } from './core/returning.ts';
import type { Handback } from './core/handback.ts';
import type { PoolCounts } from './core/pool-usage.ts';
import type { InventoryKinds } from './core/inventory.ts';
import type { GnsEvent } from './schemas/events.ts';
import type { ClusterIstioView } from './core/routing/gateways.ts';
import type { RoutingKey, ServiceEntry } from './core/routing/types.ts';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Outcome of merging one event into the state table. */
export interface MergeResult {
  /** Whether the stored state changed (a stale or duplicate event changes nothing). */
  readonly changed: boolean;
  /** Pods whose visible state may have changed: previous and new labels (to find affected targets). */
  readonly pods: readonly { readonly name: string; readonly labels: readonly Readonly<Record<string, string>>[] }[];
  /** Services whose visible state may have changed. */
  readonly services: readonly string[];
  /**
   * Set when this merge completed a namespace snapshot (its last part merged; every part
   * counted once): the snapshot's version. The ingest then marks the member complete in the
   * store's incarnation (docs/adr/0014-store-completeness.md).
   */
  readonly completedSnapshot?: Hlc;
}

/**
 * The store's incarnation (docs/adr/0014-store-completeness.md): a new one begins whenever
 * the table is found without one — emptied, recreated, or restored from a backup (a restored
 * table is another table) — and records which members have merged a whole snapshot since.
 */
export interface IncarnationStore {
  /** The current incarnation; creates one (beginning at `now`) when the table has none. */
  current(now: number): Promise<IncarnationView>;
  /** Records that a member merged a whole snapshot taken after incarnation `id` began (a no-op for another incarnation). */
  markComplete(id: string, member: MemberRef): Promise<void>;
  /** Raises the recorded highest version of each cluster in incarnation `id` (never lowers it). */
  raiseFloors(id: string, floors: ReadonlyMap<string, Hlc>): Promise<void>;
}

export interface StateStore {
  /** Merge one validated event (commutative, idempotent: docs/adr/0002-event-ordering.md). */
  merge(event: GnsEvent): Promise<MergeResult>;
  /** The visible pods of one member namespace. */
  podsOf(cluster: string, namespace: string): Promise<readonly PodRecord[]>;
  /** The visible services (annotated, maybe invalid) of one member namespace. */
  servicesOf(cluster: string, namespace: string): Promise<readonly ServiceRecord[]>;
  /** One visible service, or undefined when it is gone. */
  service(cluster: string, namespace: string, name: string): Promise<ServiceRecord | undefined>;
  /**
   * The targets version of each GNS (0 when never bumped), read consistently in one request.
   * The ingest reuses a cached target index only while it is unchanged (docs/adr/0008-function-costs-and-caches.md).
   */
  targetsVersions(gnsNames: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** Counts a change of a GNS's targets (after merging a Service change of it); returns the new version. */
  bumpTargetsVersion(gns: string): Promise<number>;
  /**
   * The visible pods and services of one member namespace, in one read (what `podsOf` and
   * `servicesOf` return, together).
   */
  namespaceOf(cluster: string, namespace: string): Promise<NamespaceView>;
  /**
   * The change counter of each member namespace of a GNS, by `cluster/namespace` (absent: 0),
   * read consistently in one request: a sync re-reads only the members whose counter moved
   * (docs/adr/0016-a-pod-event-costs-constant-work.md).
   */
  memberVersions(gns: string): Promise<ReadonlyMap<string, number>>;
  /**
   * Counts a change of these member namespaces (`cluster/namespace`) of a GNS, after merging it,
   * in one write; returns every member version of the GNS after it (for the sync messages).
   */
  bumpMemberVersions(gns: string, members: readonly string[]): Promise<MemberBump>;
}

/** Member versions of one GNS by `cluster/namespace` (absent: 0). */
export type MemberVersions = ReadonlyMap<string, number>;

/** What a member bump returns: every member version of the GNS and its targets version (same item, one read). */
export interface MemberBump {
  readonly members: MemberVersions;
  readonly targetsVersion: number;
}

/** One member namespace's visible records. */
export interface NamespaceView {
  readonly pods: readonly PodRecord[];
  readonly services: readonly ServiceRecord[];
  /**
   * Pods absent now whose agent said they return (a restart: docs/adr/0019-a-restart-keeps-its-routing.md),
   * with when their deletion was observed. Absent: none known.
   */
  readonly returning?: readonly ReturningPod[];
}

export interface TargetStatus {
  readonly target: TargetRef;
  readonly lastSyncAt: number;
  readonly endpoints: number;
  readonly vips: number;
  readonly writes: number;
  readonly lastError?: string;
  /**
   * The Warning conditions of the last sync, one stable line each (e.g. a hostname conflict),
   * so that the next sync emits a Warning event only when they change, not on every sync.
   */
  readonly warnings?: readonly string[];
}

export interface TargetStatusStore {
  record(status: TargetStatus): Promise<void>;
  /** The last recorded status of one target, or undefined. */
  get(target: TargetRef): Promise<TargetStatus | undefined>;
  list(): Promise<readonly TargetStatus[]>;
}

export interface VipAllocator {
  /** The VIPs allocated in one GNS, by identity key `cluster/namespace/pod`. */
  listGns(gns: string): Promise<ReadonlyMap<string, string>>;
  /**
   * Get or allocate the VIP of each identity; throws PoolExhaustedError when the pool is full.
   * An identity bound to a VIP outside the configured pool (vipPool changed) is moved into it
   * and the old address quarantined (docs/adr/0004-vip-allocation.md). `onMoved` is called for
   * each identity whose binding came from such a move, now or by an earlier call (the binding
   * remembers the address it left), so every target still publishing the old one can say so.
   */
  ensure(identities: readonly VipIdentity[], now: number, onMoved?: (move: VipMove) => void): Promise<ReadonlyMap<string, string>>;
  /** Mark identities as seen (pod present) or gone since `now`, for release after the grace period. */
  markGone(identities: readonly VipIdentity[], now: number): Promise<void>;
  /**
   * Release VIPs whose pods have been gone longer than the grace period; returns how many.
   * With `configuredGns`, also mark gone since `now` every bound identity of a GNS not in it
   * (removed from the config), found in the pool read the release does anyway; their VIPs are
   * released after the grace period unless the GNS returns first (`ensure` clears the mark).
   */
  releaseExpired(now: number, options?: ReleaseOptions): Promise<number>;
  /** Adopt VIPs found in target slices (rebuild from an empty table). */
  adopt(entries: readonly { identity: VipIdentity; vip: string }[], now: number): Promise<void>;
}

/**
 * What each cluster was last seen publishing: the addresses in the slices gns-sync manages
 * there, as the reconcile listed them (docs/adr/0004-vip-allocation.md). A VIP is released only
 * when no cluster's record shows it.
 */
export interface PublishedVipsStore {
  /** Cluster → addresses, for every cluster ever recorded (configured or not). */
  read(): Promise<Map<string, ReadonlySet<string>>>;
  /** Replaces a cluster's record. */
  write(cluster: string, addresses: ReadonlySet<string>, now: number): Promise<void>;
}

export interface ReleaseOptions {
  /**
   * Addresses some target still publishes (or may: its cluster could not be listed, or left
   * the config): their identities stay marked gone but keep the VIP, and an orphan claim of one
   * is not quarantined, until no record shows them. Omitted: nothing is held.
   */
  readonly published?: ReadonlySet<string>;
  /** Every GNS of the config: identities of any other GNS are marked gone. Omitted: none is. */
  readonly configuredGns?: readonly string[];
  /** Called once with the identities of removed GNSs that this call marked gone (not those marked before). */
  readonly onUnconfiguredMarked?: (identities: readonly VipIdentity[]) => void;
  /** Called once with the configured pool's addresses held and in quarantine, from the pool read the release does anyway (metrics). */
  readonly onPoolRead?: (counts: PoolCounts) => void;
}

/** An identity's VIP moved into the configured pool from an address outside it. */
export interface VipMove {
  readonly identity: VipIdentity;
  readonly from: string;
  readonly to: string;
}

/** A listed slice, as a delete names it: where, and the two preconditions. */
export type SliceRef = Pick<Slice, 'namespace' | 'name' | 'uid' | 'resourceVersion'>;

/** One target cluster's EndpointSlices and events. */
export interface ClusterApi {
  /** Every slice of one Service (owned by us or not: the plan ignores those it does not own). */
  listSlices(namespace: string, serviceName: string): Promise<readonly Slice[]>;
  /**
   * The slices of one namespace labelled managed-by gns-sync.io (reconcile: orphans of removed
   * members, in the member and inventoried namespaces only: the writer has no cluster-wide grant).
   */
  listManagedSlices(namespace: string): Promise<readonly Slice[]>;
  createSlice(slice: Slice): Promise<Slice>;
  updateSlice(slice: Slice): Promise<Slice>;
  /**
   * Deletes a listed slice with both preconditions, its uid and resourceVersion: a slice that
   * changed or was recreated since it was listed is not deleted (ConflictError: re-list); a
   * slice already gone is success.
   */
  deleteSlice(slice: SliceRef): Promise<void>;
  /** A Warning (or Normal) event on a Service. */
  recordEvent(target: { namespace: string; name: string; uid: string }, type: 'Warning' | 'Normal', reason: string, message: string): Promise<void>;
  /**
   * Hands the store's incarnation and the cluster's version floor back to the cluster's agent
   * through its Lease (docs/adr/0014-store-completeness.md); returns whether it wrote. Absent
   * in adapters that cannot (test fakes): nothing is handed back.
   */
  handBack?(lease: { readonly namespace: string; readonly name: string }, update: Handback, options?: { readonly create?: boolean }): Promise<boolean>;
  /** The installation's inventory in this cluster; `createSlice` records the namespace in it first. */
  readonly inventory: Inventory;
}

/** The inventory as read: its kinds, and the preconditions for a change against that read. */
export interface InventoryRead {
  readonly kinds: InventoryKinds;
  /** The ConfigMap's uid and resourceVersion (absent: there is none yet). */
  readonly uid?: string;
  readonly resourceVersion?: string;
}

/**
 * Where this installation has written objects in one cluster, per kind (`<resource>.<group>`,
 * shared/core/inventory.ts; docs/adr/0018-inventory.md). Any writer of objects outside gns-sync's
 * namespace calls `record` before its first write of a kind in a namespace; the reconcile finds
 * leftovers by listing only what `read` returns, and calls `forget` for namespaces it listed and
 * found holding none of the installation's objects of that kind.
 */
export interface Inventory {
  /**
   * Makes sure (kind, namespace) is recorded before the caller writes there: reads the
   * ConfigMap the first time a kind and namespace are asked (then remembers them for the
   * adapter's life), creates or updates it against the read's uid and resourceVersion (a 409:
   * read again). Throws the call errors (the write must then not happen).
   */
  record(kind: string, namespace: string): Promise<void>;
  /** The inventory now (one GET; a missing ConfigMap: empty). */
  read(): Promise<InventoryRead>;
  /**
   * Removes `namespaces` from `kind`, against `seen`'s uid and resourceVersion: returns false
   * (nothing changed) when the inventory changed since `seen` was read — try at the next run.
   */
  forget(kind: string, namespaces: readonly string[], seen: InventoryRead): Promise<boolean>;
}

export interface ClusterApis {
  get(cluster: string): Promise<ClusterApi>;
}

export interface SyncQueue {
  /**
   * One message per target. `observedAt`: the earliest agent observation behind the cause
   * (propagation lag), when known. `versions` (by GNS): the member versions that show the change
   * the message is for; a sync whose memory is at least that new reads nothing (docs/adr/0016).
   */
  enqueue(targets: readonly TargetRef[], cause: string, observedAt?: number, versions?: ReadonlyMap<string, MemberVersions>): Promise<void>;
  /** routing: istio — the gateway-entry writers of (GNS, source cluster) (docs/adr/0013); absent: not supported. */
  enqueueRouting?(keys: readonly RoutingKey[], cause: string): Promise<void>;
}

/** A received sync-queue message whose sync failed, to be retried after a delay. */
export interface SyncRetry {
  /** The receipt handle of this delivery. */
  readonly receiptHandle: string;
  /** Seconds until the message is delivered again (SQS: its new visibility timeout, 0..43,200). */
  readonly delaySeconds: number;
}

/**
 * Schedules the redelivery of failed sync messages sooner than the queue's visibility timeout
 * (SQS: ChangeMessageVisibility; docs/adr/0005-queues.md). Returns the receipt handles it
 * could not reschedule (those wait for the visibility timeout).
 */
export interface SyncRetryScheduler {
  retryLater(retries: readonly SyncRetry[]): Promise<readonly { receiptHandle: string; error: string }[]>;
}

/**
 * Deletes received sync messages whose target is synced while the rest of their batch still runs
 * (SQS: DeleteMessageBatch; docs/adr/0005-queues.md): their FIFO group takes its next message at
 * once instead of when the whole batch returns. Returns the receipt handles it could not delete
 * (those are deleted when the batch returns, as before).
 */
export interface SyncReleaser {
  release(receiptHandles: readonly string[]): Promise<readonly { receiptHandle: string; error: string }[]>;
}

/** A message that can never be processed, kept with the reason (a dead-letter queue). */
export interface DeadLetter {
  /** The original message body, verbatim. */
  readonly body: string;
  /** One line: why it was rejected (e.g. the field path that failed validation). */
  readonly reason: string;
  /** Which function rejected it (`ingest`, `sync`). */
  readonly origin: string;
  /** The id of the rejected message, when it had one (SQS messageId, event id). */
  readonly messageId?: string;
}

export interface DeadLetters {
  send(letter: DeadLetter): Promise<void>;
}

export interface EventBus {
  /** PutEvents semantics: entries that failed, with their error codes. */
  put(entries: readonly BusEntry[]): Promise<readonly { index: number; errorCode: string; errorMessage?: string }[]>;
}

/** An EventBridge PutEvents entry. */
export interface BusEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: string;
  readonly time?: Date;
}

/** The registry of clusters and global namespaces (from the config file). */
export interface Topology {
  /** The installation's identity (shared/core/installation.ts); absent: the default installation. */
  readonly installation?: string;
  readonly clusters: readonly ClusterInfo[];
  readonly globalNamespaces: readonly GlobalNamespace[];
  readonly vipPool: string;
  readonly vipReleaseAfterMs: number;
  /** How VIPs reach their pods (docs/adr/0013-routing-through-istio.md); absent: `none`. */
  readonly routing?: 'none' | 'istio';
}

export type { Entry, Hlc, SourcePod };

/**
 * One cluster's Istio config and what it tells about Istio (routing: istio;
 * docs/adr/0013-routing-through-istio.md). Separate from ClusterApi: only routing uses it.
 */
export interface RoutingApi {
  /**
   * ServiceEntries carrying every label of `selector`, in `namespace` (absent: all namespaces).
   * Throws IstioApiMissingError (shared/errors.ts) when the cluster does not serve them.
   */
  listServiceEntries(selector: Readonly<Record<string, string>>, namespace?: string): Promise<readonly ServiceEntry[]>;
  createServiceEntry(entry: ServiceEntry): Promise<void>;
  /** Against the entry's uid and resourceVersion: a concurrent change or a deleted entry is a ConflictError. */
  updateServiceEntry(entry: ServiceEntry): Promise<void>;
  /**
   * A missing entry is success. Conditional on the listed entry's uid and resourceVersion when
   * it has them: one changed or recreated since it was listed is a ConflictError (docs/adr/0015).
   */
  deleteServiceEntry(entry: Pick<ServiceEntry, 'namespace' | 'name' | 'uid' | 'resourceVersion'>): Promise<void>;
  /** Services labelled `topology.istio.io/network`, and the `istio-system` namespace's network label. */
  istioView(): Promise<ClusterIstioView>;
  /**
   * The installation's inventory in this cluster (docs/adr/0018-inventory.md):
   * `createServiceEntry` and `updateServiceEntry` record the namespace in it first (a failed
   * record: nothing written); the routing sweep lists only the namespaces it records.
   */
  readonly inventory: Inventory;
}

export interface RoutingApis {
  get(cluster: string): Promise<RoutingApi>;
}
