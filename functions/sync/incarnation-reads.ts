// The store incarnation a batch of syncs checks (docs/adr/0014-store-completeness.md), read once
// per batch instead of once per target (docs/adr/0016-a-pod-event-costs-constant-work.md), and a
// read in flight is shared by the container's concurrent batches that began before it.
//
// Why sharing is as safe as a read of one's own: the guard is sound when the incarnation was read
// before the member reads it judges. Every sync awaits the shared read before it reads any member,
// so the read it uses was answered before those member reads were sent — as with a read of its own
// made a few milliseconds earlier. And a batch joins only a read that began after the batch did
// (so after its messages were received): a member the ingest marked complete before enqueueing
// those messages (ADR 14) is seen complete, as with a read of its own. A failed read is
// forgotten: the next batch reads again.
import type { IncarnationView } from '../../shared/core/completeness.ts';
import type { IncarnationStore } from '../../shared/ports.ts';
import type { SyncMemo } from './memo.ts';

/** The IncarnationStore one batch of syncs reads through: one `current` per batch, shared with a read in flight that began after the batch. */
export function batchIncarnation(store: IncarnationStore | undefined, memo: SyncMemo): IncarnationStore | undefined {
  if (store === undefined) return undefined;
  const batch = (memo.batchesBegun += 1);
  let read: Promise<IncarnationView> | undefined;
  return {
    current(now) {
      const inFlight = memo.incarnationRead;
      read ??= inFlight && inFlight.after >= batch ? inFlight.view : start(store, memo, now);
      return read;
    },
    markComplete: (id, member) => store.markComplete(id, member),
    raiseFloors: (id, floors) => store.raiseFloors(id, floors),
  };
}

function start(store: IncarnationStore, memo: SyncMemo, now: number): Promise<IncarnationView> {
  const reading = { after: memo.batchesBegun, view: store.current(now) };
  memo.incarnationRead = reading;
  const forget = () => { if (memo.incarnationRead === reading) memo.incarnationRead = undefined; };
  reading.view.then(forget, forget);
  return reading.view;
}
