// Adversarial: oversized events (issue 11, finding 7). Every entry an agent publishes keeps a
// margin below PutEvents' 1 MB, so the SQS message EventBridge delivers to the ingest queue
// (the envelope around the detail) and the dead letter the ingest may make of it (the body plus
// its reason attributes) both stay within SQS's 1 MiB — tested at the boundary, with the
// envelope's variable fields at their longest.
import { describe, expect, it } from 'vitest';
import { toEnvelope } from '../../shared/schemas/envelope.ts';
import { DETAIL_TYPES } from '../../shared/schemas/events.ts';
import type { GnsEvent, NamespaceSnapshot, PodUpsert } from '../../shared/schemas/events.ts';
import { EntryTooLargeError, entrySize, MAX_PUBLISHED_ENTRY_BYTES, MAX_SQS_MESSAGE_BYTES, toBusEntries } from '../../shared/schemas/serialize.ts';
import type { BusEntry } from '../../shared/ports.ts';

const V = '001764364200000.000000';

/** The longest values the envelope's variable fields take (ids are UUIDs; replay names ≤ 64). */
const WORST = { id: 'f'.repeat(8) + '-ffff-ffff-ffff-' + 'f'.repeat(12), account: '123456789012', region: 'ap-southeast-4', replayName: 'r'.repeat(64) };

/** The body of the SQS message a rule delivers for `entry` (Time set: it is in the entry's size). */
function deliveredBody(entry: BusEntry): string {
  const envelope = toEnvelope({ ...entry, time: new Date('2026-12-06T03:00:00Z') }, { ...WORST, receivedAt: new Date(0), resources: [] });
  return JSON.stringify(envelope);
}

/** SQS counts the body and each attribute's name, data type and value. */
function deadLetterBytes(body: string): number {
  const attributes = { reason: ['String', 'x'.repeat(1024)], origin: ['String', 'ingest'], messageId: ['String', WORST.id] } as const;
  let size = Buffer.byteLength(body);
  for (const [name, [type, value]] of Object.entries(attributes)) size += Buffer.byteLength(name) + Buffer.byteLength(type) + Buffer.byteLength(value);
  return size;
}

function pod(name: string, labelBytes: number): PodUpsert['pod'] {
  const labels: Record<string, string> = { 'app.kubernetes.io/name': 'kafka' };
  for (let i = 0; labelBytes > 0; i++, labelBytes -= 100) labels[`example.com/label-${i}`] = 'v'.repeat(Math.min(63, Math.max(1, labelBytes - 37)));
  return { name, uid: `uid-${name}`, labels, ips: ['10.244.1.17'], hostname: name, ready: true, terminating: false, ports: [] };
}

function snapshot(pods: number, labelBytes: number): NamespaceSnapshot {
  const names = Array.from({ length: pods }, (_, i) => `kafka-${i}`);
  return {
    cluster: 'a'.repeat(63), namespace: 'n'.repeat(63), v: V, snapshotId: V, part: 1, parts: 1,
    keys: names.map((n) => `pod/${n}`),
    pods: names.map((n) => ({ v: V, record: pod(n, labelBytes) })),
    services: [],
  };
}

describe('snapshot parts keep a margin for the envelope (finding 7)', () => {
  it('every part of a large snapshot, filled to within one record of its limit, is delivered and dead-lettered within 1 MiB', () => {
    const entries = toBusEntries({ type: DETAIL_TYPES.snapshot, detail: snapshot(5_000, 100) });
    expect(entries.length).toBeGreaterThanOrEqual(2);
    const recordBytes = Buffer.byteLength(JSON.stringify(snapshot(1, 100).pods[0]));
    // The first part is full: adding one more record would have passed the limit.
    expect(entrySize({ ...entries[0]!, time: new Date() }) + recordBytes + 1).toBeGreaterThan(MAX_PUBLISHED_ENTRY_BYTES);
    for (const entry of entries) {
      const body = deliveredBody(entry);
      expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_SQS_MESSAGE_BYTES);
      expect(deadLetterBytes(body)).toBeLessThanOrEqual(MAX_SQS_MESSAGE_BYTES);
    }
  });

  it('an event of exactly the publishable limit is delivered within 1 MiB; one byte more is refused with EntryTooLargeError', () => {
    const base: GnsEvent = { type: DETAIL_TYPES.podUpsert, detail: { cluster: 'a'.repeat(63), namespace: 'n'.repeat(63), v: V, pod: { ...pod('kafka-0', 0), hostname: '' } } };
    const size = (e: GnsEvent) => entrySize({ ...toBusEntries(e, Number.MAX_SAFE_INTEGER)[0]!, time: new Date() });
    const withHostname = (n: number): GnsEvent => ({ ...base, detail: { ...base.detail, pod: { ...base.detail.pod, hostname: 'h'.repeat(n) } } } as GnsEvent);
    // hostname is free text up to 253 chars; grow a label value instead to reach the limit.
    const fill = MAX_PUBLISHED_ENTRY_BYTES - size(withHostname(0));
    const labels: Record<string, string> = {};
    let left = fill;
    for (let i = 0; left > 0; i++) {
      const key = `l${String(i).padStart(6, '0')}`;
      const overhead = Buffer.byteLength(`,"${key}":""`);
      const value = Math.min(63, left - overhead);
      if (value < 0) break;
      labels[key] = 'v'.repeat(value);
      left -= overhead + value;
    }
    const exact: GnsEvent = { ...base, detail: { ...base.detail, pod: { ...base.detail.pod, labels: { ...base.detail.pod.labels, ...labels }, hostname: 'h'.repeat(left) } } } as GnsEvent;
    expect(size(exact)).toBe(MAX_PUBLISHED_ENTRY_BYTES);
    const [entry] = toBusEntries(exact);
    expect(Buffer.byteLength(deliveredBody(entry!))).toBeLessThanOrEqual(MAX_SQS_MESSAGE_BYTES);
    expect(deadLetterBytes(deliveredBody(entry!))).toBeLessThanOrEqual(MAX_SQS_MESSAGE_BYTES);
    const over = { ...exact, detail: { ...exact.detail, pod: { ...(exact.detail as PodUpsert).pod, hostname: 'h'.repeat(left + 1) } } } as GnsEvent;
    expect(() => toBusEntries(over)).toThrow(EntryTooLargeError);
  });
});
