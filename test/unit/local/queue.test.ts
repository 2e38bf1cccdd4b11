import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { describe, expect, it } from 'vitest';
import { DeadLetterFile } from '../../../local/queue/dead-letter-file.ts';
import { LocalQueue, QueueInputError, type LocalQueueOptions } from '../../../local/queue/local-queue.ts';
import { md5OfAttributes, type SqsEvent, type SqsRecord } from '../../../local/queue/sqs-shape.ts';

function dlq(): DeadLetterFile {
  return new DeadLetterFile(join(mkdtempSync(join(tmpdir(), 'gns-q-')), 'dlq', 'test.jsonl'));
}

function queue(options: Partial<LocalQueueOptions> = {}): LocalQueue {
  return new LocalQueue({ name: 'q', fifo: false, batchSize: 10, batchWindowMs: 0, visibilityTimeoutMs: 20, maxReceiveCount: 3, ...options });
}

const fifoOptions = { name: 'sync.fifo', fifo: true } as const;

describe('LocalQueue (standard)', () => {
  it('delivers SQS-shaped records that the Powertools schema accepts', async () => {
    const q = queue();
    const events: SqsEvent[] = [];
    q.attach(async (e) => void events.push(e));
    await q.send([{ body: '{"a":1}', attributes: { reason: 'x' } }]);
    await q.drain();
    const record = events[0]!.Records[0]!;
    expect(SqsRecordSchema.parse(record)).toBeTruthy();
    expect(record).toMatchObject({
      body: '{"a":1}', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:local-1:000000000000:q', awsRegion: 'local-1',
      md5OfBody: createHash('md5').update('{"a":1}').digest('hex'),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: { reason: { stringValue: 'x', dataType: 'String', stringListValues: [], binaryListValues: [] } },
    });
    expect(record.md5OfMessageAttributes).toBe(md5OfAttributes({ reason: 'x' }));
  });

  it('batches up to the batch size, and waits the window to fill a batch', async () => {
    const q = queue({ batchSize: 4, batchWindowMs: 30 });
    const sizes: number[] = [];
    q.attach(async (e) => void sizes.push(e.Records.length));
    await q.send([{ body: 'a' }]);
    await q.send([{ body: 'b' }, { body: 'c' }]);
    await q.send([{ body: 'd' }, { body: 'e' }]);
    await q.drain();
    expect(sizes).toEqual([4, 1]);
  });

  it('redelivers failed items after the visibility timeout, then dead-letters them with the reason', async () => {
    const letters = dlq();
    const q = queue({ deadLetters: letters });
    const counts: string[] = [];
    q.attach(async (e) => {
      counts.push(...e.Records.map((r) => `${r.body}:${r.attributes.ApproximateReceiveCount}`));
      return { batchItemFailures: e.Records.filter((r) => r.body === 'bad').map((r) => ({ itemIdentifier: r.messageId })) };
    });
    await q.send([{ body: 'good' }, { body: 'bad' }]);
    await q.drain();
    expect(counts).toEqual(['good:1', 'bad:1', 'bad:2', 'bad:3']);
    expect(letters.list()).toEqual([expect.objectContaining({ body: 'bad', origin: 'q', reason: expect.stringMatching(/received 3 times without success \(maxReceiveCount 3\)/) })]);
    expect(q.counters).toMatchObject({ deleted: 1, deadLettered: 1 });
  });

  it('the consumer can say why a reported failure failed: the dead-letter reason carries it', async () => {
    const letters = dlq();
    const q = queue({ ...fifoOptions, maxReceiveCount: 1, deadLetters: letters, failureReason: (m) => `cluster down for ${m.groupId}` });
    q.attach(async (e) => ({ batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.messageId })) }));
    await q.send([{ body: 'x', groupId: 'g/1', dedupId: 'd' }]);
    await q.drain();
    expect(letters.list()[0]?.reason).toBe('received 1 times without success (maxReceiveCount 1); last error: cluster down for g/1');
  });

  it('a handler that throws fails the whole batch (each item retried)', async () => {
    const q = queue({ maxReceiveCount: 2, deadLetters: dlq() });
    let calls = 0;
    q.attach(async () => { calls += 1; if (calls === 1) throw new Error('boom'); });
    await q.send([{ body: 'a' }, { body: 'b' }]);
    await q.drain();
    expect(calls).toBe(2);
    expect(q.counters).toMatchObject({ deleted: 2, deadLettered: 0, failed: 2 });
  });

  it('rejects bad messages and enqueues nothing of that call', async () => {
    const q = queue();
    await expect(q.send([{ body: 'ok' }, { body: '' }])).rejects.toBeInstanceOf(QueueInputError);
    await expect(q.send([{ body: 'x'.repeat(1_048_577) }])).rejects.toThrow(/exceeds/);
    expect(q.depth).toBe(0);
  });
});

describe('LocalQueue (FIFO)', () => {
  it('needs a group and a deduplication id', async () => {
    const q = queue(fifoOptions);
    await expect(q.send([{ body: 'a', groupId: 'g' }])).rejects.toThrow(/MessageDeduplicationId/);
    await expect(q.send([{ body: 'a', dedupId: 'd' }])).rejects.toThrow(/MessageGroupId/);
    expect(() => queue({ name: 'x', fifo: true })).toThrow(/\.fifo/);
    expect(q.depth).toBe(0);
  });

  it('drops duplicates within 5 minutes', async () => {
    let now = 1_000_000;
    const q = queue({ ...fifoOptions, now: () => now });
    expect(await q.send([{ body: 'a', groupId: 'g', dedupId: 'd1' }, { body: 'a', groupId: 'g', dedupId: 'd1' }])).toEqual({ sent: 1, deduplicated: 1 });
    now += 5 * 60_000 - 1;
    expect(await q.send([{ body: 'a', groupId: 'g', dedupId: 'd1' }])).toEqual({ sent: 0, deduplicated: 1 });
    now += 1;
    expect(await q.send([{ body: 'a', groupId: 'g', dedupId: 'd1' }])).toEqual({ sent: 1, deduplicated: 0 });
  });

  it('runs one batch per group at a time, in order, and coalesces what arrives meanwhile', async () => {
    const q = queue({ ...fifoOptions, concurrency: 4 });
    const active = new Set<string>();
    const log: string[][] = [];
    let overlap = false;
    let release: (() => void) | undefined;
    const firstBlocked = new Promise<void>((resolve) => { release = resolve; });
    let first = true;
    q.attach(async (e) => {
      const group = e.Records[0]!.attributes.MessageGroupId!;
      if (active.has(group)) overlap = true;
      active.add(group);
      log.push(e.Records.map((r: SqsRecord) => `${group}:${r.body}`));
      if (first) { first = false; await firstBlocked; }
      active.delete(group);
    });
    await q.send([{ body: '1', groupId: 'A', dedupId: 'a1' }]);
    await q.send([{ body: '2', groupId: 'A', dedupId: 'a2' }, { body: '1', groupId: 'B', dedupId: 'b1' }, { body: '3', groupId: 'A', dedupId: 'a3' }]);
    await new Promise((r) => setTimeout(r, 10));
    release!();
    await q.drain();
    expect(overlap).toBe(false);
    expect(log).toEqual([['A:1'], ['B:1'], ['A:2', 'A:3']]);
  });

  it('a group whose messages the handler deletes (DeleteMessageBatch) is free at once: its next message runs while the rest of its batch still runs', async () => {
    const q = queue({ ...fifoOptions, concurrency: 4 });
    const batches: string[][] = [];
    let open: (() => void) | undefined;
    const gate = new Promise<void>((resolve) => { open = resolve; });
    let secondWhileFirstRan = false;
    let firstRunning = false;
    q.attach(async (e) => {
      batches.push(e.Records.map((r) => `${r.attributes.MessageGroupId}:${r.body}`));
      if (batches.length === 1) {
        firstRunning = true;
        // A's sync is done: its message is deleted now; B's is still running.
        const a = e.Records.find((r) => r.attributes.MessageGroupId === 'A')!;
        expect(await q.deleteMessages([a.receiptHandle])).toEqual({ failed: [] });
        await q.send([{ body: '2', groupId: 'A', dedupId: 'a2' }]);
        await gate;
        firstRunning = false;
      } else {
        secondWhileFirstRan ||= firstRunning;
        open!();
      }
    });
    await q.send([{ body: '1', groupId: 'A', dedupId: 'a1' }, { body: '1', groupId: 'B', dedupId: 'b1' }]);
    await q.drain();
    expect(batches).toEqual([['A:1', 'B:1'], ['A:2']]);
    expect(secondWhileFirstRan).toBe(true);
    // The event source's delete of the already deleted A:1 when the first batch returns changes nothing.
    expect(q.counters).toMatchObject({ received: 3, deleted: 3, deleteCalls: 1, failed: 0 });
    expect(q.depth).toBe(0);
  });

  it('DeleteMessageBatch: a handle of no message in flight is returned with SQS\'s error and changes nothing; 1 to 10 entries', async () => {
    const q = queue(fifoOptions);
    let seen = 0;
    q.attach(async (e) => {
      seen += e.Records.length;
      expect(await q.deleteMessages(['no-such-handle', e.Records[0]!.receiptHandle])).toEqual({
        failed: [{ receiptHandle: 'no-such-handle', error: expect.stringMatching(/^ReceiptHandleIsInvalid/) }],
      });
      // Deleted already: refused the same way (the local queue's answer; nothing acts on it, docs/adr/0012).
      expect((await q.deleteMessages([e.Records[0]!.receiptHandle])).failed).toHaveLength(1);
    });
    await q.send([{ body: '1', groupId: 'A', dedupId: 'a1' }]);
    await q.drain();
    expect(seen).toBe(1);
    expect(q.counters).toMatchObject({ deleted: 1, deleteCalls: 2 });
    await expect(q.deleteMessages([])).rejects.toThrow(QueueInputError);
    await expect(q.deleteMessages(Array.from({ length: 11 }, (_, i) => `h${i}`))).rejects.toThrow(/1 to 10/);
  });

  it('keeps a group locked while a failed message waits out its visibility timeout (order kept)', async () => {
    const q = queue({ ...fifoOptions, deadLetters: dlq() });
    const seen: string[] = [];
    let failOnce = true;
    q.attach(async (e) => {
      seen.push(...e.Records.map((r) => r.body));
      if (failOnce) { failOnce = false; return { batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.messageId })) }; }
      return { batchItemFailures: [] };
    });
    await q.send([{ body: '1', groupId: 'A', dedupId: '1' }]);
    await q.send([{ body: '2', groupId: 'A', dedupId: '2' }]);
    await q.drain();
    expect(seen[0]).toBe('1');
    expect(seen.slice(1)).toEqual(['1', '2']);
  });

  it('never redelivers a message while its handler outlives the visibility timeout (Lambda\'s timeout guarantees it in AWS)', async () => {
    for (const fifo of [true, false]) {
      const q = queue(fifo ? { ...fifoOptions, visibilityTimeoutMs: 5 } : { visibilityTimeoutMs: 5 });
      let active = 0;
      let maxActive = 0;
      let calls = 0;
      q.attach(async () => {
        calls += 1;
        active += 1;
        maxActive = Math.max(maxActive, active);
        await new Promise((r) => setTimeout(r, 40));
        active -= 1;
      });
      await q.send([{ body: 'slow', groupId: 'A', dedupId: 'a' }]);
      await q.drain();
      expect([calls, maxActive]).toEqual([1, 1]);
    }
  });

  it('never dead-letters a FIFO message while its last receive is still being handled (it may succeed)', async () => {
    const dead = dlq();
    const q = queue({ ...fifoOptions, visibilityTimeoutMs: 5, deadLetters: dead });
    let calls = 0;
    q.attach(async (e) => {
      calls += 1;
      if (calls < 3) return { batchItemFailures: e.Records.map((r) => ({ itemIdentifier: r.messageId })) };
      await new Promise((r) => setTimeout(r, 40)); // the target recovered, but this sync is slow
      return { batchItemFailures: [] };
    });
    await q.send([{ body: 'sync', groupId: 'A', dedupId: 'a' }]);
    await q.drain();
    expect(calls).toBe(3);
    expect(dead.list()).toEqual([]);
    expect(q.counters).toMatchObject({ deleted: 1, deadLettered: 0 });
  });
});
