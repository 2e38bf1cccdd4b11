// PutEvents entries: the size as EventBridge calculates it, the 1 MB limit, snapshot splitting.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FinalError } from '../../shared/errors.ts';
import type { BusEntry } from '../../shared/ports.ts';
import { DETAIL_TYPES, sourceOf } from '../../shared/schemas/events.ts';
import type { GnsEvent, NamespaceSnapshot, PodUpsert } from '../../shared/schemas/events.ts';
import { toEnvelope } from '../../shared/schemas/envelope.ts';
import { parseBusEvent } from '../../shared/schemas/parse.ts';
import { chunk, EntryTooLargeError, entrySize, MAX_ENTRY_BYTES, MAX_PUBLISHED_ENTRY_BYTES, splitSnapshot, toBusEntries } from '../../shared/schemas/serialize.ts';
import { deepFreeze } from './helpers.ts';

const V = '001764364200000.000000';

function pod(name: string, extraLabels = 0): PodUpsert['pod'] {
  const labels: Record<string, string> = { 'app.kubernetes.io/name': 'kafka' };
  for (let i = 0; i < extraLabels; i++) labels[`example.com/label-${i}`] = 'v'.repeat(63);
  return { name, uid: `uid-${name}`, labels, ips: ['10.244.1.17'], hostname: name, ready: true, terminating: false, ports: [{ name: 'tcp-client', containerPort: 9092, protocol: 'TCP' }], controller: { kind: 'StatefulSet', name: 'kafka' } };
}

function snapshot(pods: number, extraLabels = 0): NamespaceSnapshot {
  const names = Array.from({ length: pods }, (_, i) => `kafka-${i}`);
  return {
    cluster: 'clusterOne',
    namespace: 'ns-one',
    v: V,
    observedAt: 1_764_364_200_000,
    snapshotId: `clusterOne/ns-one/${V}`,
    part: 1,
    parts: 1,
    keys: names.map((n) => `pod/${n}`),
    pods: names.map((n) => ({ v: '001764363600000.000001', record: pod(n, extraLabels) })),
    services: [],
  };
}

const snapshotEvent = (detail: NamespaceSnapshot): GnsEvent => ({ type: DETAIL_TYPES.snapshot, detail });

/** Delivers an entry as EventBridge would and parses it as the ingest function does. */
function deliver(entry: BusEntry): GnsEvent {
  const result = parseBusEvent(toEnvelope(entry, { id: 'e-1', account: '111122223333', region: 'eu-west-1', receivedAt: new Date(0) }));
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe('entrySize: the PutEvents entry size as AWS documents it', () => {
  const entry: BusEntry = { source: 'gns-sync.io/cluster/a', detailType: 'x.v1', detail: '{"k":"é"}' };

  it('counts the UTF-8 bytes of source, detail-type and detail', () => {
    expect(entrySize(entry)).toBe(21 + 4 + 10);
  });

  it('adds 14 bytes for Time when set, and the UTF-8 bytes of each resource', () => {
    expect(entrySize({ ...entry, time: new Date() })).toBe(35 + 14);
    expect(entrySize({ ...entry, resources: ['arn:aws:x', '🙂'] })).toBe(35 + 9 + 4);
  });
});

describe('toBusEntries', () => {
  it('one entry with the cluster\'s own source, the detail-type and the detail as JSON', () => {
    const event: GnsEvent = deepFreeze({ type: DETAIL_TYPES.podDelete, detail: { cluster: 'clusterTwo', namespace: 'ns-one', v: V, observedAt: 1, name: 'kafka-1', uid: 'u' } });
    expect(toBusEntries(event)).toEqual([{ source: sourceOf('clusterTwo'), detailType: 'gns-sync.pod.delete.v2', detail: JSON.stringify(event.detail) }]);
  });

  it('a snapshot that fits stays one entry, unchanged', () => {
    const detail = deepFreeze(snapshot(50));
    const entries = toBusEntries(snapshotEvent(detail));
    expect(entries).toHaveLength(1);
    expect(deliver(entries[0]!).detail).toEqual(detail);
  });

  it('a snapshot over 1 MB is split into parts of at most 1 MB (Time included) that each parse', () => {
    const detail = deepFreeze(snapshot(2_000, 10));
    expect(JSON.stringify(detail).length).toBeGreaterThan(2 * MAX_ENTRY_BYTES);
    const entries = toBusEntries(snapshotEvent(detail));
    expect(entries.length).toBeGreaterThanOrEqual(3);
    for (const entry of entries) expect(entrySize({ ...entry, time: new Date() })).toBeLessThanOrEqual(MAX_ENTRY_BYTES);
    const parts = entries.map((e) => deliver(e).detail as NamespaceSnapshot);
    expect(parts.map((p) => [p.part, p.parts])).toEqual(parts.map((_, i) => [i + 1, parts.length]));
    for (const part of parts) {
      expect(part.keys).toEqual(detail.keys);
      expect([part.snapshotId, part.v, part.cluster, part.namespace]).toEqual([detail.snapshotId, detail.v, detail.cluster, detail.namespace]);
    }
    expect(parts.flatMap((p) => p.pods)).toEqual(detail.pods);
  });

  it('any other event over 1 MB is an EntryTooLargeError (final: it is not published)', () => {
    const event: GnsEvent = { type: DETAIL_TYPES.podUpsert, detail: { cluster: 'clusterOne', namespace: 'ns-one', v: V, pod: pod('kafka-0', 12_000) } };
    let error: unknown;
    try {
      toBusEntries(event);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EntryTooLargeError);
    expect(error).toBeInstanceOf(FinalError);
    const tooLarge = error as EntryTooLargeError;
    expect(tooLarge.name).toBe('EntryTooLargeError');
    expect(tooLarge.limitBytes).toBe(MAX_PUBLISHED_ENTRY_BYTES);
    expect(tooLarge.sizeBytes).toBeGreaterThan(MAX_PUBLISHED_ENTRY_BYTES);
    expect(tooLarge.message).toMatch(/^gns-sync\.pod\.upsert\.v2 event of \d+ bytes exceeds the entry limit of 1044480 bytes \(PutEvents' 1 MB less room for the envelope\): only namespace snapshots can be split; the event is not published$/);
  });

  it('an event of exactly the limit (Time included) fits; one byte more does not', () => {
    const event: GnsEvent = { type: DETAIL_TYPES.podDelete, detail: { cluster: 'c', namespace: 'n', v: V, observedAt: 1, name: 'p', uid: 'u' } };
    const size = entrySize({ ...toBusEntries(event)[0]!, time: new Date() });
    expect(toBusEntries(event, size)).toHaveLength(1);
    expect(() => toBusEntries(event, size - 1)).toThrow(EntryTooLargeError);
  });
});

describe('splitSnapshot', () => {
  it('packs parts up to the limit exactly', () => {
    const detail = snapshot(30);
    const limit = 2_000;
    const parts = splitSnapshot(detail, limit);
    const sizes = parts.map((p) => entrySize({ ...toBusEntries(snapshotEvent(p), limit)[0]!, time: new Date() }));
    for (const size of sizes) expect(size).toBeLessThanOrEqual(limit);
    // Greedy: no part but the last could have taken the next part's first record.
    const recordBytes = JSON.stringify(detail.pods[0]).length + 1;
    for (const size of sizes.slice(0, -1)) expect(size + recordBytes).toBeGreaterThan(limit - 8);
  });

  it('splits services too, after the pods, in order', () => {
    const base = snapshot(3);
    const service = { v: V, record: { name: 'kafka-headless', uid: 's', annotations: {}, publishNotReadyAddresses: false, ports: [] } };
    const detail: NamespaceSnapshot = { ...base, keys: [...base.keys, 'service/kafka-headless'], services: [service, service, service] };
    const parts = splitSnapshot(detail, 1_000);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.flatMap((p) => p.pods)).toEqual(detail.pods);
    expect(parts.flatMap((p) => p.services)).toEqual(detail.services);
  });

  it('an empty namespace is one part', () => {
    const detail = snapshot(0);
    expect(splitSnapshot(detail, 1_000)).toEqual([detail]);
  });

  it('a key list too large for one entry cannot be split: EntryTooLargeError', () => {
    expect(() => splitSnapshot(snapshot(200), 3_000)).toThrow(/its key list alone takes \d+ bytes and every part must carry it/);
  });

  it('one record too large for a part: EntryTooLargeError', () => {
    const detail = { ...snapshot(2), pods: [{ v: V, record: pod('kafka-0', 40) }, { v: V, record: pod('kafka-1') }] };
    expect(() => splitSnapshot(detail, 2_000)).toThrow(/one pod record takes \d+ bytes/);
  });

  it('more than 1000 parts: EntryTooLargeError', () => {
    // A small key list (the split does not check it against the records) and one record per part.
    const detail = { ...snapshot(1_001), keys: [] };
    const limit = entrySize({ ...toBusEntries(snapshotEvent({ ...detail, pods: detail.pods.slice(0, 1) }))[0]!, time: new Date() }) + 20;
    expect(() => splitSnapshot(detail, limit)).toThrow(/it would need 1001 parts \(at most 1000\)/);
    expect(splitSnapshot({ ...detail, pods: detail.pods.slice(0, 1_000) }, limit)).toHaveLength(1_000);
  });

  it('property: parts fit, keep every record in order, carry the full key list, and each parses', () => {
    const detailArb = fc.record({
      pods: fc.integer({ min: 0, max: 40 }),
      labels: fc.integer({ min: 0, max: 6 }),
      limit: fc.integer({ min: 2_500, max: 20_000 }),
    });
    fc.assert(
      fc.property(detailArb, ({ pods, labels, limit }) => {
        const detail = deepFreeze(snapshot(pods, labels));
        let parts: NamespaceSnapshot[];
        try {
          parts = splitSnapshot(detail, limit);
        } catch (error) {
          // Only when one record (with the key list) cannot fit at all.
          expect(error).toBeInstanceOf(EntryTooLargeError);
          return;
        }
        expect(parts.flatMap((p) => p.pods)).toEqual(detail.pods);
        for (const [i, part] of parts.entries()) {
          expect(part.keys).toBe(detail.keys);
          expect([part.part, part.parts]).toEqual(parts.length === 1 ? [detail.part, detail.parts] : [i + 1, parts.length]);
          const [entry] = toBusEntries(snapshotEvent(part), limit);
          expect(entrySize({ ...entry!, time: new Date() })).toBeLessThanOrEqual(limit);
          expect(deliver(entry!).detail).toEqual(part);
        }
      }),
      { numRuns: 300, seed: 2026 },
    );
  });
});

describe('chunk', () => {
  it.each([
    [0, []],
    [3, [3]],
    [10, [10]],
    [25, [10, 10, 5]],
  ])('%i entries → batches of %j', (n, sizes) => {
    expect(chunk(Array.from({ length: n }, (_, i) => i)).map((b) => b.length)).toEqual(sizes);
  });

  it('keeps order and takes other sizes', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it.each([0, -1, 1.5])('refuses a batch size of %d', (size) => {
    expect(() => chunk([1], size)).toThrow(RangeError);
  });
});
