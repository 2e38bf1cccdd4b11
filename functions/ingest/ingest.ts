// The ingest use case (DESIGN.md §4, docs/adr/0005-queues.md): a batch of ingest-queue
// records, each an EventBridge event → validate → merge into the state table → enqueue the
// targets it affects on the sync queue.
//
//   invalid event                  → dead-letter queue with the reason, acknowledged
//   cluster/namespace not in a GNS → ignored (counted), acknowledged
//   store or queue failure         → a batch item failure: SQS redelivers that record
//
// Enqueueing is coalesced per batch: one message per distinct affected target, its
// deduplication id derived from the batch's event ids and the target key. A merge that
// changed nothing enqueues nothing, except on a redelivery (receive count > 1), where the
// previous attempt may have merged and then failed before enqueueing: then every target the
// event may concern is enqueued (a sync with nothing to do costs no Kubernetes write).
import { createHash } from 'node:crypto';
import { targetKey } from '../../shared/core/identity.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import { FinalError, describeError } from '../../shared/errors.ts';
import { parseBusEvent } from '../../shared/schemas/parse.ts';
import { DETAIL_TYPES } from '../../shared/schemas/events.ts';
import type { GnsEvent } from '../../shared/schemas/events.ts';
import type { Clock, DeadLetters, MergeResult, StateStore, SyncQueue } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import { silentLog } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { cachedTargetIndex, matchingTargets } from './targets.ts';
import type { TargetIndex } from './targets.ts';

export interface IngestDeps {
  readonly topology: TopologyIndex;
  readonly store: StateStore;
  readonly queue: SyncQueue;
  readonly deadLetters: DeadLetters;
  readonly clock: Clock;
  readonly log?: Log;
  /** How long a GNS's target index is cached (see targets.ts). Default 5 s. */
  readonly targetCacheMs?: number;
  /** Records merged concurrently (default 10). */
  readonly concurrency?: number;
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
  readonly failed: number;
  /** Distinct targets enqueued. */
  readonly enqueued: number;
}

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

/** The targets an event affects, given what the merge reported. */
async function affectedTargets(index: TargetIndex, gns: string, event: GnsEvent, merge: MergeResult, redelivered: boolean): Promise<TargetRef[]> {
  const { cluster, namespace } = scopeOf(event);
  const out = new Map<string, TargetRef>();
  const add = (t: TargetRef) => out.set(targetKey(t), t);

  // A Service event (or a snapshot's Service changes) affects that target itself.
  const services = new Set(merge.services);
  if (event.type === DETAIL_TYPES.serviceUpsert) services.add(event.detail.service.name);
  if (event.type === DETAIL_TYPES.serviceDelete) services.add(event.detail.name);
  if (services.size > 0 && (merge.changed || redelivered)) index.invalidate(gns);
  if (merge.changed || redelivered) for (const name of services) add({ gns, cluster, namespace, name });

  if (redelivered && !merge.changed && event.type !== DETAIL_TYPES.serviceUpsert && event.type !== DETAIL_TYPES.serviceDelete) {
    for (const t of await index.targetsOf(gns)) add(t.ref);
  } else if (merge.pods.length > 0) {
    const labelSets = merge.pods.flatMap((p) => p.labels);
    for (const t of matchingTargets(await index.targetsOf(gns), labelSets)) add(t);
  }
  return [...out.values()];
}

interface Accepted {
  readonly record: IngestRecord;
  readonly id: string;
  readonly targets: readonly TargetRef[];
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

export async function ingestBatch(deps: IngestDeps, records: readonly IngestRecord[]): Promise<IngestResult> {
  const log = deps.log ?? silentLog;
  const index = indexOf(deps);
  const failures: { itemIdentifier: string }[] = [];
  const accepted: Accepted[] = [];
  let merged = 0;
  let unchanged = 0;
  let ignored = 0;
  let invalid = 0;

  async function deadLetter(record: IngestRecord, reason: string): Promise<void> {
    log.warn('invalid event; dead-lettered', { messageId: record.messageId, reason });
    try {
      await deps.deadLetters.send({ body: record.body, reason, origin: 'ingest', messageId: record.messageId });
      invalid++;
    } catch (error) {
      log.error('could not dead-letter an invalid event; it will be redelivered', { messageId: record.messageId, error: describeError(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  }

  await mapLimit(records, deps.concurrency ?? 10, async (record) => {
    const parsed = parseBusEvent(record.body);
    if (!parsed.ok) return deadLetter(record, parsed.reason);
    const { event, id } = parsed;
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
      const redelivered = (record.receiveCount ?? 1) > 1;
      const targets = await affectedTargets(index, gns, event, result, redelivered);
      accepted.push({ record, id, targets });
    } catch (error) {
      if (error instanceof FinalError) return deadLetter(record, describeError(error));
      log.warn('merge failed; the record will be redelivered', { messageId: record.messageId, error: describeError(error) });
      failures.push({ itemIdentifier: record.messageId });
    }
  });

  // One message per distinct target for the whole batch (a burst coalesces here already).
  const targets = new Map<string, TargetRef>();
  const ids: string[] = [];
  for (const a of accepted) {
    if (a.targets.length === 0) continue;
    ids.push(a.id);
    for (const t of a.targets) targets.set(targetKey(t), t);
  }
  let enqueued = 0;
  if (targets.size > 0) {
    const cause = ids.length === 1 ? (ids[0] as string) : `batch:${createHash('sha256').update(ids.sort().join('\n')).digest('hex')}`;
    try {
      await deps.queue.enqueue([...targets.values()], cause);
      enqueued = targets.size;
    } catch (error) {
      // The merges are stored; the redelivered records (receive count > 1) will enqueue again.
      log.warn('enqueueing the affected targets failed; their records will be redelivered', { error: describeError(error), targets: targets.size });
      for (const a of accepted) if (a.targets.length > 0) failures.push({ itemIdentifier: a.record.messageId });
    }
  }
  return { batchItemFailures: failures, merged, unchanged, ignored, invalid, failed: failures.length, enqueued };
}
