// The agents' side of the event contract: a GnsEvent → EventBridge PutEvents entries, each
// within the per-entry size limit. A namespace snapshot that would not fit is split into parts
// that each carry the full key list and a share of the records, so each part alone is a valid
// merge (docs/adr/0002-event-ordering.md). Any other event that does not fit is an error.
import { FinalError } from '../errors.ts';
import type { GnsErrorOptions } from '../errors.ts';
import type { BusEntry } from '../ports.ts';
import { DETAIL_TYPES, sourceOf } from './events.ts';
import type { GnsEvent, NamespaceSnapshot } from './events.ts';

/** PutEvents accepts entries of up to 1 MB (docs/design.md §5). */
export const MAX_ENTRY_BYTES = 1_048_576;
/** An SQS message (a rule's delivery to the ingest queue, a dead letter) is at most 1 MiB, envelope and attributes included. */
export const MAX_SQS_MESSAGE_BYTES = 1_048_576;
/**
 * Bytes kept free in every entry an agent publishes, for what is added around its detail on the
 * way: the EventBridge envelope a rule delivers to SQS (keys, id, account, time, region,
 * resources, replay-name: about 400 bytes at their longest) and the attributes of a dead letter
 * (reason ≤ 1,024 bytes, origin, message id). docs/security.md: size limits.
 */
export const ENVELOPE_MARGIN_BYTES = 4_096;
/** The largest entry an agent publishes (Time included): its delivery and its dead letter stay ≤ 1 MiB. */
export const MAX_PUBLISHED_ENTRY_BYTES = MAX_ENTRY_BYTES - ENVELOPE_MARGIN_BYTES;
/** PutEvents accepts up to 10 entries per call. */
export const MAX_ENTRIES_PER_PUT = 10;
/** The `Time` parameter counts 14 bytes when set. */
const TIME_BYTES = 14;
/** The most parts a snapshot may have (the schema's bound). */
const MAX_PARTS = 1000;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** An event that cannot be published: it does not fit one entry and cannot be split. Final. */
export class EntryTooLargeError extends FinalError {
  override readonly name: string = 'EntryTooLargeError';
  readonly detailType: string;
  readonly sizeBytes: number;
  readonly limitBytes: number;
  constructor(detailType: string, sizeBytes: number, limitBytes: number, why: string, options?: GnsErrorOptions) {
    super(`${detailType} event of ${sizeBytes} bytes exceeds the entry limit of ${limitBytes} bytes (PutEvents' 1 MB less room for the envelope): ${why}; the event is not published`, options);
    this.detailType = detailType;
    this.sizeBytes = sizeBytes;
    this.limitBytes = limitBytes;
  }
}

/**
 * The size of a PutEvents entry as EventBridge calculates it: 14 bytes for `Time` when set,
 * plus the UTF-8 bytes of `Source`, `DetailType`, `Detail` and each of `Resources`.
 */
export function entrySize(entry: BusEntry & { readonly resources?: readonly string[] }): number {
  let size = entry.time === undefined ? 0 : TIME_BYTES;
  size += utf8(entry.source) + utf8(entry.detailType) + utf8(entry.detail);
  for (const resource of entry.resources ?? []) size += utf8(resource);
  return size;
}

/** Bytes an entry takes besides its detail; the `Time` is budgeted so that a publisher may set it. */
function overhead(cluster: string, detailType: string): number {
  return TIME_BYTES + utf8(sourceOf(cluster)) + utf8(detailType);
}

/**
 * The PutEvents entries of one event: one entry, or for a snapshot too large for one entry,
 * one entry per part. Entries leave room for a `Time` (14 bytes) and, by default, for the
 * envelope (ENVELOPE_MARGIN_BYTES). Throws EntryTooLargeError when an event cannot fit.
 */
export function toBusEntries(event: GnsEvent, limitBytes: number = MAX_PUBLISHED_ENTRY_BYTES): BusEntry[] {
  const parts: readonly GnsEvent[] = event.type === DETAIL_TYPES.snapshot
    ? splitSnapshot(event.detail, limitBytes).map((detail) => ({ type: DETAIL_TYPES.snapshot, detail }))
    : [event];
  return parts.map((part) => {
    const entry: BusEntry = { source: sourceOf(part.detail.cluster), detailType: part.type, detail: JSON.stringify(part.detail) };
    const size = entrySize(entry) + TIME_BYTES;
    if (size > limitBytes) {
      throw new EntryTooLargeError(part.type, size, limitBytes, 'only namespace snapshots can be split');
    }
    return entry;
  });
}

/**
 * Splits a snapshot into parts whose entries fit `limitBytes` (with a `Time`). Each part has
 * the snapshot's id, version and full `keys` list, `part` i of `parts`, and a share of the
 * records in their original order. A snapshot that fits is returned as is.
 */
export function splitSnapshot(snapshot: NamespaceSnapshot, limitBytes: number): NamespaceSnapshot[] {
  const type = DETAIL_TYPES.snapshot;
  const fixed = overhead(snapshot.cluster, type);
  const whole = fixed + utf8(JSON.stringify(snapshot));
  if (whole <= limitBytes) return [snapshot];

  // The detail of a part with no records, its part numbers at their widest.
  const empty = fixed + utf8(JSON.stringify({ ...snapshot, part: MAX_PARTS, parts: MAX_PARTS, pods: [], services: [] }));
  if (empty > limitBytes) {
    throw new EntryTooLargeError(type, whole, limitBytes, `its key list alone takes ${empty} bytes and every part must carry it`);
  }

  type Share = { readonly pods: NamespaceSnapshot['pods'][number][]; readonly services: NamespaceSnapshot['services'][number][]; bytes: number };
  const shares: Share[] = [];
  let current: Share = { pods: [], services: [], bytes: empty };
  /** Adds a record's bytes (and a comma when its array already has one) to a part with room. */
  const place = (kind: 'pod' | 'service', record: unknown, countIn: (share: Share) => number): Share => {
    const bytes = utf8(JSON.stringify(record));
    if (empty + bytes > limitBytes) {
      throw new EntryTooLargeError(type, whole, limitBytes, `one ${kind} record takes ${bytes} bytes`);
    }
    const cost = (share: Share): number => bytes + (countIn(share) > 0 ? 1 : 0);
    if (current.bytes + cost(current) > limitBytes) {
      shares.push(current);
      current = { pods: [], services: [], bytes: empty };
    }
    current.bytes += cost(current);
    return current;
  };
  for (const pod of snapshot.pods) place('pod', pod, (s) => s.pods.length).pods.push(pod);
  for (const service of snapshot.services) place('service', service, (s) => s.services.length).services.push(service);
  shares.push(current);

  if (shares.length > MAX_PARTS) {
    throw new EntryTooLargeError(type, whole, limitBytes, `it would need ${shares.length} parts (at most ${MAX_PARTS})`);
  }
  return shares.map((share, i) => ({ ...snapshot, part: i + 1, parts: shares.length, pods: share.pods, services: share.services }));
}

/** Splits a list into batches of at most `size` (PutEvents takes ≤ 10 entries a call). */
export function chunk<T>(items: readonly T[], size: number = MAX_ENTRIES_PER_PUT): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`chunk size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}
