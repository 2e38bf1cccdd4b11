// What a sync last wrote to a target, kept by the container (docs/adr/0016-a-pod-event-costs-constant-work.md):
// a sync for a pod event plans against the slices this container last listed or wrote for the
// target instead of listing them again — in a wide GNS the list was a Kubernetes read of every
// endpoint of the target per pod event and target.
//
// Still level-triggered. Every write is conditional on what the memory says (an update or a
// delete carries the resourceVersion and uid it remembers, a create fails if the name exists),
// so a memory that is wrong — another container wrote the target, someone edited or deleted a
// slice — ends in a 409 (or a 404 on update, mapped to one), and apply.ts lists and re-plans. What
// a conditional write cannot notice (the memory says the target already shows what it should, the
// cluster no longer does) lasts until the memory expires (SLICE_MEMORY_MS) or a sync lists: the
// reconcile's messages (they carry no member versions) and a cold container always list. Any sync
// that does not end in a successful apply forgets the target.
import { targetKey } from '../../shared/core/identity.ts';
import type { Slice, TargetRef } from '../../shared/core/types.ts';
import type { SyncMemo } from './memo.ts';

/** How long the slices a sync wrote may stand in for a list of the target. */
export const SLICE_MEMORY_MS = 60_000;

/** Takes the target's remembered slices out of the memo (a sync that fails leaves nothing behind); undefined when none or too old. */
export function takeSlices(memo: SyncMemo, target: TargetRef, now: number): readonly Slice[] | undefined {
  const key = targetKey(target);
  const entry = memo.slices.get(key);
  memo.slices.delete(key);
  return entry !== undefined && now >= entry.at && now - entry.at < SLICE_MEMORY_MS ? entry.slices : undefined;
}

/** Remembers the target's slices as a successful apply left them. */
export function rememberSlices(memo: SyncMemo, target: TargetRef, slices: readonly Slice[], now: number): void {
  memo.slices.set(targetKey(target), { slices, at: now });
}
