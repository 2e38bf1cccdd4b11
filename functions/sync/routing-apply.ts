// Applying a plan of ServiceEntries in one Istio config cluster, like the slices' apply: on a
// 409 (a concurrent writer, a retried create) re-list and re-plan, a few times, then let the
// queue retry. Shared by the client entries (target sync) and the gateway-entry writer.
import { planEntries, planWrites } from '../../shared/core/routing/plan.ts';
import type { ServiceEntry } from '../../shared/core/routing/types.ts';
import { ConflictError } from '../../shared/errors.ts';
import type { RoutingApi } from '../../shared/ports.ts';

export interface EntriesApplied {
  readonly writes: number;
  readonly replans: number;
  /** Desired entries whose name is taken by an object we do not own. */
  readonly blocked: readonly ServiceEntry[];
}

export async function applyEntries(
  api: RoutingApi,
  desired: readonly ServiceEntry[],
  list: () => Promise<readonly ServiceEntry[]>,
  installation: string,
  maxReplans = 3,
): Promise<EntriesApplied> {
  let writes = 0;
  for (let replans = 0; ; replans++) {
    const plan = planEntries(desired, await list(), installation);
    if (planWrites(plan) === 0) return { writes, replans, blocked: plan.blocked };
    try {
      for (const e of plan.delete) {
        await api.deleteServiceEntry(e);
        writes++;
      }
      for (const e of plan.update) {
        await api.updateServiceEntry(e);
        writes++;
      }
      for (const e of plan.create) {
        await api.createServiceEntry(e);
        writes++;
      }
      return { writes, replans, blocked: plan.blocked };
    } catch (error) {
      if (!(error instanceof ConflictError) || replans >= maxReplans) throw error;
    }
  }
}
