// SyncQueue (shared/ports.ts) over an SQS FIFO queue (docs/adr/0005-queues.md):
// SendMessageBatch in chunks of 10, MessageGroupId = target key (per-target serialisation),
// MessageDeduplicationId = hash(cause, target key) (an event redelivered by EventBridge
// enqueues nothing new). Entries that fail are retried a few times; what still fails after
// that throws RetryableError, so the ingest record is redelivered (and its enqueue repeated,
// deduplicated by SQS).
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { FinalError, RetryableError } from '../../errors.ts';
import { targetKey } from '../../core/identity.ts';
import type { TargetRef } from '../../core/types.ts';
import type { MemberVersions, SyncQueue } from '../../ports.ts';
import { encodeRoutingMessage, encodeSyncMessage, routingDeduplicationId, routingKeyText, routingMessageGroupId, syncDeduplicationId, syncMessageGroupId } from '../../../functions/sync/message.ts';
import type { RoutingKey } from '../../core/routing/types.ts';

export interface SqsSyncQueueOptions {
  readonly client: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  /** Attempts for entries that fail without a sender fault (default 3). */
  readonly attempts?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const BATCH = 10;

export function sqsSyncQueue(options: SqsSyncQueueOptions): SyncQueue {
  const { client, queueUrl, attempts = 3 } = options;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));

  async function sendChunk(entries: readonly SendMessageBatchRequestEntry[]): Promise<void> {
    let pending = entries;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let failed: { Id?: string; SenderFault?: boolean; Code?: string; Message?: string }[];
      try {
        const out = await client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [...pending] }));
        failed = out.Failed ?? [];
      } catch (error) {
        if (attempt >= attempts) {
          throw new RetryableError(`sync queue: SendMessageBatch failed (${error instanceof Error ? error.name : String(error)}) after ${attempt} attempt(s); the ingest record will be retried`, { cause: error });
        }
        await sleep(50 * 2 ** attempt);
        continue;
      }
      const sender = failed.find((f) => f.SenderFault);
      if (sender) {
        throw new FinalError(`sync queue: message rejected (${sender.Code}: ${sender.Message}); this is a bug in the message, not retried`);
      }
      const ids = new Set(failed.map((f) => f.Id));
      pending = pending.filter((e) => ids.has(e.Id));
      if (pending.length === 0) return;
      if (attempt >= attempts) {
        throw new RetryableError(`sync queue: ${pending.length} message(s) failed (${failed[0]?.Code}) after ${attempt} attempt(s); the ingest record will be retried`);
      }
      await sleep(50 * 2 ** attempt);
    }
  }

  return {
    async enqueue(targets: readonly TargetRef[], cause: string, observedAt?: number, versions?: ReadonlyMap<string, MemberVersions>) {
      const unique = new Map<string, TargetRef>();
      for (const t of targets) unique.set(targetKey(t), t);
      const entries: SendMessageBatchRequestEntry[] = [...unique.values()].map((t, i) => ({
        Id: String(i),
        MessageBody: encodeSyncMessage(t, cause, observedAt, versions?.get(t.gns)),
        MessageGroupId: syncMessageGroupId(t),
        MessageDeduplicationId: syncDeduplicationId(cause, t),
      }));
      await sendAll(entries);
    },

    async enqueueRouting(keys: readonly RoutingKey[], cause: string) {
      const unique = new Map<string, RoutingKey>();
      for (const k of keys) unique.set(routingKeyText(k), k);
      await sendAll([...unique.values()].map((k, i) => ({
        Id: String(i),
        MessageBody: encodeRoutingMessage(k, cause),
        MessageGroupId: routingMessageGroupId(k),
        MessageDeduplicationId: routingDeduplicationId(cause, k),
      })));
    },
  };

  async function sendAll(entries: readonly SendMessageBatchRequestEntry[]): Promise<void> {
    const chunks: SendMessageBatchRequestEntry[][] = [];
    for (let i = 0; i < entries.length; i += BATCH) chunks.push(entries.slice(i, i + BATCH));
    await Promise.all(chunks.map(sendChunk));
  }
}
