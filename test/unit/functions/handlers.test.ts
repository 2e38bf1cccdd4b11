// The handlers with the exact event shapes AWS delivers (test/fixtures/aws/), built with
// createHandler(deps) over in-memory fakes — the same way the local runner builds them.
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { createHandler as createIngest } from '../../../functions/ingest/handler.ts';
import { createHandler as createSync } from '../../../functions/sync/handler.ts';
import { createHandler as createReconcile } from '../../../functions/reconcile/handler.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import {
  FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, FakeStatuses, FakeStore, FakeVips, serviceUpsert, targetService, topology, seedScenario,
} from './fakes.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/aws/${name}`, import.meta.url), 'utf8'));
const context = fixture('lambda-context.json') as Context;
const logger = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

let store: FakeStore;
let queue: FakeQueue;
let dlq: FakeDeadLetters;
let clusters: FakeClusters;
let vips: FakeVips;
const clock = new FakeClock();

beforeEach(() => {
  store = new FakeStore();
  queue = new FakeQueue();
  dlq = new FakeDeadLetters();
  clusters = new FakeClusters();
  vips = new FakeVips();
});

describe('ingest handler', () => {
  it('takes an SQS event: merges the good records, dead-letters the bad one, fails nothing', async () => {
    const handler = createIngest({ topology: topology(), store, queue, deadLetters: dlq, clock }, { logger: logger() });
    const response = await handler(fixture('sqs-ingest-event.json') as never, context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(store.calls.filter((c) => c.startsWith('merge'))).toHaveLength(2);
    expect(queue.keys()).toContain('clusterTwo/ns-one/kafka-headless');
    expect(dlq.letters).toEqual([expect.objectContaining({ origin: 'ingest', messageId: '4a1b2c3d-0000-4bad-9bad-000000000bad', reason: expect.stringMatching(/^detail\.v: /) })]);
  });

  it('reports a record whose merge failed retryably as a batch item failure', async () => {
    store.failMerge = (e) => (e.type === 'gns-sync.pod.upsert.v2' ? new Error('ProvisionedThroughputExceededException') : undefined);
    const handler = createIngest({ topology: topology(), store, queue, deadLetters: dlq, clock }, { logger: logger() });
    const response = await handler(fixture('sqs-ingest-event.json') as never, context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '059f36b4-87a3-44ab-83d2-661975830a7d' }] });
  });

  it('keeps its per-container caches across invocations (the target index is not re-read)', async () => {
    const handler = createIngest({ topology: topology(), store, queue, deadLetters: dlq, clock }, { logger: logger() });
    const event = fixture('sqs-ingest-event.json') as { Records: { body: string }[] };
    const podOnly = { Records: [event.Records[1]] };
    await handler(podOnly as never, context);
    const reads = store.calls.filter((c) => c.startsWith('servicesOf')).length;
    expect(reads).toBeGreaterThan(0);
    await handler(podOnly as never, context);
    expect(store.calls.filter((c) => c.startsWith('servicesOf')).length).toBe(reads);
  });

  it('refuses an event that is not an SQS event as a whole (the invocation fails, nothing merged)', async () => {
    const handler = createIngest({ topology: topology(), store, queue, deadLetters: dlq, clock }, { logger: logger() });
    await expect(handler({ Records: [{ body: 'x' }] } as never, context)).rejects.toThrow(/SQS|parse/i);
    expect(store.calls).toEqual([]);
  });

  it('the module-level handler needs no environment to be imported (deps are built on first use outside Lambda)', async () => {
    const mod = await import('../../../functions/ingest/handler.ts');
    expect(typeof mod.handler).toBe('function');
  });
});

describe('sync handler', () => {
  it('takes a FIFO SQS event and syncs each target', async () => {
    await store.put(...seedScenario(1));
    const handler = createSync(
      { topology: topology(), store, vips, statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo() },
      { logger: logger() },
    );
    const response = await handler(fixture('sqs-sync-fifo-event.json') as never, context);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(clusters.cluster('clusterTwo').endpointsOf('ns-one', 'kafka-headless')).toEqual(['kafka-0=240.240.0.1']);
    expect(clusters.cluster('clusterOne').endpointsOf('ns-two', 'kafka-headless')).toEqual(['kafka-0=10.1.0.10']);
  });
});

describe('reconcile handler', () => {
  for (const name of ['eventbridge-scheduled-event.json', 'scheduler-scheduled-event.json']) {
    it(`runs on ${name}`, async () => {
      await store.put(serviceUpsert('clusterOne', 'ns-two', targetService()));
      const handler = createReconcile({ topology: topology(), store, queue, vips, clusters, clock }, { logger: logger() });
      const result = await handler(fixture(name) as never, context);
      expect(result).toMatchObject({ enqueued: 1, errors: [] });
      expect(queue.keys()).toEqual(['clusterOne/ns-two/kafka-headless']);
    });
  }

  it('refuses an event that is not an EventBridge event', async () => {
    const handler = createReconcile({ topology: topology(), store, queue, vips, clusters, clock }, { logger: logger() });
    await expect(handler({ hello: 'world' } as never, context)).rejects.toThrow();
    expect(queue.sent).toEqual([]);
  });
});
