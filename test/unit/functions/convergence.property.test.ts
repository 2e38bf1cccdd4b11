// Property: whatever the order and duplication of agent events, ingest enqueues enough that,
// once the sync queue is drained, every target is converged — a full sync of every target
// (what the reconcile triggers) has nothing left to write.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import { syncBatch } from '../../../functions/sync/batch.ts';
import { encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import {
  FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, FakeStatuses, FakeStore, FakeVips, KAFKA_LABELS, T_LOCAL, T_REMOTE, busBody, kafkaPod, podDelete,
  podUpsert, serviceUpsert, targetService, topology,
} from './fakes.ts';

type Op = { kind: 'up'; pod: number; ip: number; matching: boolean; ready: boolean } | { kind: 'del'; pod: number } | { kind: 'recreate'; pod: number; ip: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('up' as const), pod: fc.integer({ min: 0, max: 3 }), ip: fc.integer({ min: 1, max: 6 }), matching: fc.boolean(), ready: fc.boolean() }),
  fc.record({ kind: fc.constant('del' as const), pod: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('recreate' as const), pod: fc.integer({ min: 0, max: 3 }), ip: fc.integer({ min: 1, max: 6 }) }),
);

function history(ops: readonly Op[]): GnsEvent[] {
  const generation = [0, 0, 0, 0];
  return ops.map((o) => {
    const uid = () => `uid-kafka-${o.pod}-g${generation[o.pod]}`;
    if (o.kind === 'del') return podDelete('clusterOne', 'ns-one', `kafka-${o.pod}`, uid());
    if (o.kind === 'recreate') generation[o.pod] = (generation[o.pod] ?? 0) + 1;
    const labels: Record<string, string> = o.kind === 'up' && !o.matching ? { app: 'other' } : { ...KAFKA_LABELS };
    return podUpsert('clusterOne', 'ns-one', kafkaPod(o.pod, { uid: uid(), labels, ips: [`10.1.0.${o.ip}`], ready: o.kind === 'up' ? o.ready : true }));
  });
}

describe('ingest + sync converge whatever the delivery order', () => {
  it('after draining, a full sync of every target writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { minLength: 1, maxLength: 25 }),
        fc.array(fc.nat(), { minLength: 0, maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 1_000_000 })),
        async (ops, dupIdx, batch, keys) => {
          const store = new FakeStore();
          await store.put(serviceUpsert('clusterOne', 'ns-two', targetService()), serviceUpsert('clusterTwo', 'ns-one', targetService()));
          const queue = new FakeQueue();
          const clock = new FakeClock();
          const clusters = new FakeClusters();
          const ingestDeps = { topology: topology(), store, queue, deadLetters: new FakeDeadLetters(), clock };
          const syncDeps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo() };

          const bodies = history(ops).map((e) => busBody(e));
          const deliveries = [...bodies, ...dupIdx.map((i) => bodies[i % bodies.length] as string)];
          const it = keys[Symbol.iterator]();
          const order = deliveries.map((b) => ({ b, k: it.next().value as number })).sort((x, y) => x.k - y.k).map((x) => x.b);

          let n = 0;
          for (let i = 0; i < order.length; i += batch) {
            await ingestBatch(ingestDeps, order.slice(i, i + batch).map((body) => ({ messageId: `m${++n}`, body })));
            const pending = queue.sent.splice(0);
            await syncBatch(syncDeps, pending.map((p) => ({ messageId: `s${++n}`, body: encodeSyncMessage(p.target, p.cause) })), clock.now());
          }

          const writesBefore = [...clusters.clusters.values()].map((c) => c.writes.length);
          await syncBatch(syncDeps, [T_LOCAL, T_REMOTE].map((t) => ({ messageId: `r${++n}`, body: encodeSyncMessage(t, 'reconcile') })), clock.now());
          expect([...clusters.clusters.values()].map((c) => c.writes.length)).toEqual(writesBefore);
        },
      ),
      { numRuns: 200 },
    );
  });
});
