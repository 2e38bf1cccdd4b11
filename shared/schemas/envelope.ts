// A PutEvents entry as EventBridge delivers it to a rule target: the envelope around the
// detail. Used by the local bus (same shape as the cloud) and by the contract tests.
import type { BusEntry } from '../ports.ts';
import type { EventBridgeEnvelope } from './events.ts';

export interface EnvelopeMeta {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  /** Delivery time when the entry has none (EventBridge uses the time of the PutEvents call). */
  readonly receivedAt: Date;
  readonly resources?: readonly string[];
  /** Set on events replayed from an archive. */
  readonly replayName?: string;
}

/** EventBridge writes `time` in seconds, UTC: `2026-11-28T21:56:24Z`. */
export function eventBridgeTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** The event a rule target receives for one entry (`detail` parsed back from its JSON text). */
export function toEnvelope(entry: BusEntry, meta: EnvelopeMeta): EventBridgeEnvelope {
  const envelope: EventBridgeEnvelope = {
    version: '0',
    id: meta.id,
    'detail-type': entry.detailType,
    source: entry.source,
    account: meta.account,
    time: eventBridgeTime(entry.time ?? meta.receivedAt),
    region: meta.region,
    resources: [...(meta.resources ?? [])],
    detail: JSON.parse(entry.detail) as unknown,
  };
  return meta.replayName === undefined ? envelope : { ...envelope, 'replay-name': meta.replayName };
}
