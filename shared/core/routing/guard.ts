// Routing while the store is incomplete (docs/adr/0014-store-completeness.md, applied to the
// ServiceEntries of docs/adr/0013-routing-through-istio.md): the store may be empty or older
// than what the clusters route, so nothing that routes may be taken away or pointed elsewhere
// — a restored store's pod IP is stale, an emptied store's "no pods" is no proof. Like the
// slices' guard (guardedSlices): every entry this installation owns stays exactly as it is, and
// only desired entries under a name not found yet are added.
import { isOwnedEntry } from './plan.ts';
import type { ServiceEntry } from './types.ts';

const where = (e: ServiceEntry): string => `${e.cluster}\u0000${e.namespace}\u0000${e.name}`;

/**
 * What to publish while incomplete: the owned `existing` entries as they are, plus the `desired`
 * entries whose place and name are not taken. Planned against `existing`, it only creates.
 */
export function guardedEntries(desired: readonly ServiceEntry[], existing: readonly ServiceEntry[], installation?: string): ServiceEntry[] {
  const found = new Set(existing.map(where));
  const kept = existing.filter((e) => isOwnedEntry(e, installation));
  return [...kept, ...desired.filter((d) => !found.has(where(d)))];
}
