// Failed syncs come back after a short backoff by receive count, not the sync queue's visibility
// timeout: the pure backoff, the SQS adapter (ChangeMessageVisibilityBatch), and the handler
// rescheduling exactly its failed records — never fatally.
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import type { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../../functions/sync/handler.ts';
import { syncBatch } from '../../../functions/sync/batch.ts';
import type { SyncBatchDeps } from '../../../functions/sync/batch.ts';
import { encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncRetryDelaySeconds } from '../../../functions/sync/retry-backoff.ts';
import type { Log } from '../../../functions/log.ts';
import { sqsSyncRetries } from '../../../shared/adapters/sqs/sync-retries.ts';
import { RetryableError } from '../../../shared/errors.ts';
import type { ClusterApi, SyncRetry, SyncRetryScheduler } from '../../../shared/ports.ts';
import {
  FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, topology, seedScenario,
} from './fakes.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/aws/${name}`, import.meta.url), 'utf8'));

describe('syncRetryDelaySeconds: 5 s × 2^(n−1), capped at 5 minutes', () => {
  it.each([
    [1, 5], [2, 10], [3, 20], [4, 40], [5, 80], [6, 160], [7, 300], [100, 300],
    [0, 5], [-3, 5], [Number.NaN, 5], [2.7, 10],
  ])('receive %d → %d s', (n, seconds) => {
    expect(syncRetryDelaySeconds(n)).toBe(seconds);
  });
});

type Call = { input: { QueueUrl: string; Entries: { Id: string; ReceiptHandle: string; VisibilityTimeout: number }[] } };
function fakeSqs(answer: (call: Call) => unknown = () => ({})) {
  const calls: Call[] = [];
  return {
    calls,
    client: {
      send: async (command: ChangeMessageVisibilityBatchCommand) => {
        const call = { input: command.input } as unknown as Call;
        calls.push(call);
        return answer(call);
      },
    },
  };
}

describe('sqsSyncRetries', () => {
  const retries = (n: number): SyncRetry[] => Array.from({ length: n }, (_, i) => ({ receiptHandle: `rh-${i}`, delaySeconds: 5 * (i + 1) }));

  it('sets each visibility with ChangeMessageVisibilityBatch, 10 entries a call', async () => {
    const sqs = fakeSqs();
    const rejected = await sqsSyncRetries({ client: sqs.client as never, queueUrl: 'https://sqs/sync.fifo' }).retryLater(retries(12));
    expect(rejected).toEqual([]);
    expect(sqs.calls.map((c) => c.input.Entries.length)).toEqual([10, 2]);
    expect(sqs.calls[0]?.input).toMatchObject({ QueueUrl: 'https://sqs/sync.fifo' });
    expect(sqs.calls[1]?.input.Entries).toEqual([
      { Id: '0', ReceiptHandle: 'rh-10', VisibilityTimeout: 55 },
      { Id: '1', ReceiptHandle: 'rh-11', VisibilityTimeout: 60 },
    ]);
  });

  it('returns the entries SQS rejected, and every entry of a call that failed; never throws', async () => {
    const sqs = fakeSqs((call) => {
      if (call.input.Entries.length === 2) throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      return { Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', Message: 'expired', SenderFault: true }] };
    });
    const rejected = await sqsSyncRetries({ client: sqs.client as never, queueUrl: 'q' }).retryLater(retries(12));
    expect(rejected).toEqual([
      { receiptHandle: 'rh-1', error: 'ReceiptHandleIsInvalid: expired' },
      { receiptHandle: 'rh-10', error: 'AccessDenied: denied' },
      { receiptHandle: 'rh-11', error: 'AccessDenied: denied' },
    ]);
  });

  it('clamps a delay into SQS range (0..12 h)', async () => {
    const sqs = fakeSqs();
    await sqsSyncRetries({ client: sqs.client as never, queueUrl: 'q' }).retryLater([{ receiptHandle: 'a', delaySeconds: -1 }, { receiptHandle: 'b', delaySeconds: 1e9 }]);
    expect(sqs.calls[0]?.input.Entries.map((e) => e.VisibilityTimeout)).toEqual([0, 43_200]);
  });
});

class FakeScheduler implements SyncRetryScheduler {
  readonly scheduled: SyncRetry[] = [];
  answer: () => Promise<readonly { receiptHandle: string; error: string }[]> = async () => [];
  async retryLater(retries: readonly SyncRetry[]) {
    this.scheduled.push(...retries);
    return this.answer();
  }
}

/** Deps where clusterTwo's API fails retryably (down) and clusterOne works. */
async function depsWithDeadClusterTwo(retries: SyncRetryScheduler, log?: Log): Promise<SyncBatchDeps> {
  const store = new FakeStore();
  await store.put(...seedScenario(1));
  const clusters = new FakeClusters();
  const down = async () => {
    throw new RetryableError('clusterTwo: list slices: timed out after 3 attempt(s); the sync will be retried by the queue');
  };
  const dead: ClusterApi = { listSlices: down, listManagedSlices: down, createSlice: down, updateSlice: down, deleteSlice: down, recordEvent: down, inventory: { record: down, read: down, forget: down } };
  return {
    topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clock: new FakeClock(), memo: newSyncMemo(),
    clusters: { get: async (c) => (c === 'clusterTwo' ? dead : clusters.get(c)) },
    retries,
    ...(log ? { log } : {}),
  };
}

const record = (id: string, target: typeof T_LOCAL, receiveCount: number) => ({ messageId: id, body: encodeSyncMessage(target, id), receiptHandle: `rh-${id}`, receiveCount });

describe('syncBatch reschedules its failed records', () => {
  it('only the failed ones, each by its own receive count', async () => {
    const scheduler = new FakeScheduler();
    const deps = await depsWithDeadClusterTwo(scheduler);
    const result = await syncBatch(deps, [record('a', T_REMOTE, 1), record('b', T_LOCAL, 1), record('c', T_REMOTE, 4)], 0);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'c' }]);
    expect(scheduler.scheduled).toEqual([{ receiptHandle: 'rh-a', delaySeconds: 5 }, { receiptHandle: 'rh-c', delaySeconds: 40 }]);
  });

  it('a batch without failures, or records without receipt handles (the local queue), schedules nothing', async () => {
    const scheduler = new FakeScheduler();
    const deps = await depsWithDeadClusterTwo(scheduler);
    await syncBatch(deps, [record('b', T_LOCAL, 1)], 0);
    await syncBatch(deps, [{ messageId: 'x', body: encodeSyncMessage(T_REMOTE, 'x') }], 0);
    expect(scheduler.scheduled).toEqual([]);
  });

  it.each<[string, () => Promise<readonly { receiptHandle: string; error: string }[]>]>([
    ['throws', async () => { throw new Error('network down'); }],
    ['rejects entries', async () => [{ receiptHandle: 'rh-a', error: 'ReceiptHandleIsInvalid: expired' }]],
  ])('a scheduler that %s is logged, never fatal: the failures are still reported', async (_name, answer) => {
    const warnings: string[] = [];
    const log: Log = { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) };
    const scheduler = new FakeScheduler();
    scheduler.answer = answer;
    const deps = await depsWithDeadClusterTwo(scheduler, log);
    const result = await syncBatch(deps, [record('a', T_REMOTE, 2), record('b', T_LOCAL, 1)], 0);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
    expect(result.outcomes.map((o) => o.target)).toEqual([T_LOCAL]);
    expect(warnings).toContain('could not shorten the retry delay of failed sync messages; they are retried after the visibility timeout');
  });
});

describe('the sync handler', () => {
  it('passes each record\'s receipt handle and ApproximateReceiveCount to the scheduler', async () => {
    const scheduler = new FakeScheduler();
    const deps = await depsWithDeadClusterTwo(scheduler);
    const handler = createHandler(deps, { logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }) });
    const event = fixture('sqs-sync-fifo-event.json') as { Records: { receiptHandle: string; attributes: Record<string, string> }[] };
    const first = event.Records[0];
    if (!first) throw new Error('fixture has no record');
    const redelivered = { ...event, Records: [{ ...first, attributes: { ...first.attributes, ApproximateReceiveCount: '3' } }, ...event.Records.slice(1)] };
    const response = await handler(redelivered as never, fixture('lambda-context.json') as Context);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '11111111-aaaa-4bbb-8ccc-000000000001' }] });
    expect(scheduler.scheduled).toEqual([{ receiptHandle: first.receiptHandle, delaySeconds: 20 }]);
  });
});
