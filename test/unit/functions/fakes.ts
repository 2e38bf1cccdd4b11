// In-memory fakes of every port the functions take, with knobs for failures, and recorders
// of every call, so the use cases are tested without DynamoDB, SQS or Kubernetes.
import { canonicalJson } from '../../../shared/core/canonical-json.ts';
import { bigIntToIp, ipToBigInt } from '../../../shared/core/cidr.ts';
import { identityKey, parseIdentityKey } from '../../../shared/core/identity.ts';
import { emptyNamespaceState, mergeEvent, visiblePods, visibleServices } from '../../../shared/core/merge.ts';
import { returningPods } from '../../../shared/core/returning.ts';
import type { NamespaceState, PodRecord, ServiceRecord, Slice, TargetRef, VipIdentity } from '../../../shared/core/types.ts';
import { ConflictError, PoolExhaustedError, RetryableError } from '../../../shared/errors.ts';
import type {
  ClusterApi, ClusterApis, Clock, DeadLetter, SliceRef, DeadLetters, MergeResult, ReleaseOptions, StateStore, SyncQueue, TargetStatus, TargetStatusStore, Topology, VipAllocator,
  MemberBump, MemberVersions, NamespaceView, Inventory, InventoryRead,
} from '../../../shared/ports.ts';
import { toBusEntries } from '../../../shared/schemas/serialize.ts';
import { toEnvelope } from '../../../shared/schemas/envelope.ts';
import { DETAIL_TYPES } from '../../../shared/schemas/events.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import { formatHlc } from '../../../shared/core/hlc.ts';
import { ANNOTATION_TSM } from '../../../shared/core/types.ts';
import { KIND_ENDPOINTSLICES } from '../../../shared/core/inventory.ts';
import { indexTopology } from '../../../functions/topology.ts';

// ---- the seed's scenario -------------------------------------------------------------------

export const KAFKA_LABELS = {
  'app.kubernetes.io/component': 'kafka',
  'app.kubernetes.io/instance': 'kafka',
  'app.kubernetes.io/name': 'kafka',
} as const;

export const TOPOLOGY: Topology = {
  clusters: [
    { name: 'clusterOne', network: 'clusterOne' },
    { name: 'clusterTwo', network: 'clusterTwo' },
  ],
  globalNamespaces: [
    {
      name: 'kafka-gns',
      members: [
        { cluster: 'clusterOne', namespace: 'ns-one' },
        { cluster: 'clusterOne', namespace: 'ns-two' },
        { cluster: 'clusterTwo', namespace: 'ns-one' },
      ],
    },
  ],
  vipPool: '240.240.0.0/16',
  vipReleaseAfterMs: 3_600_000,
};
export const topology = () => indexTopology(TOPOLOGY);

/** The two targets of the seed: clusterOne/ns-two (pod IPs) and clusterTwo/ns-one (VIPs). */
export const T_LOCAL: TargetRef = { gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-two', name: 'kafka-headless' };
export const T_REMOTE: TargetRef = { gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', name: 'kafka-headless' };

export function kafkaPod(i: number, overrides: Partial<PodRecord> = {}): PodRecord {
  return {
    name: `kafka-${i}`,
    uid: `uid-kafka-${i}`,
    labels: { ...KAFKA_LABELS, 'statefulset.kubernetes.io/pod-name': `kafka-${i}` },
    ips: [`10.1.0.${10 + i}`],
    hostname: `kafka-${i}`,
    ready: true,
    terminating: false,
    ports: [{ name: 'tcp-client', containerPort: 9092, protocol: 'TCP' }],
    nodeName: 'clusterone-node',
    controller: { kind: 'StatefulSet', name: 'kafka' },
    ...overrides,
  };
}

export function targetService(name = 'kafka-headless', overrides: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    name,
    uid: `uid-svc-${name}`,
    annotations: { [ANNOTATION_TSM]: JSON.stringify(KAFKA_LABELS) },
    clusterIP: 'None',
    publishNotReadyAddresses: false,
    ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'tcp-client' }],
    ...overrides,
  };
}

// ---- events as EventBridge delivers them ------------------------------------------------------

let counter = 0;
const v = () => formatHlc(1_764_363_600_000 + ++counter, 0);
/** Contract v2's observation time: the version's own wall-clock milliseconds. */
const observedAt = 1_764_363_600_000;

export function podUpsert(cluster: string, namespace: string, pod: PodRecord): GnsEvent {
  return { type: DETAIL_TYPES.podUpsert, detail: { cluster, namespace, v: v(), observedAt, pod: pod as never } };
}
export function podDelete(cluster: string, namespace: string, name: string, uid = `uid-${name}`): GnsEvent {
  return { type: DETAIL_TYPES.podDelete, detail: { cluster, namespace, v: v(), observedAt, name, uid } };
}
export function serviceUpsert(cluster: string, namespace: string, service: ServiceRecord): GnsEvent {
  return { type: DETAIL_TYPES.serviceUpsert, detail: { cluster, namespace, v: v(), observedAt, service: service as never } };
}
export function serviceDelete(cluster: string, namespace: string, name: string): GnsEvent {
  return { type: DETAIL_TYPES.serviceDelete, detail: { cluster, namespace, v: v(), observedAt, name, uid: `uid-svc-${name}` } };
}

/**
 * The seed scenario as stored: Kafka's pods kafka-0 … kafka-(pods-1) in clusterOne/ns-one and the
 * targets T_LOCAL (clusterOne/ns-two: pod IPs) and T_REMOTE (clusterTwo/ns-one: VIPs).
 */
export function seedScenario(pods: number): GnsEvent[] {
  return [
    ...Array.from({ length: pods }, (_, i) => podUpsert('clusterOne', 'ns-one', kafkaPod(i))),
    serviceUpsert('clusterOne', 'ns-two', targetService()),
    serviceUpsert('clusterTwo', 'ns-one', targetService()),
  ];
}

/** The SQS message body of an ingest-queue record: the EventBridge event, as JSON text. */
export function busBody(event: GnsEvent, id = `evt-${++counter}`): string {
  const [entry] = toBusEntries(event);
  if (!entry) throw new Error('no entry');
  return JSON.stringify(toEnvelope(entry, { id, account: '111122223333', region: 'eu-west-1', receivedAt: new Date(1_764_363_600_000) }));
}

// ---- StateStore ---------------------------------------------------------------------------------

const visibleMap = <T extends { name: string }>(records: readonly T[]) => new Map(records.map((r) => [r.name, r]));

export class FakeStore implements StateStore {
  readonly states = new Map<string, NamespaceState>();
  readonly calls: string[] = [];
  /** Throws from merge when it returns an error for the event. */
  failMerge: ((event: GnsEvent) => Error | undefined) | undefined;

  private state(cluster: string, namespace: string): NamespaceState {
    return this.states.get(`${cluster}/${namespace}`) ?? emptyNamespaceState();
  }

  async merge(event: GnsEvent): Promise<MergeResult> {
    this.calls.push(`merge ${event.type}`);
    const failure = this.failMerge?.(event);
    if (failure) throw failure;
    const { cluster, namespace } = event.detail;
    const before = this.state(cluster, namespace);
    const after = mergeEvent(before, event);
    this.states.set(`${cluster}/${namespace}`, after);
    const pods: { name: string; labels: Readonly<Record<string, string>>[] }[] = [];
    const bp = visibleMap(visiblePods(before));
    const ap = visibleMap(visiblePods(after));
    for (const name of new Set([...bp.keys(), ...ap.keys()])) {
      const b = bp.get(name);
      const a = ap.get(name);
      if (canonicalJson(b ?? null) !== canonicalJson(a ?? null)) pods.push({ name, labels: [b?.labels, a?.labels].filter((l) => l !== undefined) });
    }
    const bs = visibleMap(visibleServices(before));
    const as = visibleMap(visibleServices(after));
    const services = [...new Set([...bs.keys(), ...as.keys()])].filter((n) => canonicalJson(bs.get(n) ?? null) !== canonicalJson(as.get(n) ?? null));
    return { changed: canonicalJson([...before.entries]) !== canonicalJson([...after.entries]) || before.snapshotV !== after.snapshotV, pods, services };
  }

  async podsOf(cluster: string, namespace: string): Promise<readonly PodRecord[]> {
    this.calls.push(`podsOf ${cluster}/${namespace}`);
    return visiblePods(this.state(cluster, namespace));
  }

  async servicesOf(cluster: string, namespace: string): Promise<readonly ServiceRecord[]> {
    this.calls.push(`servicesOf ${cluster}/${namespace}`);
    return visibleServices(this.state(cluster, namespace));
  }

  async service(cluster: string, namespace: string, name: string): Promise<ServiceRecord | undefined> {
    this.calls.push(`service ${cluster}/${namespace}/${name}`);
    return visibleServices(this.state(cluster, namespace)).find((s) => s.name === name);
  }

  /** Targets versions by GNS (docs/adr/0008-function-costs-and-caches.md). */
  readonly versions = new Map<string, number>();
  /** Thrown by bumpTargetsVersion / targetsVersions when set. */
  failBump: Error | undefined;
  failVersions: Error | undefined;

  async targetsVersions(gnsNames: readonly string[]): Promise<ReadonlyMap<string, number>> {
    this.calls.push(`targetsVersions ${[...gnsNames].sort().join(',')}`);
    if (this.failVersions) throw this.failVersions;
    return new Map(gnsNames.map((g) => [g, this.versions.get(g) ?? 0]));
  }

  async bumpTargetsVersion(gns: string): Promise<number> {
    this.calls.push(`bumpTargetsVersion ${gns}`);
    if (this.failBump) throw this.failBump;
    const version = (this.versions.get(gns) ?? 0) + 1;
    this.versions.set(gns, version);
    return version;
  }

  /** Member versions by `gns` then `cluster/namespace` (docs/adr/0016). */
  readonly memberCounters = new Map<string, Map<string, number>>();

  async namespaceOf(cluster: string, namespace: string): Promise<NamespaceView> {
    this.calls.push(`namespaceOf ${cluster}/${namespace}`);
    const state = this.state(cluster, namespace);
    return { pods: visiblePods(state), services: visibleServices(state), returning: returningPods(state.entries) };
  }

  async memberVersions(gns: string): Promise<ReadonlyMap<string, number>> {
    this.calls.push(`memberVersions ${gns}`);
    return new Map(this.memberCounters.get(gns) ?? []);
  }

  /** Thrown by bumpMemberVersions when set. */
  failBumpMembers: Error | undefined;

  async bumpMemberVersions(gns: string, members: readonly string[]): Promise<MemberBump> {
    this.calls.push(`bumpMemberVersions ${gns}`);
    if (this.failBumpMembers) throw this.failBumpMembers;
    const counters = this.memberCounters.get(gns) ?? new Map<string, number>();
    for (const m of new Set(members)) counters.set(m, (counters.get(m) ?? 0) + 1);
    this.memberCounters.set(gns, counters);
    return { members: new Map(counters), targetsVersion: this.versions.get(gns) ?? 0 };
  }

  /** Test setup: merge without recording a call. */
  async put(...events: GnsEvent[]): Promise<void> {
    for (const e of events) await this.merge(e);
    this.calls.length = 0;
  }
}

// ---- VipAllocator -------------------------------------------------------------------------------

export class FakeVips implements VipAllocator {
  readonly byIdentity = new Map<string, string>();
  readonly gone = new Map<string, number>();
  readonly calls: string[] = [];
  private next: bigint;
  /** Addresses the pool can still hand out. */
  capacity = Number.POSITIVE_INFINITY;

  constructor(first = '240.240.0.1') {
    this.next = ipToBigInt(first);
  }

  async listGns(gns: string): Promise<ReadonlyMap<string, string>> {
    this.calls.push(`listGns ${gns}`);
    const out = new Map<string, string>();
    for (const [k, vip] of this.byIdentity) if (k.startsWith(`${gns}/`)) out.set(k.slice(gns.length + 1), vip);
    return out;
  }

  async ensure(identities: readonly VipIdentity[], _now: number): Promise<ReadonlyMap<string, string>> {
    this.calls.push(`ensure ${identities.length}`);
    const out = new Map<string, string>();
    let missing = 0;
    for (const id of identities) {
      const key = identityKey(id);
      this.gone.delete(key);
      let vip = this.byIdentity.get(key);
      if (vip === undefined) {
        if (this.capacity <= 0) {
          missing++;
          continue;
        }
        this.capacity--;
        vip = bigIntToIp(this.next++, 4);
        this.byIdentity.set(key, vip);
      }
      out.set(key, vip);
    }
    if (missing > 0) throw new PoolExhaustedError('240.240.0.0/16', missing);
    return out;
  }

  async markGone(identities: readonly VipIdentity[], now: number): Promise<void> {
    this.calls.push(`markGone ${identities.map(identityKey).join(',')}`);
    for (const id of identities) if (!this.gone.has(identityKey(id))) this.gone.set(identityKey(id), now);
  }

  async releaseExpired(now: number, options: ReleaseOptions = {}): Promise<number> {
    this.calls.push('releaseExpired');
    let n = 0;
    // Like the DynamoDB allocator: after releasing, mark gone the bound identities of GNSs not configured.
    const marked: VipIdentity[] = [];
    const configured = options.configuredGns === undefined ? undefined : new Set(options.configuredGns);
    for (const [key, since] of this.gone) {
      if (now - since > TOPOLOGY.vipReleaseAfterMs && !options.published?.has(this.byIdentity.get(key) ?? '')) {
        this.byIdentity.delete(key);
        this.gone.delete(key);
        n++;
      }
    }
    for (const key of this.byIdentity.keys()) {
      const id = parseIdentityKey(key);
      if (configured !== undefined && !configured.has(id.gns) && !this.gone.has(key)) {
        this.gone.set(key, now);
        marked.push(id);
      }
    }
    if (marked.length > 0) options.onUnconfiguredMarked?.(marked);
    // Like the DynamoDB allocator's pool read (no quarantine here: a released address is free at once).
    options.onPoolRead?.({ held: this.byIdentity.size, quarantined: 0 });
    return n;
  }

  async adopt(entries: readonly { identity: VipIdentity; vip: string }[], _now: number): Promise<void> {
    this.calls.push(`adopt ${entries.map((e) => `${identityKey(e.identity)}=${e.vip}`).join(',')}`);
    for (const e of entries) if (!this.byIdentity.has(identityKey(e.identity))) this.byIdentity.set(identityKey(e.identity), e.vip);
  }
}

// ---- TargetStatusStore --------------------------------------------------------------------------

export class FakeStatuses implements TargetStatusStore {
  readonly byKey = new Map<string, TargetStatus>();
  readonly calls: string[] = [];
  async record(status: TargetStatus): Promise<void> {
    this.calls.push('record');
    this.byKey.set(JSON.stringify(status.target), status);
  }
  async get(target: TargetRef): Promise<TargetStatus | undefined> {
    this.calls.push('get');
    return this.byKey.get(JSON.stringify({ gns: target.gns, cluster: target.cluster, namespace: target.namespace, name: target.name }));
  }
  async list(): Promise<readonly TargetStatus[]> {
    return [...this.byKey.values()];
  }
}

// ---- ClusterApi -------------------------------------------------------------------------------

/** One cluster's inventory ConfigMap (shared/core/inventory.ts), with a resourceVersion. */
export class FakeInventory implements Inventory {
  readonly kinds = new Map<string, Set<string>>();
  /** `record kind ns` for each record that wrote, `forget kind ns,ns` for each forget that did. */
  readonly calls: string[] = [];
  private rv = 1;
  /** Called before each write; may throw (the ConfigMap cannot be written). */
  beforeWrite: ((verb: 'record' | 'forget') => void) | undefined;

  async record(kind: string, namespace: string): Promise<void> {
    if (this.kinds.get(kind)?.has(namespace)) return;
    this.beforeWrite?.('record');
    this.kinds.set(kind, new Set([...(this.kinds.get(kind) ?? []), namespace]));
    this.rv++;
    this.calls.push(`record ${kind} ${namespace}`);
  }

  async read(): Promise<InventoryRead> {
    return { kinds: new Map([...this.kinds].map(([k, v]) => [k, new Set(v)])), uid: 'uid-inventory', resourceVersion: String(this.rv) };
  }

  async forget(kind: string, namespaces: readonly string[], seen: InventoryRead): Promise<boolean> {
    if (seen.resourceVersion !== String(this.rv)) return false;
    this.beforeWrite?.('forget');
    const left = [...(this.kinds.get(kind) ?? [])].filter((n) => !namespaces.includes(n));
    if (left.length > 0) this.kinds.set(kind, new Set(left));
    else this.kinds.delete(kind);
    this.rv++;
    this.calls.push(`forget ${kind} ${namespaces.join(',')}`);
    return true;
  }

  /** The namespaces recorded for EndpointSlices, sorted. */
  sliceNamespaces(): string[] {
    return [...(this.kinds.get(KIND_ENDPOINTSLICES) ?? [])].sort();
  }
}

export interface RecordedEvent {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly type: string;
  readonly reason: string;
  readonly message: string;
}

/** One cluster's EndpointSlices, with resourceVersions, like the API server keeps them. */
export class FakeCluster implements ClusterApi {
  readonly slices = new Map<string, Slice>();
  readonly events: RecordedEvent[] = [];
  /** Every write call: `create ns/name`, `update ns/name`, `delete ns/name`, `event reason`. */
  readonly writes: string[] = [];
  readonly reads: string[] = [];
  /** The installation's inventory in this cluster: createSlice and updateSlice record their namespace first. */
  readonly inventory = new FakeInventory();
  private rv = 100;
  /** Called before each write; may throw (e.g. a ConflictError once). */
  beforeWrite: ((verb: string, slice?: Slice) => void) | undefined;
  /** Called before each call; may throw (an unreachable cluster). */
  beforeCall: (() => void) | undefined;

  /** Test setup: a slice as if someone else had created it. */
  seed(slice: Slice): Slice {
    // A slice of gns-sync's was written by a writer that recorded its namespace first.
    if (slice.labels['endpointslice.kubernetes.io/managed-by'] === 'gns-sync.io') this.inventory.kinds.set(KIND_ENDPOINTSLICES, new Set([...(this.inventory.kinds.get(KIND_ENDPOINTSLICES) ?? []), slice.namespace]));
    const stored = { ...slice, name: slice.name ?? `seeded-${this.rv}`, resourceVersion: String(++this.rv), uid: slice.uid ?? `uid-slice-${this.rv}` };
    this.slices.set(`${stored.namespace}/${stored.name}`, stored);
    return stored;
  }

  async listSlices(namespace: string, serviceName: string): Promise<readonly Slice[]> {
    this.beforeCall?.();
    this.reads.push(`list ${namespace}/${serviceName}`);
    return [...this.slices.values()].filter((s) => s.namespace === namespace && s.labels['kubernetes.io/service-name'] === serviceName);
  }

  async listManagedSlices(namespace: string): Promise<readonly Slice[]> {
    this.beforeCall?.();
    this.reads.push(`list managed ${namespace}`);
    return [...this.slices.values()].filter((s) => s.namespace === namespace && s.labels['endpointslice.kubernetes.io/managed-by'] === 'gns-sync.io');
  }

  async createSlice(slice: Slice): Promise<Slice> {
    this.beforeCall?.();
    await this.inventory.record(KIND_ENDPOINTSLICES, slice.namespace);
    this.beforeWrite?.('create', slice);
    const name = slice.name ?? `gen-${this.rv}`;
    const key = `${slice.namespace}/${name}`;
    if (this.slices.has(key)) throw new ConflictError(`create ${key}: already exists`);
    this.writes.push(`create ${key}`);
    const stored = { ...slice, name, resourceVersion: String(++this.rv), uid: `uid-slice-${this.rv}` };
    this.slices.set(key, stored);
    return stored;
  }

  async updateSlice(slice: Slice): Promise<Slice> {
    this.beforeCall?.();
    await this.inventory.record(KIND_ENDPOINTSLICES, slice.namespace);
    this.beforeWrite?.('update', slice);
    const key = `${slice.namespace}/${slice.name}`;
    const current = this.slices.get(key);
    if (!current || current.resourceVersion !== slice.resourceVersion || (slice.uid !== undefined && current.uid !== slice.uid)) throw new ConflictError(`update ${key}: conflict`);
    this.writes.push(`update ${key}`);
    const stored = { ...slice, resourceVersion: String(++this.rv), uid: current.uid };
    this.slices.set(key, stored);
    return stored;
  }

  async deleteSlice(slice: SliceRef): Promise<void> {
    this.beforeCall?.();
    this.beforeWrite?.('delete');
    const key = `${slice.namespace}/${slice.name}`;
    const current = this.slices.get(key);
    // Preconditions, as the API server checks them: a slice that changed or was recreated is kept.
    if (current && ((slice.uid !== undefined && current.uid !== slice.uid) || (slice.resourceVersion !== undefined && current.resourceVersion !== slice.resourceVersion))) {
      throw new ConflictError(`delete ${key}: precondition failed`);
    }
    this.writes.push(`delete ${key}`);
    this.slices.delete(key); // a 404 is success: nothing to do
  }

  async recordEvent(target: { namespace: string; name: string; uid: string }, type: 'Warning' | 'Normal', reason: string, message: string): Promise<void> {
    this.beforeCall?.();
    this.beforeWrite?.('event');
    this.writes.push(`event ${reason}`);
    this.events.push({ ...target, type, reason, message });
  }

  /** Our slices of a Service, endpoints flattened as `hostname=address`. */
  endpointsOf(namespace: string, service: string): string[] {
    return [...this.slices.values()]
      .filter((s) => s.namespace === namespace && s.labels['kubernetes.io/service-name'] === service && s.labels['endpointslice.kubernetes.io/managed-by'] === 'gns-sync.io')
      .flatMap((s) => s.endpoints.map((e) => `${e.hostname ?? '?'}=${e.addresses.join(',')}`))
      .sort();
  }
}

export class FakeClusters implements ClusterApis {
  readonly clusters = new Map<string, FakeCluster>();
  constructor(names: readonly string[] = ['clusterOne', 'clusterTwo']) {
    for (const n of names) this.clusters.set(n, new FakeCluster());
  }
  cluster(name: string): FakeCluster {
    const c = this.clusters.get(name);
    if (!c) throw new Error(`no fake cluster ${name}`);
    return c;
  }
  async get(cluster: string): Promise<ClusterApi> {
    return this.cluster(cluster);
  }
}

// ---- SyncQueue, DeadLetters, Clock --------------------------------------------------------------

export class FakeQueue implements SyncQueue {
  readonly sent: { target: TargetRef; cause: string; observedAt?: number; versions?: MemberVersions }[] = [];
  fail: Error | undefined;
  async enqueue(targets: readonly TargetRef[], cause: string, observedAt?: number, versions?: ReadonlyMap<string, MemberVersions>): Promise<void> {
    if (this.fail) throw this.fail;
    for (const target of targets) {
      const v = versions?.get(target.gns);
      this.sent.push({ target, cause, ...(observedAt === undefined ? {} : { observedAt }), ...(v ? { versions: v } : {}) });
    }
  }
  keys(): string[] {
    return this.sent.map((s) => `${s.target.cluster}/${s.target.namespace}/${s.target.name}`).sort();
  }
}

export class FakeDeadLetters implements DeadLetters {
  readonly letters: DeadLetter[] = [];
  fail: Error | undefined;
  async send(letter: DeadLetter): Promise<void> {
    if (this.fail) throw this.fail;
    this.letters.push(letter);
  }
}

export class FakeClock implements Clock {
  ms = 1_764_363_600_000;
  now(): number {
    return this.ms;
  }
}

export const retryable = (what = 'store') => new RetryableError(`${what}: throttled`);
