// The ingest use case (docs/design.md §4, docs/adr/0005-queues.md): a batch of ingest-queue
// records, each an EventBridge event → validate → merge into the state table → enqueue the
// targets it affects on the sync queue.
//
//   invalid event                  → dead-letter queue with the reason, acknowledged
//   cluster/namespace not in a GNS → ignored (counted), acknowledged
//   store or queue failure         → a batch item failure: SQS redelivers that record
//
// A batch runs in phases (docs/adr/0008-function-costs-and-caches.md): (1) merge every record;
// (2) bump the targets version of each GNS whose Services changed; (3) read the versions of
// the other GNSs whose targets are needed (one request); (4) find the affected targets, with
// the cached index of a GNS only while its version is unchanged; (5) enqueue. Because the
// version is read after the merges and a target's own sync is enqueued after its bump, a pod
// change is always covered: by this batch's index or by that target's later sync.
//
// Enqueueing is coalesced per batch: one message per distinct affected target, its
// deduplication id derived from the batch's event ids and the target key. A merge that
// changed nothing enqueues nothing, except on a redelivery (receive count > 1), where the
// previous attempt may have merged and then failed before bumping or enqueueing: then the
// version is bumped again and every target the event may concern is enqueued (a sync with
// nothing to do costs no Kubernetes write).
import { createHash } from 'node:crypto';
import { targetKey } from '../../shared/core/identity.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import { FinalError, describeError } from '../../shared/errors.ts';
import { parseBusEvent } from '../../shared/schemas/parse.ts';
import { DETAIL_TYPES } from '../../shared/schemas/events.ts';
import type { GnsEvent } from '../../shared/schemas/events.ts';
import type { RejectionReason } from '../../shared/schemas/rejections.ts';
import type { Clock, DeadLetters, IncarnationStore, MergeResult, StateStore, SyncQueue } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import { silentLog } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { completeMember } from './complete-member.ts';
import { FloorTracker, highestVersions } from './floors.ts';
import { bumpChangedMembers } from './member-bumps.ts';
import { admissionProblem } from './admission.ts';
import type { AdmissionPolicy } from './admission.ts';
import { cachedTargetIndex, matchingTargets } from './targets.ts';
import type { GnsTarget, TargetIndex } from './targets.ts';

export interface IngestDeps extends AdmissionPolicy {
  readonly topology: TopologyIndex;
  readonly store: StateStore;
  readonly queue: SyncQueue;
  readonly deadLetters: DeadLetters;
  readonly clock: Clock;
  readonly log?: Log;
  /** How long a GNS's target index may be reused while its targets version is unchanged (targets.ts). Default 60 s; 0 disables the cache. */
  readonly targetCacheMs?: number;
  /** Records merged concurrently (default 10). */
  readonly concurrency?: number;
  /** The store's incarnation: a completed snapshot marks its member complete (docs/adr/0014-store-completeness.md). */
  readonly incarnation?: IncarnationStore;
}

export interface IngestRecord {
  readonly messageId: string;
  readonly body: string;
  /** SQS ApproximateReceiveCount (1 on the first delivery). */
  readonly receiveCount?: number;
}

export interface IngestResult {
  readonly batchItemFailures: { itemIdentifier: string }[];
  readonly merged: number;
  readonly unchanged: number;
  readonly ignored: number;
  readonly invalid: number;
  /** The invalid (dead-lettered) events by reason: `invalid` is their sum. */
  readonly rejected: Readonly<Partial<Record<RejectionReason, number>>>;
  readonly failed: number;
  /** Distinct targets enqueued. */
  readonly enqueued: number;
}

const floors = new WeakMap<IngestDeps, FloorTracker>();
const indexes = new WeakMap<IngestDeps, TargetIndex>();
function indexOf(deps: IngestDeps): TargetIndex {
  let index = indexes.get(deps);
  if (!index) {
    index = cachedTargetIndex(deps.store, deps.topology, deps.clock, deps.targetCacheMs);
    indexes.set(deps, index);
  }
  return index;
}

/** The event's own cluster and namespace. */
const scopeOf = (event: GnsEvent) => ({ cluster: event.detail.cluster, namespace: event.detail.namespace });

const isServiceEvent = (event: GnsEvent) => event.type === DETAIL_TYPES.serviceUpsert || event.type === DETAIL_TYPES.serviceDelete;

/** A record merged into the store, waiting for its targets. */
interface Merged {
  readonly record: IngestRecord;
  readonly id: string;
  readonly event: GnsEvent;
  readonly gns: string;
  readonly merge: MergeResult;
  readonly redelivered: boolean;
  /** This record made its member complete in the store's incarnation: every target of the GNS may now remove what it kept. */
  readonly completedMember: boolean;
}

/**
 * The Services whose change this record stored (or, redelivered, may have stored): they are
 * targets themselves and bump the GNS's version. A redelivered snapshot may have stored its
 * Services in the first attempt, which then failed before bumping: every Service it carries counts.
 */
function changedServices(m: Merged): string[] {
  if (!m.merge.changed && !m.redelivered) return [];
  const services = new Set(m.merge.services);
  if (m.event.type === DETAIL_TYPES.serviceUpsert) services.add(m.event.detail.service.name);
  if (m.event.type === DETAIL_TYPES.serviceDelete) services.add(m.event.detail.name);
  if (m.redelivered && m.event.type === DETAIL_TYPES.snapshot) for (const s of m.event.detail.services) services.add(s.record.name);
  return [...services];
}

/**
 * A redelivered record concerns every target of its GNS, whether this attempt changed anything
 * or not: the first attempt may have merged all or part of it (a snapshot's records, its garbage
 * collection) and failed before enqueueing, and what it replaced — a pod's previous labels, a
 * collected entry — is no longer in the store to be reported now.
 */
const concernsAllTargets = (m: Merged) => (m.redelivered && !isServiceEvent(m.event)) || m.completedMember;
const needsIndex = (m: Merged) => concernsAllTargets(m) || m.merge.pods.length > 0;

/** The targets a merged record affects. */
async function affectedTargets(m: Merged, targetsOf: (gns: string) => Promise<readonly GnsTarget[]>): Promise<TargetRef[]> {
  const { gns } = m;
  const { cluster, namespace } = scopeOf(m.event);
  const out = new Map<string, TargetRef>();
  const add = (t: TargetRef) => out.set(targetKey(t), t);
  // A Service event (or a snapshot's Service changes) affects that target itself.
  for (const name of changedServices(m)) add({ gns, cluster, namespace, name });
  if (concernsAllTargets(m)) {
    for (const t of await targetsOf(gns)) add(t.ref);
  } else if (m.merge.pods.length > 0) {
    const labelSets = m.merge.pods.flatMap((p) => p.labels);
    for (const t of matchingTargets(await targetsOf(gns), labelSets)) add(t);
  }
  return [...out.values()];
}

interface Accepted {
  readonly record: IngestRecord;
  readonly id: string;
  readonly targets: readonly TargetRef[];
  /** When the agent observed the change (v2 events). */
  readonly observedAt?: number;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

interface BatchVersions {
  /** GNS → its targets version now (absent: unknown, the index is loaded afresh). */
  readonly known: Map<string, number>;
  /** GNSs whose bump failed: their Service-changing records are redelivered (and bump again). */
  readonly bumpFailed: Set<string>;
}

/**
 * Bumps the version of every GNS whose Services this batch changed (the new value is that GNS's
 * version for this batch), then reads the versions of the other GNSs whose targets are needed,
 * in one request — except those the batch's member bumps already read (`alreadyRead`, read after
 * the merges too). A failed read only costs loading those indexes afresh.
 */
async function targetsVersions(deps: IngestDeps, mergedRecords: readonly Merged[], log: Log, alreadyRead: ReadonlyMap<string, number>): Promise<BatchVersions> {
  const known = new Map<string, number>();
  const bumpFailed = new Set<string>();
  const bump = new Set(mergedRecords.filter((m) => changedServices(m).length > 0).map((m) => m.gns));
  await Promise.all([...bump].map(async (gns) => {
    try {
      known.set(gns, await deps.store.bumpTargetsVersion(gns));
    } catch (error) {
      bumpFailed.add(gns);
      log.warn('bumping the targets version failed; the Service changes will be redelivered', { gns, error: describeError(error) });
    }
  }));
  for (const [gns, version] of alreadyRead) if (!known.has(gns) && !bumpFailed.has(gns)) known.set(gns, version);
  const read = [...new Set(mergedRecords.filter(needsIndex).map((m) => m.gns))].filter((gns) => !known.has(gns));
  if (read.length > 0) {
    try {
      for (const [gns, version] of await deps.store.targetsVersions(read)) known.set(gns, version);
    } catch (error) {
      log.warn('reading the targets versions failed; the target indexes are loaded afresh', { gns: read.join(','), error: describeError(error) });
    }
  }
  return { known, bumpFailed };
}

export async function ingestBatch(deps: IngestDeps, records: readonly IngestRecord[]): Promise<IngestResult> {
  const log = deps.log ?? silentLog;
  const index = indexOf(deps);
  const failures: { itemIdentifier: string }[] = [];
  const accepted: Accepted[] = [];
  let merged = 0;
  let unchanged = 0;
  let ignored = 0;
  let invalid = 0;
  const rejected: Partial<Record<RejectionReason, number>> = {};

  async function deadLetter(record: IngestRecord, kind: RejectionReason, reason: string): Promise<void> {
    log.warn('invalid event; dead-lettered', { messageId: record.messageId, reason, kind });
    try {
      await deps.deadLetters.send({ body: record.body, reason, origin: 'ingest', messageId: record.messageId });
      invalid++;
      rejected[kind] = (rejected[kind] ?? 0) + 1;
    } catch (error) {
      log.error('could not dead-letter an invalid event; it will be redelivered', { messageId: record.messageId, error: describeError(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }

  // 1. Merge.
  const mergedRecords: Merged[] = [];
  await mapLimit(records, deps.concurrency ?? 10, async (record) => {
    const parsed = parseBusEvent(record.body);
    if (!parsed.ok) return deadLetter(record, parsed.kind, parsed.reason);
    const { event } = parsed;
    const refused = admissionProblem(event, parsed.account, deps.clock.now(), deps);
    if (refused !== undefined) return deadLetter(record, refused.kind, refused.reason);
    // A replay keeps the event's id: its sync messages must not be deduplicated (5 min) against
    // the original's, since it may re-merge into a lost or restored table.
    const id = parsed.replayName === undefined ? parsed.id : `${parsed.replayName}/${parsed.id}`;
    const { cluster, namespace } = scopeOf(event);
    const gns = deps.topology.gnsOf(cluster, namespace);
    if (gns === undefined) {
      ignored++;
      log.debug('event of a namespace in no global namespace; ignored', { cluster, namespace, type: event.type });
      return;
    }
    try {
      const result = await deps.store.merge(event);
      if (result.changed) merged++;
      else unchanged++;
      const completedMember = result.completedSnapshot !== undefined && deps.incarnation !== undefined &&
        (await completeMember(deps.incarnation, { cluster, namespace }, result.completedSnapshot, deps.clock.now(), log));
      mergedRecords.push({ record, id, event, gns, merge: result, redelivered: (record.receiveCount ?? 1) > 1, completedMember });
    } catch (error) {
      if (error instanceof FinalError) return deadLetter(record, 'unmergeable', describeError(error));
      log.warn('merge failed; the record will be redelivered', { messageId: record.messageId, error: describeError(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  });

  // The highest version stored per cluster: a floor for its agent's clock (floors.ts).
  if (deps.incarnation !== undefined && mergedRecords.length > 0) {
    let tracker = floors.get(deps);
    if (!tracker) floors.set(deps, (tracker = new FloorTracker()));
    await tracker.raise(deps.incarnation, highestVersions(mergedRecords.map((m) => m.event)), deps.clock.now(), log);
  }

  // 2–3. The targets version of each GNS concerned, after every merge of the batch.
  // The member bumps first: they also read each bumped GNS's targets version (same item).
  const members = await bumpChangedMembers(deps.store, mergedRecords.map((m) => ({ gns: m.gns, ...scopeOf(m.event), changed: m.merge.changed, redelivered: m.redelivered })), log);
  const versions = await targetsVersions(deps, mergedRecords, log, members.targetsVersions);

  // 4. The affected targets; one index load per GNS at most (shared by the batch's records).
  const loads = new Map<string, Promise<readonly GnsTarget[]>>();
  const targetsOf = (gns: string) => {
    let load = loads.get(gns);
    if (!load) loads.set(gns, (load = index.targetsOf(gns, versions.known.get(gns))));
    return load;
  };
  await mapLimit(mergedRecords, deps.concurrency ?? 10, async (m) => {
    if ((versions.bumpFailed.has(m.gns) && changedServices(m).length > 0) || (members.failed.has(m.gns) && (m.merge.changed || m.redelivered))) {
      failures.push({ itemIdentifier: m.record.messageId });
      return;
    }
    try {
      const observedAt = m.event.detail.observedAt;
      accepted.push({ record: m.record, id: m.id, targets: await affectedTargets(m, targetsOf), ...(observedAt === undefined ? {} : { observedAt }) });
    } catch (error) {
      log.warn('reading the targets failed; the record will be redelivered', { messageId: m.record.messageId, error: describeError(error) });
      failures.push({ itemIdentifier: m.record.messageId });
    }
  });

  // 5. Enqueue: one message per distinct target for the whole batch (a burst coalesces here already).
  const targets = new Map<string, TargetRef>();
  const ids: string[] = [];
  let observedAt: number | undefined; // the earliest observation behind the batch (propagation lag)
  for (const a of accepted) {
    if (a.targets.length === 0) continue;
    ids.push(a.id);
    if (a.observedAt !== undefined && (observedAt === undefined || a.observedAt < observedAt)) observedAt = a.observedAt;
    for (const t of a.targets) targets.set(targetKey(t), t);
  }
  let enqueued = 0;
  if (targets.size > 0) {
    const cause = ids.length === 1 ? (ids[0] as string) : `batch:${createHash('sha256').update(ids.sort().join('\n')).digest('hex')}`;
    try {
      await deps.queue.enqueue([...targets.values()], cause, observedAt, members.versions);
      enqueued = targets.size;
    } catch (error) {
      // The merges are stored; the redelivered records (receive count > 1) will enqueue again.
      log.warn('enqueueing the affected targets failed; their records will be redelivered', { error: describeError(error), targets: targets.size });
      for (const a of accepted) if (a.targets.length > 0) failures.push({ itemIdentifier: a.record.messageId });
    }
  }
  return { batchItemFailures: failures, merged, unchanged, ignored, invalid, rejected, failed: failures.length, enqueued };
}
