// Applying a plan of ServiceEntries in one Istio config cluster, like the slices' apply: on a
// 409 (a concurrent writer, a retried create) re-list and re-plan, a few times, then let the
// queue retry. Shared by the client entries (target sync) and the gateway-entry writer. While
// the GNS is incomplete in the store (docs/adr/0014), entries are only added.
import { guardedEntries } from '../../shared/core/routing/guard.ts';
import { withKept } from '../../shared/core/routing/keep.ts';
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

export interface ApplyOptions {
  /** The installation whose entries these are (docs/adr/0015). */
  readonly installation: string;
  /** The GNS is not complete in the store's incarnation: create only, never update or delete. */
  readonly incomplete?: boolean;
  /** Names of existing entries kept as they are when not desired (a restarting pod's client entries: docs/adr/0019). */
  readonly keep?: ReadonlySet<string>;
  /** Re-plans after 409 before the error goes to the queue (default 3). */
  readonly maxReplans?: number;
}

export async function applyEntries(
  api: RoutingApi,
  desired: readonly ServiceEntry[],
  list: () => Promise<readonly ServiceEntry[]>,
  options: ApplyOptions,
): Promise<EntriesApplied> {
  const { installation, maxReplans = 3 } = options;
  let writes = 0;
  for (let replans = 0; ; replans++) {
    const existing = await list();
    // An incomplete store only adds (docs/adr/0014): what routes now stays as it is.
    const wanted = options.incomplete ? guardedEntries(desired, existing, installation) : withKept(desired, existing, options.keep ?? new Set(), installation);
    const plan = planEntries(wanted, existing, installation);
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
