// functions/aws-events.ts copies Powertools' SqsSchema and EventBridgeSchema so the bundles keep
// only the part of zod they use (ADR 10). The copies must accept, reject and output exactly what
// the originals do: the fixtures AWS delivers, and each of them broken one field at a time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventBridgeSchema as PtEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { SqsSchema as PtSqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { describe, expect, it } from 'vitest';
import { EventBridgeSchema, SqsSchema } from '../../functions/aws-events.ts';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/aws', name), 'utf8')) as Record<string, unknown>;

const scheduled = {
  version: '0', id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa', 'detail-type': 'Scheduled Event', source: 'aws.events',
  account: '123456789012', time: '2026-11-28T12:00:00Z', region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/reconcile'], detail: {},
};

/** The input, and variants each with one field removed or given a wrong type. */
function variants(input: Record<string, unknown>): unknown[] {
  const out: unknown[] = [input, {}, null, 'x', { ...input, extra: 1 }];
  for (const key of Object.keys(input)) {
    const { [key]: _, ...without } = input;
    out.push(without, { ...input, [key]: 42 }, { ...input, [key]: null });
  }
  return out;
}

function sqsVariants(event: Record<string, unknown>): unknown[] {
  const records = event.Records as Record<string, unknown>[];
  const first = records[0]!;
  const attributes = first.attributes as Record<string, unknown>;
  return [
    ...variants(event),
    { Records: [] },
    ...variants(first).map((r) => ({ Records: [r] })),
    ...variants(attributes).map((a) => ({ Records: [{ ...first, attributes: a }] })),
    { Records: [{ ...first, messageAttributes: { reason: { stringValue: 'x', dataType: 'String' } } }] },
    { Records: [{ ...first, messageAttributes: { reason: { stringValue: 'x' } } }] },
    { Records: [{ ...first, eventSource: 'aws:sns' }] },
  ];
}

const same = (ours: { safeParse: (x: unknown) => { success: boolean; data?: unknown } }, theirs: typeof ours, input: unknown) => {
  const a = ours.safeParse(input);
  const b = theirs.safeParse(input);
  expect({ success: a.success, data: a.data }).toEqual({ success: b.success, data: b.data });
};

describe('the copied AWS event schemas', () => {
  for (const name of ['sqs-ingest-event.json', 'sqs-sync-fifo-event.json']) {
    it(`SqsSchema accepts and rejects what Powertools' does: ${name} and its broken variants`, () => {
      const event = fixture(name);
      expect(SqsSchema.safeParse(event).success).toBe(true);
      for (const input of sqsVariants(event)) same(SqsSchema, PtSqsSchema, input);
    });
  }

  for (const [name, event] of [
    ['an inline scheduled event', scheduled],
    ['eventbridge-scheduled-event.json', fixture('eventbridge-scheduled-event.json')],
    ['scheduler-scheduled-event.json', fixture('scheduler-scheduled-event.json')],
  ] as const) {
    it(`EventBridgeSchema accepts and rejects what Powertools' does: ${name} and its broken variants`, () => {
      expect(EventBridgeSchema.safeParse(event).success).toBe(true);
      for (const input of [...variants(event), { ...event, time: 'yesterday' }, { ...event, 'replay-name': 'r1' }]) {
        same(EventBridgeSchema, PtEventBridgeSchema, input);
      }
    });
  }
});
