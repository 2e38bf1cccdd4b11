// DeadLetters (shared/ports.ts) over an SQS queue (the ingest DLQ): the original body
// verbatim, the reason and origin as message attributes, so an operator can read why and
// redrive once the cause is fixed.
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { RetryableError } from '../../errors.ts';
import type { DeadLetters } from '../../ports.ts';

export interface SqsDeadLettersOptions {
  readonly client: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
}

/** SQS message attribute values are at most 256 KB with the body; a reason is one line, kept short. */
const MAX_REASON = 1024;

export function sqsDeadLetters(options: SqsDeadLettersOptions): DeadLetters {
  return {
    async send(letter) {
      const reason = letter.reason.length > MAX_REASON ? `${letter.reason.slice(0, MAX_REASON - 3)}...` : letter.reason;
      try {
        await options.client.send(
          new SendMessageCommand({
            QueueUrl: options.queueUrl,
            // SQS refuses an empty body; an empty message is kept as a visible marker.
            MessageBody: letter.body === '' ? '(empty body)' : letter.body,
            MessageAttributes: {
              reason: { DataType: 'String', StringValue: reason },
              origin: { DataType: 'String', StringValue: letter.origin },
              ...(letter.messageId ? { messageId: { DataType: 'String', StringValue: letter.messageId } } : {}),
            },
          }),
        );
      } catch (error) {
        throw new RetryableError(`dead-letter queue: SendMessage failed (${error instanceof Error ? error.name : String(error)}); the record will be retried`, { cause: error });
      }
    },
  };
}
