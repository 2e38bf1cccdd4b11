// The exact shape of the SQS event Lambda delivers (aws-lambda's SQSEvent), built locally.
import { createHash, randomBytes } from 'node:crypto';

export interface SqsMessageAttribute {
  readonly stringValue?: string;
  readonly binaryValue?: string;
  readonly stringListValues: string[];
  readonly binaryListValues: string[];
  readonly dataType: string;
}

export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: {
    readonly ApproximateReceiveCount: string;
    readonly SentTimestamp: string;
    readonly SenderId: string;
    readonly ApproximateFirstReceiveTimestamp: string;
    readonly SequenceNumber?: string;
    readonly MessageGroupId?: string;
    readonly MessageDeduplicationId?: string;
  };
  readonly messageAttributes: Readonly<Record<string, SqsMessageAttribute>>;
  readonly md5OfBody: string;
  readonly md5OfMessageAttributes?: string | null;
  readonly eventSource: 'aws:sqs';
  readonly eventSourceARN: string;
  readonly awsRegion: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

export interface SqsBatchResponse {
  readonly batchItemFailures: readonly { readonly itemIdentifier: string }[];
}

/** The Lambda-side handler a queue delivers to (a middy handler takes a context too). */
export type SqsHandler = (event: SqsEvent) => Promise<SqsBatchResponse | void | undefined>;

export const md5 = (text: string | Buffer): string => createHash('md5').update(text).digest('hex');

/** SQS's MD5 of message attributes: per attribute sorted by name, length-prefixed name, type, transport byte 1, value. */
export function md5OfAttributes(attributes: Readonly<Record<string, string>>): string | null {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return null;
  const parts: Buffer[] = [];
  const field = (text: string): void => {
    const bytes = Buffer.from(text, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  };
  for (const name of names) {
    field(name);
    field('String');
    parts.push(Buffer.from([1]));
    field(attributes[name] ?? '');
  }
  return md5(Buffer.concat(parts));
}

export function stringAttributes(attributes: Readonly<Record<string, string>>): Record<string, SqsMessageAttribute> {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' }]),
  );
}

export const newReceiptHandle = (): string => randomBytes(48).toString('base64');
