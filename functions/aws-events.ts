// The outer events Lambda delivers to the functions, as zod schemas for the Powertools parser
// middleware: the SQS batch (ingest, sync) and the EventBridge event (reconcile's schedule).
// They are Powertools' own `SqsSchema` and `EventBridgeSchema` (@aws-lambda-powertools/parser
// 2.35, MIT-0), field for field. Why a copy: Powertools' schema modules `import { z } from 'zod'`,
// and that form makes esbuild keep all of zod (its locales, JSON Schema conversion: ≈ 360 KiB of
// every bundle). Here `z` is a namespace import, so esbuild keeps only what the schemas use
// (docs/adr/0010-lambda-and-agent-packaging.md). test/infra/aws-events.test.ts holds the
// copies to the originals.
import * as z from 'zod';

const SqsMsgAttributeSchema = z.object({
  stringValue: z.string().optional().nullable(),
  binaryValue: z.string().optional().nullable(),
  stringListValues: z.array(z.string()).optional(),
  binaryListValues: z.array(z.string()).optional(),
  dataType: z.union([z.literal('String'), z.literal('Number'), z.literal('Binary'), z.string()]),
});

const SqsAttributesSchema = z.object({
  ApproximateReceiveCount: z.string(),
  ApproximateFirstReceiveTimestamp: z.string(),
  MessageDeduplicationId: z.string().optional(),
  MessageGroupId: z.string().optional(),
  SenderId: z.string(),
  SentTimestamp: z.string(),
  SequenceNumber: z.string().optional(),
  AWSTraceHeader: z.string().optional(),
  DeadLetterQueueSourceArn: z.string().optional(),
});

const SqsRecordSchema = z.object({
  messageId: z.string(),
  receiptHandle: z.string(),
  body: z.string(),
  attributes: SqsAttributesSchema,
  messageAttributes: z.record(z.string(), SqsMsgAttributeSchema),
  md5OfBody: z.string(),
  md5OfMessageAttributes: z.string().optional().nullable(),
  eventSource: z.literal('aws:sqs'),
  eventSourceARN: z.string(),
  awsRegion: z.string(),
});

/** An SQS event source batch (at least one record). */
export const SqsSchema = z.object({
  Records: z.array(SqsRecordSchema).nonempty(),
});

/** An EventBridge event as a rule target receives it. */
export const EventBridgeSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.string().optional(),
});

export type SqsEvent = z.infer<typeof SqsSchema>;
export type EventBridgeEvent = z.infer<typeof EventBridgeSchema>;
