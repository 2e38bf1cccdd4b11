// The event contract's cost: parsing a delivered event (what the ingest function does per
// record), serializing one, and splitting a 10,000-pod namespace snapshot into 1 MB entries.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toEnvelope } from '../shared/schemas/envelope.ts';
import { DETAIL_TYPES } from '../shared/schemas/events.ts';
import type { GnsEvent, NamespaceSnapshot, PodUpsert } from '../shared/schemas/events.ts';
import { parseBusEvent } from '../shared/schemas/parse.ts';
import { toBusEntries } from '../shared/schemas/serialize.ts';

/** Median wall time in ms of `fn` over `runs` runs, after one warm-up. */
function time(runs: number, fn: () => void): number {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] as number;
}

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../test/fixtures/events/pod-upsert.json'), 'utf8')) as Record<string, unknown>;
  const body = JSON.stringify(fixture);
  const n = 10_000;

  const parseMs = time(5, () => {
    for (let i = 0; i < n; i++) if (!parseBusEvent(body).ok) throw new Error('fixture must parse');
  });
  const parsed = parseBusEvent(fixture);
  if (!parsed.ok) throw new Error(parsed.reason);
  const serializeMs = time(5, () => {
    for (let i = 0; i < n; i++) toBusEntries(parsed.event);
  });
  log(`parse ${n} pod upserts (JSON text): ${parseMs.toFixed(1)} ms; serialize ${n}: ${serializeMs.toFixed(1)} ms`);

  const pod = (parsed.event.detail as PodUpsert).pod;
  const pods = Array.from({ length: 10_000 }, (_, i) => ({ v: '001764363600000.000001', record: { ...pod, name: `kafka-${i}`, uid: `uid-${i}` } }));
  const snapshot: NamespaceSnapshot = {
    cluster: 'clusterOne', namespace: 'ns-one', v: '001764364200000.000000', observedAt: 1_764_364_200_000, snapshotId: 's', part: 1, parts: 1,
    keys: pods.map((p) => `pod/${p.record.name}`), pods, services: [],
  };
  const event: GnsEvent = { type: DETAIL_TYPES.snapshot, detail: snapshot };
  let parts = 0;
  const splitMs = time(5, () => {
    parts = toBusEntries(event).length;
  });
  const entries = toBusEntries(event);
  const roundTripMs = time(3, () => {
    for (const entry of entries) {
      if (!parseBusEvent(toEnvelope(entry, { id: 'x', account: '1', region: 'r', receivedAt: new Date(0) })).ok) throw new Error('part must parse');
    }
  });
  log(`10,000-pod snapshot → ${parts} entries in ${splitMs.toFixed(1)} ms; delivering and parsing them: ${roundTripMs.toFixed(1)} ms`);

  return {
    'schemas.parse_us_per_event': (parseMs * 1000) / n,
    'schemas.serialize_us_per_event': (serializeMs * 1000) / n,
    'schemas.snapshot_10k_split_ms': splitMs,
    'schemas.snapshot_10k_parts': parts,
    'schemas.snapshot_10k_parse_ms': roundTripMs,
  };
}
