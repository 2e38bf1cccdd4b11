// DeadLetters (shared/ports.ts) over an SQS queue (the ingest DLQ, standard; the sync DLQ,
// FIFO): the original body verbatim, the reason and origin as message attributes, so an
// operator can read why and redrive once the cause is fixed.
//
// A FIFO queue (its URL ends in `.fifo`, as SQS requires of FIFO queue names) needs a group
// and, without content-based deduplication, a deduplication id: all letters share one group
// (`dead-letters`: order among them does not matter, and they are not consumed by a function),
// and the deduplication id is a hash of the origin and the original message id, so a rejected
// message delivered twice within SQS's 5-minute window is kept once.
import { createHash } from 'node:crypto';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient, SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { RetryableError } from '../../errors.ts';
import type { DeadLetter, DeadLetters } from '../../ports.ts';

export interface SqsDeadLettersOptions {
  readonly client: Pick<SQSClient, 'send'>;
  readonly queueUrl: string;
  /** Whether the queue is FIFO; default: its URL ends in `.fifo`. */
  readonly fifo?: boolean;
}

/** SQS message attribute values are at most 256 KB with the body; a reason is one line, kept short. */
const MAX_REASON = 1024;
/** The one message group of a FIFO dead-letter queue. */
export const DEAD_LETTER_GROUP = 'dead-letters';

/** The FIFO deduplication id of a letter: the origin and the original message id (or, without one, the body and reason). */
export function deadLetterDeduplicationId(letter: DeadLetter): string {
  const what = letter.messageId ? `id\n${letter.messageId}` : `body\n${letter.body}\n${letter.reason}`;
  return createHash('sha256').update(`${letter.origin}\n${what}`).digest('hex');
}

export function sqsDeadLetters(options: SqsDeadLettersOptions): DeadLetters {
  const fifo = options.fifo ?? options.queueUrl.endsWith('.fifo');
  return {
    async send(letter) {
      const reason = letter.reason.length > MAX_REASON ? `${letter.reason.slice(0, MAX_REASON - 3)}...` : letter.reason;
      const input: SendMessageCommandInput = {
        QueueUrl: options.queueUrl,
        // SQS refuses an empty body; an empty message is kept as a visible marker.
        MessageBody: letter.body === '' ? '(empty body)' : letter.body,
        MessageAttributes: {
          reason: { DataType: 'String', StringValue: reason },
          origin: { DataType: 'String', StringValue: letter.origin },
          ...(letter.messageId ? { messageId: { DataType: 'String', StringValue: letter.messageId } } : {}),
        },
        ...(fifo ? { MessageGroupId: DEAD_LETTER_GROUP, MessageDeduplicationId: deadLetterDeduplicationId(letter) } : {}),
      };
      try {
        await options.client.send(new SendMessageCommand(input));
      } catch (error) {
        throw new RetryableError(`dead-letter queue: SendMessage failed (${error instanceof Error ? error.name : String(error)}); the record will be retried`, { cause: error });
      }
    },
  };
}
