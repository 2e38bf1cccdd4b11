// SyncReleaser (shared/ports.ts) over SQS: DeleteMessageBatch on the sync queue (10 entries a
// call), so a target synced early in a mixed FIFO batch frees its message group before the
// batch returns (docs/adr/0005-queues.md). Entries SQS rejects, or a call that fails, are
// returned, never thrown: those messages are deleted by the event source when the batch returns.
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SyncReleaser } from '../../ports.ts';

export interface SqsSyncReleaseOptions {
  readonly client: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
}

const BATCH = 10;

export function sqsSyncRelease(options: SqsSyncReleaseOptions): SyncReleaser {
  async function chunk(handles: readonly string[]): Promise<{ receiptHandle: string; error: string }[]> {
    try {
      const out = await options.client.send(new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: handles.map((receiptHandle, i) => ({ Id: String(i), ReceiptHandle: receiptHandle })),
      }));
      return (out.Failed ?? []).map((f) => ({
        receiptHandle: handles[Number(f.Id)] ?? `entry ${f.Id}`,
        error: `${f.Code ?? 'Failed'}: ${f.Message ?? 'no message'}`,
      }));
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      return handles.map((receiptHandle) => ({ receiptHandle, error: reason }));
    }
  }

  return {
    async release(handles) {
      const chunks: string[][] = [];
      for (let i = 0; i < handles.length; i += BATCH) chunks.push(handles.slice(i, i + BATCH));
      return (await Promise.all(chunks.map(chunk))).flat();
    },
  };
}
