// The store incarnation is read once per batch of syncs, and a read in flight is shared only by
// batches begun before it (functions/sync/incarnation-reads.ts, docs/adr/0016): a pod event in a
// GNS of many targets no longer costs a read per target, and a member the ingest marked complete
// before enqueueing is still seen complete.
import { beforeEach, describe, expect, it } from 'vitest';
import { syncBatch } from '../../../functions/sync/batch.ts';
import type { SyncBatchDeps } from '../../../functions/sync/batch.ts';
import { batchIncarnation } from '../../../functions/sync/incarnation-reads.ts';
import { encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import type { IncarnationView } from '../../../shared/core/completeness.ts';
import type { IncarnationStore } from '../../../shared/ports.ts';
import {
  FakeClock, FakeClusters, FakeDeadLetters, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, TOPOLOGY, topology, seedScenario,
} from './fakes.ts';

const everyMember = new Set(TOPOLOGY.globalNamespaces.flatMap((g) => g.members.map((m) => `${m.cluster}/${m.namespace}`)));

/** An incarnation store whose reads are counted and answered when the test says. */
class HeldIncarnations implements IncarnationStore {
  reads = 0;
  complete = new Set<string>();
  readonly #waiting: { resolve: (v: IncarnationView) => void; reject: (e: Error) => void }[] = [];
  hold = false;
  current(): Promise<IncarnationView> {
    this.reads += 1;
    const view = (): IncarnationView => ({ id: 'inc-1', since: 0, complete: new Set(this.complete), floors: new Map() });
    if (!this.hold) return Promise.resolve(view());
    return new Promise((resolve, reject) => this.#waiting.push({ resolve: () => resolve(view()), reject }));
  }
  answer(): void { for (const w of this.#waiting.splice(0)) w.resolve(undefined as never); }
  fail(): void { for (const w of this.#waiting.splice(0)) w.reject(new Error('throttled')); }
  markComplete(): Promise<void> { return Promise.resolve(); }
  raiseFloors(): Promise<void> { return Promise.resolve(); }
}

let store: FakeStore;
let incarnations: HeldIncarnations;
let deps: SyncBatchDeps;
let n = 0;
const both = () => [T_LOCAL, T_REMOTE].map((t) => ({ messageId: `m-${++n}`, body: encodeSyncMessage(t, `e-${n}`) }));

beforeEach(async () => {
  store = new FakeStore();
  incarnations = new HeldIncarnations();
  incarnations.complete = new Set(everyMember);
  await store.put(...seedScenario(1));
  deps = {
    topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: new FakeClusters(), clock: new FakeClock(),
    deadLetters: new FakeDeadLetters(), memo: newSyncMemo(), incarnation: incarnations, agentLease: false,
  };
});

describe('the incarnation reads of syncs', () => {
  it('a batch of several targets reads the incarnation once', async () => {
    const result = await syncBatch(deps, both(), 0);
    expect(result.outcomes.map((o) => o.action)).toEqual(['synced', 'synced']);
    expect(incarnations.reads).toBe(1);
  });

  it('each batch reads it: a later batch never reuses an earlier batch\'s answer', async () => {
    await syncBatch(deps, both(), 0);
    await syncBatch(deps, both(), 0);
    expect(incarnations.reads).toBe(2);
  });

  it('a batch begun before a read in flight shares it; one begun after it reads its own (so it sees a member marked complete meanwhile)', async () => {
    const memo = newSyncMemo();
    incarnations.hold = true;
    incarnations.complete = new Set();
    const first = batchIncarnation(incarnations, memo)!;
    const second = batchIncarnation(incarnations, memo)!;
    const a = first.current(0);
    const b = second.current(0);
    expect(incarnations.reads).toBe(1);
    // The ingest marks a member complete, then enqueues: a batch begun now must not take the answer in flight.
    incarnations.complete = new Set(everyMember);
    const third = batchIncarnation(incarnations, memo)!;
    const c = third.current(0);
    expect(incarnations.reads).toBe(2);
    incarnations.answer();
    expect((await c).complete.size).toBe(everyMember.size);
    expect(await b).toBe(await a);
  });

  it('a failed read fails the batches that shared it and is forgotten: the next batch reads again', async () => {
    const memo = newSyncMemo();
    incarnations.hold = true;
    const first = batchIncarnation(incarnations, memo)!;
    const failed = first.current(0);
    incarnations.fail();
    await expect(failed).rejects.toThrow('throttled');
    incarnations.hold = false;
    await expect(batchIncarnation(incarnations, memo)!.current(0)).resolves.toMatchObject({ id: 'inc-1' });
    expect(incarnations.reads).toBe(2);
  });
});
