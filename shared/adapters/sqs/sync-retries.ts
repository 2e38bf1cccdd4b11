// SyncRetryScheduler (shared/ports.ts) over SQS: ChangeMessageVisibilityBatch on the sync queue
// (10 entries a call), so a failed sync is redelivered after a short backoff instead of the
// queue's visibility timeout (6 × the function timeout: minutes). Entries SQS rejects, or a call
// that fails, are returned, never thrown: those messages simply wait for the visibility timeout
// (docs/adr/0005-queues.md).
import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SyncRetry, SyncRetryScheduler } from '../../ports.ts';

export interface SqsSyncRetriesOptions {
  readonly client: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
}

const BATCH = 10;
/** SQS's longest visibility timeout (12 hours). */
export const MAX_VISIBILITY_SECONDS = 43_200;

export function sqsSyncRetries(options: SqsSyncRetriesOptions): SyncRetryScheduler {
  async function chunk(retries: readonly SyncRetry[]): Promise<{ receiptHandle: string; error: string }[]> {
    try {
      const out = await options.client.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: retries.map((r, i) => ({
          Id: String(i),
          ReceiptHandle: r.receiptHandle,
          VisibilityTimeout: Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.round(r.delaySeconds))),
        })),
      }));
      return (out.Failed ?? []).map((f) => ({
        receiptHandle: retries[Number(f.Id)]?.receiptHandle ?? `entry ${f.Id}`,
        error: `${f.Code ?? 'Failed'}: ${f.Message ?? 'no message'}`,
      }));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return retries.map((r) => ({ receiptHandle: r.receiptHandle, error: reason }));
    }
  }

  return {
    async retryLater(retries) {
      const chunks: SyncRetry[][] = [];
      for (let i = 0; i < retries.length; i += BATCH) chunks.push(retries.slice(i, i + BATCH));
      return (await Promise.all(chunks.map(chunk))).flat();
    },
  };
}
