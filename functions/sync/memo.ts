// Per-container memory of the sync function: what this container already did, so that
// repeated syncs cost no repeated writes. Losing it (a cold start) is always safe: every
// entry only saves work that the next sync or the reconcile would redo.
import type { IncarnationView } from '../../shared/core/completeness.ts';
import type { Slice } from '../../shared/core/types.ts';
import type { NamespaceView, TargetStatus, VipMove } from '../../shared/ports.ts';

export interface SyncMemo {
  /** Identity keys this container has marked gone (cleared when the pod is seen again). */
  readonly markedGone: Set<string>;
  /** Target keys whose slices were checked for VIPs to adopt (once per container). */
  readonly adoptionChecked: Set<string>;
  /** VIPs known per GNS at the first adoption check (identity key → VIP), loaded once. */
  readonly knownVips: Map<string, Promise<ReadonlyMap<string, string>>>;
  /** The adoption in progress per GNS: the targets of one GNS adopt one after the other (vips.ts). */
  readonly adopting: Map<string, Promise<unknown>>;
  /** The last status this container recorded per target key (saves a read of the previous status). */
  readonly lastStatus: Map<string, TargetStatus>;
  /** Identity keys of the VIP identities each target needed at its last sync (to notice pods that went away). */
  readonly lastNeeded: Map<string, ReadonlySet<string>>;
  /** The store incarnation these entries belong to (docs/adr/0014-store-completeness.md): a new one clears them. */
  readonly incarnation: { id?: string };
  /** `cluster@incarnation` handed back to that cluster's agent (docs/adr/0014-store-completeness.md). */
  readonly handedBack: Set<string>;
  /** Member namespaces last read (`cluster/namespace`), with the member version read before them and when (sources.ts). */
  readonly members: Map<string, { readonly version: number; readonly at: number; readonly view: NamespaceView }>;
  /** Member reads in flight (shared by concurrent batches of this container). */
  readonly reading: Map<string, { readonly version: number; readonly at: number; readonly view: Promise<NamespaceView> }>;
  /** VIPs the allocator gave, by identity key, with when and the move it reported (vip-cache.ts). */
  readonly vips: Map<string, { readonly vip: string; readonly at: number; readonly move?: VipMove }>;
  /** Allocator `ensure` calls in flight, by identity key (shared by the targets of concurrent syncs; deleted when settled: vip-cache.ts). */
  readonly vipsAsked: Map<string, Promise<unknown>>;
  /** The store incarnation read in flight, shared by the batches begun before it (`after`: batches begun when it started; incarnation-reads.ts). */
  incarnationRead?: { readonly after: number; readonly view: Promise<IncarnationView> };
  /** Each target's slices as this container last listed or wrote them (slice-memory.ts). */
  readonly slices: Map<string, { readonly slices: readonly Slice[]; readonly at: number }>;
  /** Batches of syncs begun in this container (orders them against incarnation reads). */
  batchesBegun: number;
}

export function newSyncMemo(): SyncMemo {
  return {
    markedGone: new Set(), adoptionChecked: new Set(), knownVips: new Map(), adopting: new Map(), lastStatus: new Map(), lastNeeded: new Map(), incarnation: {}, handedBack: new Set(),
    members: new Map(), reading: new Map(), vips: new Map(), vipsAsked: new Map(), slices: new Map(), batchesBegun: 0,
  };
}
