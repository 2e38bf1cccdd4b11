// The only step of a sync that writes to Kubernetes: plan against the listed slices, apply
// creates and updates, then deletes (so a target never goes through an empty moment). A 409
// (someone changed a slice, or a create whose response was lost) re-lists and re-plans, a
// bounded number of times; a 404 on delete is success (the adapter maps both).
import { planSlices } from '../../shared/core/plan.ts';
import type { SlicePlan } from '../../shared/core/plan.ts';
import type { Slice } from '../../shared/core/types.ts';
import { ConflictError } from '../../shared/errors.ts';
import type { ClusterApi } from '../../shared/ports.ts';

export interface ApplyResult {
  readonly writes: number;
  readonly creates: number;
  readonly updates: number;
  readonly deletes: number;
  /** Re-plans after a conflict. */
  readonly replans: number;
  /** The target's slices after the apply, as listed and written (slice-memory.ts). */
  readonly slices: readonly Slice[];
}

/** Waits for every promise; then throws the first failure, preferring a non-conflict (it decides retry vs fail). */
async function settle(work: readonly Promise<unknown>[]): Promise<void> {
  const failures = (await Promise.allSettled(work)).flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) throw failures.find((e) => !(e instanceof ConflictError)) ?? failures[0];
}

const nothing = (p: SlicePlan): boolean => p.create.length === 0 && p.update.length === 0 && p.delete.length === 0;

export async function applySlices(
  api: ClusterApi,
  namespace: string,
  service: string,
  desired: readonly Slice[],
  existing: readonly Slice[],
  maxReplans: number,
  installation?: string,
): Promise<ApplyResult> {
  let current = existing;
  let creates = 0;
  let updates = 0;
  let deletes = 0;
  for (let replans = 0; ; replans++) {
    const plan = planSlices(desired, current, installation);
    if (nothing(plan)) return { writes: creates + updates + deletes, creates, updates, deletes, replans, slices: current };
    const written: Slice[] = [];
    try {
      // allSettled: every write of a phase has finished before a conflict re-lists.
      await settle([
        ...plan.create.map(async (s) => {
          written.push(await api.createSlice(s));
          creates++;
        }),
        ...plan.update.map(async (s) => {
          written.push(await api.updateSlice(s));
          updates++;
        }),
      ]);
      await settle(
        plan.delete.map(async (s) => {
          if (s.name) await api.deleteSlice(s);
          deletes++;
        }),
      );
      const replaced = new Set([...written, ...plan.delete].map((s) => s.name));
      const slices = [...current.filter((s) => !replaced.has(s.name)), ...written];
      return { writes: creates + updates + deletes, creates, updates, deletes, replans, slices };
    } catch (error) {
      if (!(error instanceof ConflictError) || replans >= maxReplans) throw error;
      current = await api.listSlices(namespace, service);
    }
  }
}
