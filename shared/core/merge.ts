// Merging events into the state of one member namespace (docs/adr/0002-event-ordering.md).
// The state is a join-semilattice: per key the greatest entry by version (with a
// deterministic tie-break), and the newest snapshot. Merging is commutative, associative and
// idempotent, so delivery order, duplicates and replays never matter. The DynamoDB store
// applies the same rule item by item with `entryKey`, `isNewer` and `isVisible`.
import { GnsSyncError } from '../errors.ts';
import type { GnsErrorOptions } from '../errors.ts';
import type { GnsEvent } from '../schemas/events.ts';
import { canonicalJson } from './canonical-json.ts';
import { podTombstone } from './returning.ts';
import type { Entry, Hlc, NamespaceState, ObjectKind, PodRecord, ServiceRecord } from './types.ts';

export { canonicalJson };

type AnyEntry = Entry<PodRecord> | Entry<ServiceRecord>;

/** Merging an event into the state of another member: a bug in the caller, not bad input. */
export class MergeScopeError extends GnsSyncError {
  override readonly name: string = 'MergeScopeError';
  constructor(message: string, options?: GnsErrorOptions) {
    super(message, options);
  }
}

export function emptyNamespaceState(): NamespaceState {
  return { listed: new Set(), entries: new Map() };
}

/** `pod/<name>` or `service/<name>`: the key of an entry (and of a snapshot's key list). */
export function entryKey(kind: ObjectKind, name: string): string {
  return `${kind}/${name}`;
}

/**
 * Whether `candidate` replaces `current`: the greater version wins. On equal versions (only
 * malformed or duplicated events) a tombstone beats a record, and between two records the
 * one whose canonical JSON sorts greater wins, so the outcome never depends on arrival order.
 */
export function isNewer(candidate: AnyEntry, current: AnyEntry | undefined): boolean {
  if (current === undefined) return true;
  if (candidate.v !== current.v) return candidate.v > current.v;
  // Two tombstones of one version: the one saying the pod returns (the later observation) wins.
  if (candidate.record === undefined && current.record === undefined) return (candidate.returning ?? -1) > (current.returning ?? -1);
  if (candidate.record === undefined) return current.record !== undefined;
  if (current.record === undefined) return false;
  return canonicalJson(candidate.record) > canonicalJson(current.record);
}

/**
 * Whether an entry is part of the visible state: it is a record, and the newest snapshot
 * either lists its key or is older than the entry (no snapshot: every record is visible).
 */
export function isVisible(key: string, entry: AnyEntry, snapshotV: Hlc | undefined, listed: ReadonlySet<string>): boolean {
  if (entry.record === undefined) return false;
  return snapshotV === undefined || entry.v > snapshotV || listed.has(key);
}

/** A state under construction: it shares the input's collections until the first write (copy-on-write). */
interface Draft {
  scope: { cluster: string; namespace: string } | undefined;
  snapshotV: Hlc | undefined;
  listed: ReadonlySet<string>;
  ownListed: Set<string> | undefined;
  entries: ReadonlyMap<string, AnyEntry>;
  ownEntries: Map<string, AnyEntry> | undefined;
  changed: boolean;
}

function put(draft: Draft, key: string, entry: AnyEntry): void {
  if (!isNewer(entry, draft.entries.get(key))) return;
  if (draft.ownEntries === undefined) {
    draft.ownEntries = new Map(draft.entries);
    draft.entries = draft.ownEntries;
  }
  draft.ownEntries.set(key, entry);
  draft.changed = true;
}

function list(draft: Draft, key: string): void {
  if (draft.listed.has(key)) return;
  if (draft.ownListed === undefined) {
    draft.ownListed = new Set(draft.listed);
    draft.listed = draft.ownListed;
  }
  draft.ownListed.add(key);
  draft.changed = true;
}

function apply(draft: Draft, event: GnsEvent): void {
  const { cluster, namespace } = event.detail;
  if (draft.scope === undefined) {
    draft.scope = { cluster, namespace };
    draft.changed = true;
  } else if (draft.scope.cluster !== cluster || draft.scope.namespace !== namespace) {
    throw new MergeScopeError(
      `cannot merge an event of ${cluster}/${namespace} into the state of ${draft.scope.cluster}/${draft.scope.namespace}: ` +
        'the caller must key state by cluster and namespace',
    );
  }
  switch (event.type) {
    case 'gns-sync.pod.upsert.v2':
      put(draft, entryKey('pod', event.detail.pod.name), { v: event.detail.v, record: event.detail.pod });
      return;
    case 'gns-sync.pod.delete.v2':
      put(draft, entryKey('pod', event.detail.name), podTombstone(event.detail));
      return;
    case 'gns-sync.service.upsert.v2':
      put(draft, entryKey('service', event.detail.service.name), { v: event.detail.v, record: event.detail.service });
      return;
    case 'gns-sync.service.delete.v2':
      put(draft, entryKey('service', event.detail.name), { v: event.detail.v });
      return;
    case 'gns-sync.namespace.snapshot.v2': {
      const s = event.detail;
      if (draft.snapshotV === undefined || s.v > draft.snapshotV) {
        draft.snapshotV = s.v;
        draft.ownListed = new Set(s.keys);
        draft.listed = draft.ownListed;
        draft.changed = true;
      } else if (s.v === draft.snapshotV) {
        // Parts of one snapshot list the same keys; a malformed duplicate joins by union.
        for (const key of s.keys) list(draft, key);
      }
      for (const p of s.pods) put(draft, entryKey('pod', p.record.name), { v: p.v, record: p.record });
      for (const p of s.services) put(draft, entryKey('service', p.record.name), { v: p.v, record: p.record });
      return;
    }
  }
}

/**
 * The state after merging `events` (in any order: the result is the same). Returns the
 * input state itself when nothing changed; never mutates it.
 */
export function mergeEvents(state: NamespaceState, events: Iterable<GnsEvent>): NamespaceState {
  const draft: Draft = {
    scope: state.scope,
    snapshotV: state.snapshotV,
    listed: state.listed,
    ownListed: undefined,
    entries: state.entries,
    ownEntries: undefined,
    changed: false,
  };
  for (const event of events) apply(draft, event);
  if (!draft.changed) return state;
  const next: { -readonly [K in keyof NamespaceState]: NamespaceState[K] } = { listed: draft.listed, entries: draft.entries };
  if (draft.scope !== undefined) next.scope = draft.scope;
  if (draft.snapshotV !== undefined) next.snapshotV = draft.snapshotV;
  return next;
}

/** The state after merging one event; a stale or duplicate event returns the state unchanged. */
export function mergeEvent(state: NamespaceState, event: GnsEvent): NamespaceState {
  return mergeEvents(state, [event]);
}

function visible<T>(state: NamespaceState, kind: ObjectKind): T[] {
  const prefix = `${kind}/`;
  const out: { key: string; record: T }[] = [];
  for (const [key, entry] of state.entries) {
    if (key.startsWith(prefix) && isVisible(key, entry, state.snapshotV, state.listed)) {
      out.push({ key, record: entry.record as T });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => e.record);
}

/** The visible pods, by name. */
export function visiblePods(state: NamespaceState): PodRecord[] {
  return visible<PodRecord>(state, 'pod');
}

/** The visible Services (annotated, valid or not), by name. */
export function visibleServices(state: NamespaceState): ServiceRecord[] {
  return visible<ServiceRecord>(state, 'service');
}
