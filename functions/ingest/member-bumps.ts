// After a batch's merges, one write per GNS counts a change of every member namespace the batch
// changed (docs/adr/0014-a-pod-event-costs-constant-work.md): the syncs re-read a member only
// when its version moved. It runs before anything is enqueued, so a sync enqueued for a change
// always sees the change's bump. A redelivered record bumps again whether or not its merge
// changed anything now (the first attempt may have merged and failed before bumping).
import { describeError } from '../../shared/errors.ts';
import type { StateStore } from '../../shared/ports.ts';
import type { Log } from '../log.ts';

export interface MergedMember {
  readonly gns: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly changed: boolean;
  readonly redelivered: boolean;
}

/** Bumps the members each GNS changed; returns the GNSs whose bump failed (their records must be redelivered). */
export async function bumpChangedMembers(store: StateStore, merged: readonly MergedMember[], log: Log): Promise<Set<string>> {
  const byGns = new Map<string, Set<string>>();
  for (const m of merged) {
    if (!m.changed && !m.redelivered) continue;
    const members = byGns.get(m.gns) ?? new Set<string>();
    members.add(`${m.cluster}/${m.namespace}`);
    byGns.set(m.gns, members);
  }
  const failed = new Set<string>();
  await Promise.all([...byGns].map(async ([gns, members]) => {
    try {
      await store.bumpMemberVersions(gns, [...members]);
    } catch (error) {
      failed.add(gns);
      log.warn('bumping the member versions failed; the changes will be redelivered', { gns, error: describeError(error) });
    }
  }));
  return failed;
}
