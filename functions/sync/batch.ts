// A batch of sync-queue records → one sync per distinct target (a burst coalesces: the sync
// is level-triggered, so one sync covers every message of its target), in parallel across
// targets. A target whose sync fails retryably reports all of its records as batch item
// failures (docs/adr/0005-queues.md); a malformed message is dead-lettered and acknowledged.
import { targetKey } from '../../shared/core/identity.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import { FinalError, describeError } from '../../shared/errors.ts';
import type { DeadLetters, SyncQueue, SyncReleaser, SyncRetryScheduler } from '../../shared/ports.ts';
import { silentLog } from '../log.ts';
import type { Log } from '../log.ts';
import { decodeSyncMessage } from './message.ts';
import { runRoutingWriters } from './routing-batch.ts';
import type { RoutingKey } from '../../shared/core/routing/types.ts';
import { syncRetryDelaySeconds } from './retry-backoff.ts';
import { memberReads } from './sources.ts';
import { cachedVips } from './vip-cache.ts';
import { batchIncarnation } from './incarnation-reads.ts';
import { earlyRelease } from './early-release.ts';
import { memoOf, syncTarget } from './sync.ts';
import type { SyncDeps, SyncOutcome } from './sync.ts';

export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
  /** The receipt handle of this delivery (SQS), for rescheduling a failed sync. */
  readonly receiptHandle?: string;
  /** SQS ApproximateReceiveCount (1 on the first delivery). */
  readonly receiveCount?: number;
}

export interface SyncBatchDeps extends SyncDeps {
  /** Where malformed sync messages go (the sync DLQ; the Lambda always has one); logged and dropped when absent (tests, a local run without one). */
  readonly deadLetters?: DeadLetters;
  /**
   * Reschedules failed records after a short backoff by receive count (the cloud: SQS
   * ChangeMessageVisibility); absent, they wait for the queue's visibility timeout (the local
   * queue retries failed syncs after its own 2 s).
   */
  readonly retries?: SyncRetryScheduler;
  /**
   * Deletes a synced target's messages while others of its batch still run, so its FIFO group
   * is free at once (the cloud: SQS DeleteMessageBatch; early-release.ts); absent, they are
   * deleted when the batch returns.
   */
  readonly release?: SyncReleaser;
  /** Called after each target's sync (the local runner logs one line per sync). */
  readonly onSynced?: (outcome: SyncOutcome) => void;
  /** routing: istio — where the gateway-entry writers the syncs name are enqueued (docs/adr/0013). */
  readonly queue?: SyncQueue;
}

export interface SyncBatchResult {
  readonly batchItemFailures: { itemIdentifier: string }[];
  readonly outcomes: readonly SyncOutcome[];
  /** Targets whose sync failed, with the one-line error. */
  readonly failed: readonly { target: TargetRef; error: string; retried: boolean }[];
  readonly invalid: number;
  /** Per synced target key: the earliest agent observation among its messages, when they carry one. */
  readonly observedAt: ReadonlyMap<string, number>;
}

export async function syncBatch(deps: SyncBatchDeps, records: readonly QueueRecord[], now: number): Promise<SyncBatchResult> {
  const log = deps.log ?? silentLog;
  const groups = new Map<string, { target: TargetRef; ids: string[] }>();
  const routingGroups = new Map<string, { key: RoutingKey; ids: string[] }>();
  const observedAt = new Map<string, number>();
  const failures: { itemIdentifier: string }[] = [];
  let invalid = 0;
  /** Targets with a message that carries no member versions: their syncs list the target's slices. */
  const listed = new Set<string>();
  /** Member versions the messages carry, by GNS (the newest of each member). */
  const known = new Map<string, Map<string, number>>();

  for (const record of records) {
    const decoded = decodeSyncMessage(record.body);
    if (!decoded.ok) {
      invalid++;
      log.error('malformed sync message; dead-lettered', { messageId: record.messageId, reason: decoded.reason });
      try {
        await deps.deadLetters?.send({ body: record.body, reason: decoded.reason, origin: 'sync', messageId: record.messageId });
      } catch (error) {
        log.warn('could not dead-letter a sync message; it will be redelivered', { messageId: record.messageId, error: describeError(error) });
        failures.push({ itemIdentifier: record.messageId });
      }
      continue;
    }
    const message = decoded.message;
    if ('routing' in message) {
      const key = `${message.routing.gns}/${message.routing.cluster}`;
      const group = routingGroups.get(key);
      if (group) group.ids.push(record.messageId);
      else routingGroups.set(key, { key: message.routing, ids: [record.messageId] });
      continue;
    }
    const { mv } = message;
    if (mv) {
      const versions = known.get(message.target.gns) ?? new Map<string, number>();
      for (const [member, v] of Object.entries(mv)) versions.set(member, Math.max(v, versions.get(member) ?? 0));
      known.set(message.target.gns, versions);
    }
    const key = targetKey(message.target);
    // A message without member versions (the reconcile's) lists the target's slices (slice-memory.ts).
    if (!mv) listed.add(key);
    const observed = message.observedAt;
    if (observed !== undefined && observed < (observedAt.get(key) ?? Infinity)) observedAt.set(key, observed);
    const group = groups.get(key);
    if (group) group.ids.push(record.messageId);
    else groups.set(key, { target: message.target, ids: [record.messageId] });
  }

  // Targets of one GNS read the same member namespaces: once per batch, and only those whose
  // member version moved since this container read them (sources.ts); the store incarnation is
  // read once per batch (incarnation-reads.ts).
  const memo = memoOf(deps);
  const incarnation = batchIncarnation(deps.incarnation, memo);
  const batchDeps: SyncDeps = {
    ...deps, memo,
    ...(incarnation ? { incarnation } : {}),
    store: memberReads(deps.store, deps.topology, memo, now, known),
    vips: cachedVips(deps.vips, memo, now, deps.topology.topology.vipReleaseAfterMs),
    slicesFromMemory: (target) => !listed.has(targetKey(target)),
  };
  const outcomes: SyncOutcome[] = [];
  const failed: { target: TargetRef; error: string; retried: boolean }[] = [];
  // The routing writers run after the syncs: one more piece of the batch still to come.
  const release = earlyRelease(deps.release, records, groups.size + (routingGroups.size > 0 ? 1 : 0), log);
  await Promise.all(
    [...groups.values()].map(async ({ target, ids }) => {
      try {
        const outcome = await syncTarget(batchDeps, target, now);
        outcomes.push(outcome);
        deps.onSynced?.(outcome);
        release.finished(ids);
      } catch (error) {
        const retried = !(error instanceof FinalError);
        failed.push({ target, error: describeError(error), retried });
        if (retried) {
          log.warn('sync failed; the queue will retry', { target: targetKey(target), error: describeError(error) });
          for (const id of ids) failures.push({ itemIdentifier: id });
        }
        release.finished(retried ? [] : ids);
      }
    }),
  );
  failures.push(...(await runRoutingWriters(batchDeps, deps.queue, [...routingGroups.values()], outcomes, records, now, log)));
  await release.settled();
  if (deps.retries && failures.length > 0) await scheduleRetries(deps.retries, records, failures, log);
  return { batchItemFailures: failures, outcomes, failed, invalid, observedAt };
}

/**
 * Sets each failed record's redelivery to its backoff (docs/adr/0005-queues.md). Never fatal:
 * a record that could not be rescheduled waits for the queue's visibility timeout, as before.
 */
async function scheduleRetries(
  scheduler: SyncRetryScheduler,
  records: readonly QueueRecord[],
  failures: readonly { itemIdentifier: string }[],
  log: Log,
): Promise<void> {
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  const retries = records.flatMap((r) =>
    failed.has(r.messageId) && r.receiptHandle ? [{ receiptHandle: r.receiptHandle, delaySeconds: syncRetryDelaySeconds(r.receiveCount ?? 1) }] : [],
  );
  if (retries.length === 0) return;
  try {
    const rejected = await scheduler.retryLater(retries);
    if (rejected.length > 0) {
      log.warn('could not shorten the retry delay of failed sync messages; they are retried after the visibility timeout', { count: rejected.length, error: rejected[0]?.error });
    }
  } catch (error) {
    log.warn('could not shorten the retry delay of failed sync messages; they are retried after the visibility timeout', { count: retries.length, error: describeError(error) });
  }
}
