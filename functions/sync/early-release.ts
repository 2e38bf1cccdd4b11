// Answering each target of a sync batch as it finishes (docs/adr/0005-queues.md, "A group
// freed as its sync ends"): Lambda's FIFO event source mixes message groups in a batch and
// deletes the batch's messages only when the invocation returns, and SQS delivers no further
// message of a group while one is in flight — so a target synced in 30 ms waited for the
// slowest target of its batch. A target whose sync is done while others of the batch still
// run has its messages deleted at once (the SyncReleaser: DeleteMessageBatch); its group takes
// its next message then. The last target to finish needs no call: the batch returns with it.
import { describeError } from '../../shared/errors.ts';
import type { SyncReleaser } from '../../shared/ports.ts';
import type { Log } from '../log.ts';

export interface EarlyRelease {
  /**
   * One group of the batch is finished. `ids`: its messages, acknowledged (a synced target, or a
   * failure that is final); none when they are to be retried.
   */
  finished(ids?: readonly string[]): void;
  /** Waits for the deletes in flight (Lambda freezes a container once its handler returns). */
  settled(): Promise<void>;
}

/**
 * `groups`: how many groups of the batch will call `finished` (and any later work of the batch
 * counted as one more, never finished here: the routing writers).
 */
export function earlyRelease(
  releaser: SyncReleaser | undefined,
  records: readonly { readonly messageId: string; readonly receiptHandle?: string }[],
  groups: number,
  log: Log,
): EarlyRelease {
  const handles = new Map(records.flatMap((r) => (r.receiptHandle ? [[r.messageId, r.receiptHandle] as const] : [])));
  let running = groups;
  let queued: string[] = [];
  const calls: Promise<void>[] = [];
  const flush = (): void => {
    if (queued.length === 0) return;
    const batch = queued;
    queued = [];
    calls.push(releaser!.release(batch).then(
      (rejected) => {
        if (rejected.length > 0) log.warn('could not delete synced messages before the batch returned; they are deleted when it returns', { count: rejected.length, error: rejected[0]?.error });
      },
      (error: unknown) => log.warn('could not delete synced messages before the batch returned; they are deleted when it returns', { count: batch.length, error: describeError(error) }),
    ));
  };
  return {
    finished(ids = []) {
      running -= 1;
      // Nothing else of the batch runs: it returns now and the event source deletes them.
      if (!releaser || running <= 0) return;
      const mine = ids.flatMap((id) => handles.get(id) ?? []);
      if (mine.length === 0) return;
      // Targets finishing in the same turn of the event loop share one call.
      if (queued.length === 0) setImmediate(flush);
      queued.push(...mine);
    },
    async settled() {
      while (queued.length > 0 || calls.length > 0) {
        if (queued.length > 0) flush();
        await Promise.all(calls.splice(0));
      }
    },
  };
}
