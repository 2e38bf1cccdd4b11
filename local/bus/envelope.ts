// The EventBridge side of PutEvents, locally: per-entry validation with AWS's error codes,
// the entry size as AWS computes it, and the envelope a rule target receives.
import { randomUUID } from 'node:crypto';
import type { BusEntry } from '../../shared/ports.ts';
import { toEnvelope as envelopeOf } from '../../shared/schemas/envelope.ts';
import { MAX_ENTRIES_PER_PUT, MAX_ENTRY_BYTES, entrySize } from '../../shared/schemas/serialize.ts';

/** PutEvents accepts at most this many entries per call, each at most 1 MB (docs/design.md §5). */
export { MAX_ENTRIES_PER_PUT as MAX_ENTRIES_PER_CALL, MAX_ENTRY_BYTES, entrySize };

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'local-1';

/** The envelope EventBridge delivers to a target (docs/design.md §5). */
export interface BusEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: unknown;
  readonly 'replay-name'?: string;
}

export interface EntryError {
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Validates one entry as PutEvents does; the envelope, or the entry's error. */
export function toEnvelope(entry: BusEntry, now: Date): { ok: true; envelope: BusEnvelope } | { ok: false; error: EntryError } {
  if (typeof entry.source !== 'string' || entry.source.length === 0) {
    return { ok: false, error: { errorCode: 'InvalidArgument', errorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.' } };
  }
  if (typeof entry.detailType !== 'string' || entry.detailType.length === 0) {
    return { ok: false, error: { errorCode: 'InvalidArgument', errorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.' } };
  }
  if (typeof entry.detail !== 'string') {
    return { ok: false, error: { errorCode: 'InvalidArgument', errorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.' } };
  }
  const size = entrySize(entry);
  if (size > MAX_ENTRY_BYTES) {
    return { ok: false, error: { errorCode: 'InvalidArgument', errorMessage: `Event size ${size} bytes exceeds the limit of ${MAX_ENTRY_BYTES} bytes.` } };
  }
  let detail: unknown;
  try {
    detail = JSON.parse(entry.detail);
  } catch {
    return { ok: false, error: { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed: not valid JSON.' } };
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    return { ok: false, error: { errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed: not a JSON object.' } };
  }
  const time = entry.time instanceof Date && !Number.isNaN(entry.time.getTime()) ? entry.time : undefined;
  const envelope = envelopeOf({ ...entry, ...(time ? { time } : {}) }, { id: randomUUID(), account: LOCAL_ACCOUNT, region: LOCAL_REGION, receivedAt: now });
  return { ok: true, envelope: { ...envelope, version: '0', resources: [] } as BusEnvelope };
}
