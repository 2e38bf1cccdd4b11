// When the store is complete enough to change what is published (docs/adr/0014-store-completeness.md).
// The store can be incomplete: emptied, recreated, restored from an older backup. Each of those
// starts a new *incarnation*; a member of a GNS is complete once it has merged a whole snapshot
// taken after the incarnation began. Until every member of a GNS is complete, the syncs of that
// GNS may add names that are not published yet but leave every published endpoint as it is: no
// removal, no address or condition change. Pure: no I/O, no clock.
import { DEFAULT_INSTALLATION } from './installation.ts';
import { ownedBy } from './plan.ts';
import type { Endpoint, Hlc, MemberRef, Slice } from './types.ts';

/** The incarnation of the store: when it began, and the members complete in it. */
export interface IncarnationView {
  readonly id: string;
  /** Milliseconds since the epoch when this incarnation began (the functions' clock). */
  readonly since: number;
  /** `cluster/namespace` of each member that merged a whole snapshot taken after `since`. */
  readonly complete: ReadonlySet<string>;
  /** The highest version the ingest recorded per cluster in this incarnation (handed back to agents as their clock floor). */
  readonly floors?: ReadonlyMap<string, Hlc>;
}

export interface Completeness {
  readonly complete: boolean;
  /** The members still waiting for a snapshot (config order). */
  readonly missing: readonly MemberRef[];
}

export const memberKey = (m: MemberRef): string => `${m.cluster}/${m.namespace}`;

/** Whether every member of a GNS is complete in the incarnation. */
export function completenessOf(incarnation: IncarnationView, members: readonly MemberRef[]): Completeness {
  const missing = members.filter((m) => !incarnation.complete.has(memberKey(m)));
  return { complete: missing.length === 0, missing };
}

/**
 * Whether a snapshot completes a member in the incarnation: it was taken (its version's wall
 * milliseconds) at or after the incarnation began. A snapshot taken before — one in flight
 * when the table was lost, or one restored with a backup — does not.
 */
export function snapshotCounts(incarnation: Pick<IncarnationView, 'since'>, snapshotMs: number): boolean {
  return snapshotMs >= incarnation.since;
}

/** What names an endpoint: its hostname, else its first address; within an address type. */
function endpointKey(addressType: string, e: Endpoint): string {
  return `${addressType}|${e.hostname ?? `@${e.addresses[0] ?? ''}`}`;
}

/**
 * The slices to publish while the store is incomplete: every slice gns-sync owns for the
 * target exactly as it is, plus the desired endpoints whose name is not published yet (in
 * desired order, grouped as `desired` groups them). Planning this against `existing` writes
 * only creates for the new names: nothing published is removed or changed.
 */
export function guardedSlices(desired: readonly Slice[], existing: readonly Slice[], installation: string = DEFAULT_INSTALLATION): Slice[] {
  const kept = existing.filter(ownedBy(installation));
  const published = new Set(kept.flatMap((s) => s.endpoints.map((e) => endpointKey(s.addressType, e))));
  const added: Slice[] = [];
  for (const slice of desired) {
    const endpoints = slice.endpoints.filter((e) => !published.has(endpointKey(slice.addressType, e)));
    if (endpoints.length > 0) added.push({ ...slice, endpoints });
  }
  return [...kept, ...added];
}
