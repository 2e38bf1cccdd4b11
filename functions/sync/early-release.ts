// Answering each target of a sync batch as it finishes (docs/adr/0005-queues.md, "A group
// freed as its sync ends"): Lambda's FIFO event source mixes message groups in a batch and
// deletes the batch's messages only when the invocation returns, and SQS delivers no further
// message of a group while one is in flight — so a target synced in 30 ms waited for the
// slowest target of its batch. A target whose sync is done while others of the batch still run
// has its messages deleted (the SyncReleaser: DeleteMessageBatch) once the batch has outlived it
// by RELEASE_AFTER_MS; its group takes its next message then. Every target finished by then
// shares the call; a batch that ends sooner makes none (the event source deletes its messages),
// so only slow batches pay SQS requests, at most one per RELEASE_AFTER_MS.
import { describeError } from '../../shared/errors.ts';
import type { SyncReleaser } from '../../shared/ports.ts';
import type { Log } from '../log.ts';

/** How long a batch may hold a synced target's group before its messages are deleted early. */
export const RELEASE_AFTER_MS = 100;

export interface EarlyRelease {
  /**
   * One group of the batch is finished. `ids`: its messages, acknowledged (a synced target, or a
   * failure that is final); none when they are to be retried.
   */
  finished(ids?: readonly string[]): void;
  /** Drops what is not yet deleted (the event source deletes it) and waits for the deletes in flight (Lambda freezes a container once its handler returns). */
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
  afterMs = RELEASE_AFTER_MS,
): EarlyRelease {
  const handles = new Map(records.flatMap((r) => (r.receiptHandle ? [[r.messageId, r.receiptHandle] as const] : [])));
  let running = groups;
  let queued: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  const calls: Promise<void>[] = [];
  const warn = (count: number, error: string | undefined) =>
    log.warn('could not delete synced messages before the batch returned; they are deleted when it returns', { count, error });
  const flush = (): void => {
    timer = undefined;
    const batch = queued;
    queued = [];
    calls.push(releaser!.release(batch).then(
      (rejected) => { if (rejected.length > 0) warn(rejected.length, rejected[0]?.error); },
      (error: unknown) => warn(batch.length, describeError(error)),
    ));
  };
  return {
    finished(ids = []) {
      running -= 1;
      if (!releaser) return;
      // Nothing else of the batch runs: it returns now, and the event source deletes the rest.
      if (running <= 0) {
        clearTimeout(timer);
        timer = undefined;
        queued = [];
        return;
      }
      const mine = ids.flatMap((id) => handles.get(id) ?? []);
      if (mine.length === 0) return;
      queued.push(...mine);
      timer ??= setTimeout(flush, afterMs);
    },
    async settled() {
      clearTimeout(timer);
      timer = undefined;
      queued = [];
      await Promise.all(calls);
    },
  };
}
