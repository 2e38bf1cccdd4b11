// Reading a member namespace's partition back into entries and the newest snapshot, and the
// visible view of it through the core's `isVisible` (docs/adr/0002-event-ordering.md).
import { isVisible } from '../../core/merge.ts';
import type { Entry, Hlc, PodRecord, ServiceRecord } from '../../core/types.ts';
import { RetryableError } from '../../errors.ts';
import type { Item } from './client.ts';
import { SNAPSHOT_SK } from './keys.ts';
import { decodeKeys } from './snapshot-keys.ts';

export type AnyEntry = Entry<PodRecord> | Entry<ServiceRecord>;

export interface StoredSnapshot {
  readonly v: Hlc;
  readonly listed: ReadonlySet<string>;
}

export interface Partition {
  readonly snapshot: StoredSnapshot | undefined;
  /** By key (`pod/<name>`, `service/<name>`). */
  readonly entries: ReadonlyMap<string, AnyEntry>;
}

export function isEntrySk(sk: string): boolean {
  return sk.startsWith('pod/') || sk.startsWith('service/');
}

export function entryOf(item: Item): AnyEntry {
  const v = item.v as string;
  if (typeof item.r === 'string') return { v, record: JSON.parse(item.r) as unknown } as AnyEntry;
  // A pod tombstone whose pod returns keeps when it was observed (docs/adr/0019).
  return typeof item.ret === 'number' ? { v, returning: item.ret } : { v };
}

/** The chunks of one snapshot version found among `items`, after the header's own. */
export function snapshotChunks(header: Item, items: readonly Item[]): Uint8Array[] | undefined {
  const count = Number(header.nch ?? 1);
  const prefix = `${SNAPSHOT_SK}/${String(header.v)}/`;
  const rest = items
    .filter((i) => typeof i.sk === 'string' && i.sk.startsWith(prefix))
    .sort((a, b) => ((a.sk as string) < (b.sk as string) ? -1 : 1))
    .map((i) => i.lk as Uint8Array);
  if (rest.length !== count - 1) return undefined;
  return [header.lk as Uint8Array, ...rest];
}

export function readSnapshot(header: Item | undefined, items: readonly Item[]): StoredSnapshot | undefined {
  if (header === undefined || typeof header.v !== 'string') return undefined;
  const chunks = snapshotChunks(header, items);
  if (chunks === undefined) {
    // A newer snapshot replaced this one while we read, and its writer removed the old chunks.
    throw new RetryableError(`snapshot ${String(header.v)} of ${String(header.pk)} is missing key chunks (replaced while reading): retry the read`);
  }
  return { v: header.v, listed: decodeKeys(chunks) };
}

export function readPartition(items: readonly Item[]): Partition {
  const header = items.find((i) => i.sk === SNAPSHOT_SK);
  const entries = new Map<string, AnyEntry>();
  for (const item of items) {
    if (typeof item.sk === 'string' && isEntrySk(item.sk)) entries.set(item.sk, entryOf(item));
  }
  return { snapshot: readSnapshot(header, items), entries };
}

/** The visible records of one kind, sorted by name. */
export function visibleRecords<T extends PodRecord | ServiceRecord>(partition: Partition, kind: 'pod' | 'service'): T[] {
  const prefix = `${kind}/`;
  const out: { key: string; record: T }[] = [];
  for (const [key, entry] of partition.entries) {
    if (!key.startsWith(prefix)) continue;
    if (isVisible(key, entry, partition.snapshot?.v, partition.snapshot?.listed ?? new Set())) out.push({ key, record: entry.record as T });
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((e) => e.record);
}
