// A pod delete may say the pod returns (docs/adr/0019-a-restart-keeps-its-routing.md): an
// optional v2 field, so v2 events without it and every v1 event stay accepted; the stored
// tombstone keeps it with the time the deletion was observed, and merging stays order-free.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyNamespaceState, mergeEvents, visiblePods } from '../../shared/core/merge.ts';
import { returningPods } from '../../shared/core/returning.ts';
import { formatHlc } from '../../shared/core/hlc.ts';
import type { GnsEvent } from '../../shared/schemas/events.ts';
import { parseBusEvent } from '../../shared/schemas/parse.ts';
import { EVENT_FIXTURES, readJson } from './helpers.ts';

const returning = readJson(EVENT_FIXTURES, 'pod-delete-returning.json');
const plain = readJson(EVENT_FIXTURES, 'pod-delete.json');
const v1 = readJson(join(EVENT_FIXTURES, 'v1'), 'pod-delete.json');
const detail = (e: Record<string, unknown>) => e.detail as Record<string, unknown>;
const parse = (e: unknown): GnsEvent => {
  const result = parseBusEvent(JSON.parse(JSON.stringify(e)));
  if (!result.ok) throw new Error(result.reason);
  return result.event;
};

describe('pod delete v2: the optional `returning`', () => {
  it('with it, without it, and v1 (which never has it) all parse; the flag is kept as sent', () => {
    expect(parse(returning).detail).toMatchObject({ name: 'kafka-0', returning: true });
    expect('returning' in parse(plain).detail).toBe(false);
    expect('returning' in parse(v1).detail).toBe(false);
    expect(parse({ ...returning, detail: { ...detail(returning), returning: false } }).detail).toMatchObject({ returning: false });
  });

  it.each([
    ['v2 with a non-boolean returning', { ...returning, detail: { ...detail(returning), returning: 'yes' } }, 'detail.returning'],
    ['v1 with returning (v1 is strict)', { ...v1, detail: { ...detail(v1), returning: true } }, 'returning'],
    ['a pod upsert with returning', { ...readJson(EVENT_FIXTURES, 'pod-upsert.json'), detail: { ...detail(readJson(EVENT_FIXTURES, 'pod-upsert.json')), returning: true } }, 'returning'],
  ])('%s is refused, naming the field', (_name, event, field) => {
    const result = parseBusEvent(JSON.parse(JSON.stringify(event)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(field);
  });
});

describe('the tombstone keeps it', () => {
  const scope = { cluster: 'clusterOne', namespace: 'ns-one' } as const;
  const v = (ms: number) => formatHlc(1_764_366_000_000 + ms, 0);
  const upsert = (ms: number): GnsEvent => ({ type: 'gns-sync.pod.upsert.v2', detail: { ...scope, v: v(ms), observedAt: 1_764_366_000_000 + ms, pod: { name: 'kafka-0', uid: `u${ms}`, labels: {}, ips: ['10.0.0.1'], ready: true, terminating: false, ports: [], controller: { kind: 'StatefulSet', name: 'kafka' } } } });
  const del = (ms: number, extra: { returning?: boolean; observedAt?: number } = { observedAt: 1_764_366_000_000 + ms + 7 }): GnsEvent => ({ type: 'gns-sync.pod.delete.v2', detail: { ...scope, v: v(ms), name: 'kafka-0', uid: 'u', ...extra } });

  it('with the observation time (never later than the version\'s wall clock); without observedAt, the version\'s wall clock; not returning: none', () => {
    expect(returningPods(mergeEvents(emptyNamespaceState(), [upsert(1), del(2, { returning: true, observedAt: 1_764_366_000_001 })]).entries)).toEqual([{ name: 'kafka-0', since: 1_764_366_000_001 }]);
    expect(returningPods(mergeEvents(emptyNamespaceState(), [upsert(1), del(2, { returning: true, observedAt: 1_764_366_999_999 })]).entries)).toEqual([{ name: 'kafka-0', since: 1_764_366_000_002 }]);
    expect(returningPods(mergeEvents(emptyNamespaceState(), [del(2, { returning: true })]).entries)).toEqual([{ name: 'kafka-0', since: 1_764_366_000_002 }]);
    expect(returningPods(mergeEvents(emptyNamespaceState(), [upsert(1), del(2)]).entries)).toEqual([]);
  });

  it('the pod back (a newer upsert) ends it; a late old delete does not bring it back; any order gives the same state', () => {
    const events = [upsert(1), del(2, { returning: true, observedAt: 5 }), upsert(3)];
    for (const order of [events, [...events].reverse(), [events[2]!, events[0]!, events[1]!]]) {
      const state = mergeEvents(emptyNamespaceState(), order);
      expect(returningPods(state.entries)).toEqual([]);
      expect(visiblePods(state).map((p) => p.uid)).toEqual(['u3']);
    }
  });

  it('two tombstones of one version (a duplicate, one flagged): the flagged one wins in either order', () => {
    const flagged = del(2, { returning: true, observedAt: 9 });
    const unflagged = del(2, { observedAt: 9 });
    const a = mergeEvents(emptyNamespaceState(), [flagged, unflagged]);
    const b = mergeEvents(emptyNamespaceState(), [unflagged, flagged]);
    expect(returningPods(a.entries)).toEqual([{ name: 'kafka-0', since: 9 }]);
    expect(returningPods(b.entries)).toEqual(returningPods(a.entries));
  });
});
