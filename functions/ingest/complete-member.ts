// A member becomes complete in the store's incarnation when it has merged a whole snapshot
// taken after the incarnation began (docs/adr/0014-store-completeness.md). The ingest calls
// this when a merge reports a completed snapshot; when it marks the member, every target of the
// member's GNS is enqueued, since the guard that kept their published endpoints may now lift.
import { completenessOf, memberKey, snapshotCounts } from '../../shared/core/completeness.ts';
import { parseHlc } from '../../shared/core/hlc.ts';
import type { Hlc, MemberRef } from '../../shared/core/types.ts';
import { describeError } from '../../shared/errors.ts';
import type { IncarnationStore } from '../../shared/ports.ts';
import type { Log } from '../log.ts';

/**
 * Marks `member` complete when the snapshot `v` counts in the current incarnation. Returns
 * whether it marked it. A failure is logged, never thrown: the snapshot is merged either way,
 * and the next snapshot of the member (the agent's periodic one, or the resnapshot a new
 * incarnation asks for) marks it.
 */
export async function completeMember(incarnations: IncarnationStore, member: MemberRef, v: Hlc, now: number, log: Log): Promise<boolean> {
  try {
    const view = await incarnations.current(now);
    if (completenessOf(view, [member]).complete) return false;
    if (!snapshotCounts(view, parseHlc(v).ms)) {
      log.info('snapshot taken before the store incarnation began: the member stays incomplete', { member: memberKey(member), v, since: view.since });
      return false;
    }
    await incarnations.markComplete(view.id, member);
    log.info('member complete in the store incarnation', { member: memberKey(member), incarnation: view.id, v });
    return true;
  } catch (error) {
    log.warn('could not mark the member complete; its next snapshot will', { member: memberKey(member), error: describeError(error) });
    return false;
  }
}
