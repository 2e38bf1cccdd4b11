// The SyncQueue port over a local FIFO queue, with the same message contract as the SQS
// adapter (functions/sync/message.ts): group = target key, dedup = hash(cause, target key);
// and the SyncReleaser (DeleteMessageBatch, 10 a call) as shared/adapters/sqs/sync-release.ts.
import { encodeRoutingMessage, encodeSyncMessage, routingDeduplicationId, routingMessageGroupId, syncDeduplicationId, syncMessageGroupId } from '../../functions/sync/message.ts';
import type { RoutingKey } from '../../shared/core/routing/types.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import type { MemberVersions, SyncQueue, SyncReleaser } from '../../shared/ports.ts';
import type { LocalQueue } from './local-queue.ts';

export class LocalSyncQueue implements SyncQueue, SyncReleaser {
  readonly #queue: LocalQueue;

  constructor(queue: LocalQueue) {
    this.#queue = queue;
  }

  async enqueue(targets: readonly TargetRef[], cause: string, observedAt?: number, versions?: ReadonlyMap<string, MemberVersions>): Promise<void> {
    // SendMessageBatch takes 10 messages a call; the local queue takes any number, but keep the shape.
    for (let i = 0; i < targets.length; i += 10) {
      await this.#queue.send(targets.slice(i, i + 10).map((target) => ({
        body: encodeSyncMessage(target, cause, observedAt, versions?.get(target.gns)),
        groupId: syncMessageGroupId(target),
        dedupId: syncDeduplicationId(cause, target),
      })));
    }
  }

  async enqueueRouting(keys: readonly RoutingKey[], cause: string): Promise<void> {
    for (let i = 0; i < keys.length; i += 10) {
      await this.#queue.send(keys.slice(i, i + 10).map((key) => ({
        body: encodeRoutingMessage(key, cause),
        groupId: routingMessageGroupId(key),
        dedupId: routingDeduplicationId(cause, key),
      })));
    }
  }

  async release(receiptHandles: readonly string[]): Promise<readonly { receiptHandle: string; error: string }[]> {
    const failed: { receiptHandle: string; error: string }[] = [];
    for (let i = 0; i < receiptHandles.length; i += 10) failed.push(...(await this.#queue.deleteMessages(receiptHandles.slice(i, i + 10))).failed);
    return failed;
  }
}
