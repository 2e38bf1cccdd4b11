// The completeness guard of a sync (docs/adr/0014-store-completeness.md): reads the store's
// incarnation once per sync and says whether every member of the target's GNS is complete in
// it. Until then the sync keeps every published endpoint (guardedSlices), adopts VIPs from the
// target's slices before anything is written, and marks no VIP identity gone. A new incarnation
// also resets what this container remembered of the old one (known VIPs, adoption checks,
// identities marked gone): none of it is true of the new store.
import { completenessOf, memberKey } from '../../shared/core/completeness.ts';
import type { Completeness } from '../../shared/core/completeness.ts';
import type { MemberRef } from '../../shared/core/types.ts';
import { describeError } from '../../shared/errors.ts';
import type { ClusterApis, IncarnationStore } from '../../shared/ports.ts';
import { DEFAULT_AGENT_LEASE, handBack } from '../handback.ts';
import type { AgentLeaseRef } from '../handback.ts';
import type { Log } from '../log.ts';
import type { SyncMemo } from './memo.ts';

export interface SyncGuard extends Completeness {
  /** The incarnation read (undefined: the deps have no incarnation store, the store counts as complete). */
  readonly incarnation?: string;
}

const COMPLETE: SyncGuard = { complete: true, missing: [] };

export interface GuardDeps {
  readonly incarnation?: IncarnationStore;
  readonly clusters: ClusterApis;
  /** Where the agents keep their Lease (the hand-back channel); false: no channel. Default DEFAULT_AGENT_LEASE. */
  readonly agentLease?: AgentLeaseRef | false;
}

export async function syncGuard(deps: GuardDeps, memo: SyncMemo, members: readonly MemberRef[], now: number, log: Log): Promise<SyncGuard> {
  const incarnations = deps.incarnation;
  if (incarnations === undefined) return COMPLETE;
  const view = await incarnations.current(now);
  if (memo.incarnation.id !== view.id) {
    if (memo.incarnation.id !== undefined) {
      memo.knownVips.clear();
      memo.adoptionChecked.clear();
      memo.markedGone.clear();
      memo.lastNeeded.clear();
      // Member copies and VIPs of the old store (docs/adr/0016: its counters start again).
      memo.members.clear();
      memo.reading.clear();
      memo.vips.clear();
    }
    memo.incarnation.id = view.id;
  }
  const guard = { ...completenessOf(view, members), incarnation: view.id };
  if (!guard.complete && deps.agentLease !== false) await askForSnapshots(deps, deps.agentLease ?? DEFAULT_AGENT_LEASE, memo, view.id, guard.missing, log);
  return guard;
}

/**
 * Hands the incarnation to the clusters of the members still waiting, once per container,
 * incarnation and cluster: their agents resnapshot at their next lease round. A failure is
 * logged and tried again at the next sync.
 */
async function askForSnapshots(deps: GuardDeps, lease: AgentLeaseRef, memo: SyncMemo, incarnation: string, missing: readonly MemberRef[], log: Log): Promise<void> {
  const clusters = [...new Set(missing.map((m) => m.cluster))].filter((c) => !memo.handedBack.has(`${c}@${incarnation}`));
  await Promise.all(clusters.map(async (cluster) => {
    try {
      // Only agents that run are told (no Lease is created here): a sync with nothing to do writes nothing.
      await handBack(deps.clusters, cluster, lease, { incarnation }, { create: false });
      memo.handedBack.add(`${cluster}@${incarnation}`);
    } catch (error) {
      log.warn('could not hand the store incarnation back to the agent; the next sync tries again', { cluster, incarnation, error: describeError(error) });
    }
  }));
}

/**
 * The sources whose names an incomplete GNS may add: those of members complete in the
 * incarnation. A member that has not resnapshotted may hold stale pods — a restored backup's
 * (a pod deleted since, its old IP perhaps another pod's now), or replayed ones — so its names
 * wait for its snapshot (seconds, through the hand-back), like its removals.
 */
export function freshSources<T extends { readonly cluster: string; readonly namespace: string }>(sources: readonly T[], guard: Completeness): T[] {
  if (guard.complete) return [...sources];
  const missing = new Set(guard.missing.map(memberKey));
  return sources.filter((s) => !missing.has(`${s.cluster}/${s.namespace}`));
}

/** The warning line of a target whose GNS is not complete yet (stable, so it is warned once per incident). */
export function incompleteWarning(gns: string): string {
  return `StoreIncomplete: the state store is being rebuilt (emptied, recreated or restored): until every member of GNS ${gns} has resnapshotted, published endpoints are kept as they are and only names of members that have resnapshotted are added`;
}
