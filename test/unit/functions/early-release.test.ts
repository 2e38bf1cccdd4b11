// A target of a mixed FIFO batch whose sync is done while another target of the batch is still
// syncing RELEASE_AFTER_MS later has its messages deleted then (its group is free for its next
// message), not when the whole batch returns; a batch that ends sooner makes no call; the SQS
// adapter (DeleteMessageBatch) never throws.
import type { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it, vi } from 'vitest';
import { syncBatch } from '../../../functions/sync/batch.ts';
import { RELEASE_AFTER_MS } from '../../../functions/sync/early-release.ts';
import type { SyncBatchDeps } from '../../../functions/sync/batch.ts';
import { encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import type { Log } from '../../../functions/log.ts';
import { sqsSyncRelease } from '../../../shared/adapters/sqs/sync-release.ts';
import { FinalError, RetryableError } from '../../../shared/errors.ts';
import type { ClusterApi, SyncReleaser } from '../../../shared/ports.ts';
import {
  FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, kafkaPod, podUpsert, serviceUpsert, targetService, topology,
} from './fakes.ts';

class FakeReleaser implements SyncReleaser {
  readonly calls: string[][] = [];
  answer: (handles: readonly string[]) => Promise<readonly { receiptHandle: string; error: string }[]> = async () => [];
  async release(handles: readonly string[]) {
    this.calls.push([...handles]);
    return this.answer(handles);
  }
}

/** clusterTwo's slice list waits for `open()` (or fails with `fail`); clusterOne answers at once. */
async function world(release: SyncReleaser | undefined, log?: Log) {
  const store = new FakeStore();
  await store.put(
    podUpsert('clusterOne', 'ns-one', kafkaPod(0)),
    serviceUpsert('clusterOne', 'ns-two', targetService()),
    serviceUpsert('clusterTwo', 'ns-one', targetService()),
  );
  const clusters = new FakeClusters();
  let open!: (error?: Error) => void;
  const gate = new Promise<Error | undefined>((resolve) => { open = resolve; });
  const slow = async (): Promise<ClusterApi> => {
    const api = await clusters.get('clusterTwo');
    const listSlices: ClusterApi['listSlices'] = async (...args) => {
      const error = await gate;
      if (error) throw error;
      return api.listSlices(...args);
    };
    return new Proxy(api, { get: (target, prop) => (prop === 'listSlices' ? listSlices : Reflect.get(target, prop, target) as unknown) });
  };
  const deps: SyncBatchDeps = {
    topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clock: new FakeClock(), memo: newSyncMemo(),
    clusters: { get: async (c) => (c === 'clusterTwo' ? slow() : clusters.get(c)) },
    ...(release ? { release } : {}),
    ...(log ? { log } : {}),
  };
  return { deps, open };
}

const record = (id: string, target: typeof T_LOCAL) => ({ messageId: id, body: encodeSyncMessage(target, id), receiptHandle: `rh-${id}`, receiveCount: 1 });

describe('syncBatch frees each group as its sync ends', () => {
  it('a synced target\'s messages are deleted while a slower target of the batch is still syncing; the last one is left to the event source', async () => {
    const releaser = new FakeReleaser();
    const { deps, open } = await world(releaser);
    const running = syncBatch(deps, [record('a1', T_LOCAL), record('b1', T_REMOTE), record('a2', T_LOCAL)], 0);
    // clusterTwo's sync still waits (its gate is closed); clusterOne's target is synced and its two messages deleted.
    await vi.waitFor(() => expect(releaser.calls).toEqual([['rh-a1', 'rh-a2']]));
    open();
    const result = await running;
    expect(result.outcomes.map((o) => o.target)).toEqual([T_LOCAL, T_REMOTE]);
    expect(result.batchItemFailures).toEqual([]);
    expect(releaser.calls).toEqual([['rh-a1', 'rh-a2']]);
  });

  it('a batch whose slower target finishes within RELEASE_AFTER_MS of the others makes no call (the event source deletes them all)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const releaser = new FakeReleaser();
      const synced: string[] = [];
      const { deps, open } = await world(releaser);
      const running = syncBatch({ ...deps, onSynced: (o) => void synced.push(o.target.cluster) }, [record('a1', T_LOCAL), record('b1', T_REMOTE)], 0);
      // (vi.waitFor would advance the fake clock; setImmediate is not faked)
      while (synced.length === 0) await new Promise((resolve) => setImmediate(resolve));
      expect(synced).toEqual(['clusterOne']);
      vi.advanceTimersByTime(RELEASE_AFTER_MS - 1);
      open();
      await running;
      vi.advanceTimersByTime(10 * RELEASE_AFTER_MS);
      expect(releaser.calls).toEqual([]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a batch of one target, or records without receipt handles, makes no call', async () => {
    const releaser = new FakeReleaser();
    const { deps, open } = await world(releaser);
    open();
    await syncBatch(deps, [record('a1', T_LOCAL), record('a2', T_LOCAL)], 0);
    await syncBatch(deps, [{ messageId: 'x', body: encodeSyncMessage(T_LOCAL, 'x') }, { messageId: 'y', body: encodeSyncMessage(T_REMOTE, 'y') }], 0);
    expect(releaser.calls).toEqual([]);
  });

  it('a sync that fails retryably keeps its messages (reported as failures); a final failure is acknowledged, so it is freed too', async () => {
    for (const error of [new RetryableError('clusterTwo: timed out'), new FinalError('clusterTwo: forbidden')]) {
      const releaser = new FakeReleaser();
      const warnings: string[] = [];
      const { deps, open } = await world(releaser, { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) });
      // clusterTwo fails first, while clusterOne's target still syncs (held by a slow status write).
      let release!: () => void;
      const held = new Promise<void>((resolve) => { release = resolve; });
      const record0 = deps.statuses.record.bind(deps.statuses);
      deps.statuses.record = async (status) => {
        if (status.target.cluster === 'clusterOne') await held;
        return record0(status);
      };
      const running = syncBatch(deps, [record('a1', T_LOCAL), record('b1', T_REMOTE)], 0);
      open(error);
      // clusterTwo's sync has failed; clusterOne's is still held.
      if (error instanceof RetryableError) await vi.waitFor(() => expect(warnings).toContain('sync failed; the queue will retry'));
      else await vi.waitFor(() => expect(releaser.calls).toEqual([['rh-b1']]));
      release();
      const result = await running;
      expect(result.batchItemFailures).toEqual(error instanceof RetryableError ? [{ itemIdentifier: 'b1' }] : []);
      expect(releaser.calls).toEqual(error instanceof RetryableError ? [] : [['rh-b1']]);
    }
  });

  it.each<[string, () => Promise<readonly { receiptHandle: string; error: string }[]>]>([
    ['throws', async () => { throw new Error('network down'); }],
    ['rejects entries', async () => [{ receiptHandle: 'rh-a1', error: 'ReceiptHandleIsInvalid: expired' }]],
  ])('a releaser that %s is logged, never fatal: the batch still succeeds (the event source deletes them)', async (_name, answer) => {
    const warnings: string[] = [];
    const log: Log = { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) };
    const releaser = new FakeReleaser();
    releaser.answer = answer;
    const { deps, open } = await world(releaser, log);
    const running = syncBatch(deps, [record('a1', T_LOCAL), record('b1', T_REMOTE)], 0);
    await vi.waitFor(() => expect(releaser.calls).toHaveLength(1));
    open();
    const result = await running;
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes).toHaveLength(2);
    expect(warnings).toContain('could not delete synced messages before the batch returned; they are deleted when it returns');
  });
});

type Call = { input: { QueueUrl: string; Entries: { Id: string; ReceiptHandle: string }[] } };
function fakeSqs(answer: (call: Call) => unknown = () => ({})) {
  const calls: Call[] = [];
  return {
    calls,
    client: {
      send: async (command: DeleteMessageBatchCommand) => {
        const call = { input: command.input } as unknown as Call;
        calls.push(call);
        return answer(call);
      },
    },
  };
}

describe('sqsSyncRelease', () => {
  const handles = (n: number) => Array.from({ length: n }, (_, i) => `rh-${i}`);

  it('deletes with DeleteMessageBatch, 10 entries a call', async () => {
    const sqs = fakeSqs();
    expect(await sqsSyncRelease({ client: sqs.client as never, queueUrl: 'https://sqs/sync.fifo' }).release(handles(12))).toEqual([]);
    expect(sqs.calls.map((c) => c.input.Entries.length)).toEqual([10, 2]);
    expect(sqs.calls[1]?.input).toEqual({ QueueUrl: 'https://sqs/sync.fifo', Entries: [{ Id: '0', ReceiptHandle: 'rh-10' }, { Id: '1', ReceiptHandle: 'rh-11' }] });
  });

  it('returns the entries SQS rejected, and every entry of a call that failed; never throws', async () => {
    const sqs = fakeSqs((call) => {
      if (call.input.Entries.length === 2) throw Object.assign(new Error('denied'), { name: 'AccessDenied' });
      return { Failed: [{ Id: '1', Code: 'ReceiptHandleIsInvalid', Message: 'expired', SenderFault: true }] };
    });
    expect(await sqsSyncRelease({ client: sqs.client as never, queueUrl: 'q' }).release(handles(12))).toEqual([
      { receiptHandle: 'rh-1', error: 'ReceiptHandleIsInvalid: expired' },
      { receiptHandle: 'rh-10', error: 'AccessDenied: denied' },
      { receiptHandle: 'rh-11', error: 'AccessDenied: denied' },
    ]);
  });
});
