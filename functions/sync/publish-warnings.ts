// Warning lines about the pods a target does not publish (shared/core/publishable.ts): a
// hostname claimed by several pods (one wins by a documented rule, the others are named), and
// selected pods that no StatefulSet controls. Lines are stable while the situation is, so the
// sync warns once per change (sync.ts `warn`).
import type { HostnameConflict, SkippedPod } from '../../shared/core/publishable.ts';

const SHOWN = 5;

function named(id: string): string {
  const [cluster, namespace, pod] = id.split('/');
  return `pod ${pod} (cluster ${cluster}, namespace ${namespace})`;
}

const RULES: Record<HostnameConflict['rule'], string> = {
  'own namespace': "it is in the target's own namespace",
  'member order': 'its namespace comes first in the global namespace\'s members',
  'name order': 'it comes first by cluster/namespace/pod',
};

export function conflictWarning(c: HostnameConflict): string {
  return (
    `HostnameConflict: hostname ${c.hostname} is claimed by ${c.losers.length + 1} pods; published: ${named(c.winner)}, because ${RULES[c.rule]}; ` +
    `not published: ${c.losers.map(named).join(', ')} — rename one StatefulSet or set another hostname`
  );
}

export function skippedWarning(skipped: readonly SkippedPod[]): string | undefined {
  if (skipped.length === 0) return undefined;
  const shown = skipped.slice(0, SHOWN).map((s) => `${named(s.pod)} ${s.controller === null ? 'has no controller' : `is controlled by ${s.controller.kind} ${s.controller.name}`}`);
  const more = skipped.length > SHOWN ? ` and ${skipped.length - SHOWN} more` : '';
  return `NotAStatefulSetPod: ${skipped.length} pod(s) match the selector but no StatefulSet controls them, so they are not published: ${shown.join(', ')}${more}`;
}
