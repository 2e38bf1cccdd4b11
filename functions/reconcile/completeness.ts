// Which GNSs the reconcile must treat as incomplete (docs/adr/0014-store-completeness.md):
// those with a member that has not merged a whole snapshot in the store's current incarnation.
// Reading the incarnation also begins a new one when the table has lost it, so a scheduled
// reconcile is enough for a store that nothing else touches to notice its loss.
import { completenessOf, memberKey } from '../../shared/core/completeness.ts';
import type { IncarnationView } from '../../shared/core/completeness.ts';
import type { Handback } from '../../shared/core/handback.ts';
import { describeError } from '../../shared/errors.ts';
import type { IncarnationStore } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';

export async function incompleteGns(
  deps: { readonly topology: TopologyIndex; readonly incarnation?: IncarnationStore },
  now: number,
  errors: string[],
  log: Log,
): Promise<{ readonly incomplete: ReadonlySet<string>; readonly view?: IncarnationView }> {
  if (deps.incarnation === undefined) return { incomplete: new Set() };
  try {
    const view = await deps.incarnation.current(now);
    const out = new Set<string>();
    for (const gns of deps.topology.gnsNames) {
      const { complete, missing } = completenessOf(view, deps.topology.membersOf(gns));
      if (complete) continue;
      out.add(gns);
      log.warn('GNS not complete in the store incarnation: no VIP is marked gone and no orphan slice deleted until its members resnapshot', { gns, incarnation: view.id, waitingFor: missing.map(memberKey) });
    }
    return { incomplete: out, view };
  } catch (error) {
    errors.push(`reading the store incarnation failed (every GNS treated as incomplete): ${describeError(error)}`);
    return { incomplete: new Set(deps.topology.gnsNames) };
  }
}

/** What each configured cluster's agent is handed back: the incarnation and the cluster's floor. */
export function handbacks(view: IncarnationView, clusters: readonly string[]): Map<string, Handback> {
  return new Map(clusters.map((c) => {
    const floor = view.floors?.get(c);
    return [c, { incarnation: view.id, ...(floor === undefined ? {} : { floor }) }] as const;
  }));
}
