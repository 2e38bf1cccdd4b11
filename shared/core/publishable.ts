// Which selected pods a target publishes (docs/design.md §3, issue 10 case 9). A target's
// selector is only labels, and any member may run a pod with matching labels and any
// `spec.hostname`: without a rule, a pod of another member could answer another's per-pod name.
// So a target publishes only pods a StatefulSet controls (an unknown controller, from a v1
// agent, counts as one: an agent upgrade never takes a name away), and one pod per hostname:
//   1. a pod in the target's own cluster and namespace,
//   2. else a pod of the member that comes first in the GNS's member order (the config's),
//   3. else the first by `cluster/namespace/pod` (a stable tiebreak: two pods of one member
//      cannot share a name in one StatefulSet, but two StatefulSets may set the same hostname).
// The others are reported as losers, to be named in a Warning. Pure.
import type { MemberRef, PodController, SourcePod, TargetRef } from './types.ts';

/** A selected pod that is not published because no StatefulSet controls it. */
export interface SkippedPod {
  /** `cluster/namespace/pod`. */
  readonly pod: string;
  /** Its controller (`null`: none). */
  readonly controller: PodController | null;
}

export interface HostnameConflict {
  readonly hostname: string;
  /** `cluster/namespace/pod` of the pod published under the hostname. */
  readonly winner: string;
  /** Why it won: `own namespace`, `member order` or `name order`. */
  readonly rule: 'own namespace' | 'member order' | 'name order';
  /** `cluster/namespace/pod` of every other pod claiming the hostname, in rank order. */
  readonly losers: readonly string[];
}

/** Whether a pod's records say a StatefulSet controls it (undefined: unknown, v1 agent: yes). */
export function isStatefulSetPod(controller: PodController | null | undefined): boolean {
  return controller === undefined || controller?.kind === 'StatefulSet';
}

interface Candidate {
  readonly source: SourcePod;
  readonly id: string;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Resolves hostname claims among `candidates` (sorted by id, each once): the pods to keep (in
 * the input order) and the conflicts, sorted by hostname. `hostnameOf` returns the name a pod
 * would publish (undefined: none, never in conflict). `members`: the GNS's members in config
 * order; a member not in it (or no list) ranks after those listed, by `cluster/namespace`.
 */
export function resolveHostnames<C extends Candidate>(
  candidates: readonly C[],
  target: TargetRef,
  hostnameOf: (source: SourcePod) => string | undefined,
  members?: readonly MemberRef[],
): { kept: C[]; conflicts: HostnameConflict[] } {
  const rankOf = new Map<string, number>();
  for (const m of members ?? []) if (!rankOf.has(`${m.cluster}/${m.namespace}`)) rankOf.set(`${m.cluster}/${m.namespace}`, rankOf.size);
  const memberRank = (s: SourcePod): number => {
    const key = `${s.cluster}/${s.namespace}`;
    let rank = rankOf.get(key);
    if (rank === undefined) {
      rank = rankOf.size;
      rankOf.set(key, rank);
    }
    return rank;
  };
  // Candidates are in id order, so unlisted members get their ranks in `cluster/namespace` order.
  const ranks = new Map(candidates.map((c) => [c.id, memberRank(c.source)]));
  const own = (c: C): boolean => c.source.cluster === target.cluster && c.source.namespace === target.namespace;
  const byHostname = new Map<string, C[]>();
  for (const c of candidates) {
    const hostname = hostnameOf(c.source);
    if (hostname === undefined) continue;
    const claims = byHostname.get(hostname);
    if (claims === undefined) byHostname.set(hostname, [c]);
    else claims.push(c);
  }
  const losers = new Set<string>();
  const conflicts: HostnameConflict[] = [];
  for (const [hostname, claims] of byHostname) {
    if (claims.length < 2) continue;
    const ranked = [...claims].sort(
      (a, b) => Number(own(b)) - Number(own(a)) || (ranks.get(a.id) ?? 0) - (ranks.get(b.id) ?? 0) || compare(a.id, b.id),
    );
    const [winner, second, ...rest] = ranked as [C, C, ...C[]];
    const rule = own(winner) && !own(second) ? 'own namespace' : ranks.get(winner.id) !== ranks.get(second.id) ? 'member order' : 'name order';
    for (const l of [second, ...rest]) losers.add(l.id);
    conflicts.push({ hostname, winner: winner.id, rule, losers: [second, ...rest].map((l) => l.id) });
  }
  conflicts.sort((a, b) => compare(a.hostname, b.hostname));
  return { kept: candidates.filter((c) => !losers.has(c.id)), conflicts };
}
