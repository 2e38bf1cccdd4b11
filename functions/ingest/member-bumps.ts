// After a batch's merges, one write per GNS counts a change of every member namespace the batch
// changed (docs/adr/0016-a-pod-event-costs-constant-work.md): the syncs re-read a member only
// when its version moved. It runs before anything is enqueued, so a sync enqueued for a change
// always sees the change's bump. A redelivered record bumps again whether or not its merge
// changed anything now (the first attempt may have merged and failed before bumping).
import { describeError } from '../../shared/errors.ts';
import type { MemberVersions, StateStore } from '../../shared/ports.ts';
import type { Log } from '../log.ts';

export interface MergedMember {
  readonly gns: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly changed: boolean;
  readonly redelivered: boolean;
}

export interface MemberBumps {
  /** GNSs whose bump failed: their changed records must be redelivered. */
  readonly failed: Set<string>;
  /** Every member version of each bumped GNS after its bump: what its sync messages carry. */
  readonly versions: Map<string, MemberVersions>;
  /** The targets version of each bumped GNS, read by its bump (after the batch's merges). */
  readonly targetsVersions: Map<string, number>;
}

/** Bumps the members each GNS changed, one write per GNS. */
export async function bumpChangedMembers(store: StateStore, merged: readonly MergedMember[], log: Log): Promise<MemberBumps> {
  const byGns = new Map<string, Set<string>>();
  for (const m of merged) {
    if (!m.changed && !m.redelivered) continue;
    const members = byGns.get(m.gns) ?? new Set<string>();
    members.add(`${m.cluster}/${m.namespace}`);
    byGns.set(m.gns, members);
  }
  const failed = new Set<string>();
  const versions = new Map<string, MemberVersions>();
  const targetsVersions = new Map<string, number>();
  await Promise.all([...byGns].map(async ([gns, members]) => {
    try {
      const bump = await store.bumpMemberVersions(gns, [...members]);
      versions.set(gns, bump.members);
      targetsVersions.set(gns, bump.targetsVersion);
    } catch (error) {
      failed.add(gns);
      log.warn('bumping the member versions failed; the changes will be redelivered', { gns, error: describeError(error) });
    }
  }));
  return { failed, versions, targetsVersions };
}
