import { describe, expect, it } from 'vitest';
import {
  emptyNamespaceState, entryKey, isNewer, isVisible, MergeScopeError, mergeEvent, mergeEvents, visiblePods, visibleServices,
} from '../../../shared/core/merge.ts';
import type { NamespaceState } from '../../../shared/core/types.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import { deepFreeze, pod, podDelete, podUpsert, service, serviceDelete, serviceUpsert, snapshot, v } from './factories.ts';

/** Merge events one by one from a frozen state, freezing every intermediate state. */
function merge(events: readonly GnsEvent[], from: NamespaceState = emptyNamespaceState()): NamespaceState {
  return events.reduce((s, e) => deepFreeze(mergeEvent(s, deepFreeze(e))), deepFreeze(from));
}
const podNames = (s: NamespaceState) => visiblePods(s).map((p) => `${p.name}:${p.uid}`);

describe('entry rule', () => {
  it('entryKey', () => {
    expect(entryKey('pod', 'kafka-0')).toBe('pod/kafka-0');
    expect(entryKey('service', 'kafka')).toBe('service/kafka');
  });

  it.each([
    ['anything beats nothing', { v: v(1) }, undefined, true],
    ['a greater version wins', { v: v(2) }, { v: v(1), record: pod('a') }, true],
    ['a smaller version loses', { v: v(1), record: pod('a') }, { v: v(2) }, false],
    ['equal: a tombstone beats a record', { v: v(1) }, { v: v(1), record: pod('a') }, true],
    ['equal: a record loses to a tombstone', { v: v(1), record: pod('a') }, { v: v(1) }, false],
    ['equal: two tombstones are the same', { v: v(1) }, { v: v(1) }, false],
    ['equal: the same record is not newer', { v: v(1), record: pod('a') }, { v: v(1), record: pod('a') }, false],
    ['equal: the greater canonical JSON wins', { v: v(1), record: pod('a', { uid: 'b' }) }, { v: v(1), record: pod('a', { uid: 'a' }) }, true],
    ['equal: the smaller canonical JSON loses', { v: v(1), record: pod('a', { uid: 'a' }) }, { v: v(1), record: pod('a', { uid: 'b' }) }, false],
  ] as const)('%s', (_, candidate, current, expected) => {
    expect(isNewer(candidate, current)).toBe(expected);
  });

  it.each([
    ['a tombstone is never visible', { v: v(5) }, undefined, [], false],
    ['without a snapshot every record is visible', { v: v(1), record: pod('a') }, undefined, [], true],
    ['listed by the snapshot', { v: v(1), record: pod('a') }, v(5), ['pod/a'], true],
    ['newer than the snapshot', { v: v(6), record: pod('a') }, v(5), [], true],
    ['older than the snapshot and not listed', { v: v(4), record: pod('a') }, v(5), ['pod/b'], false],
    ['as old as the snapshot and not listed', { v: v(5), record: pod('a') }, v(5), [], false],
  ] as const)('isVisible: %s', (_, entry, snapshotV, listed, expected) => {
    expect(isVisible('pod/a', entry, snapshotV, new Set(listed))).toBe(expected);
  });
});

describe('mergeEvent', () => {
  it('adds, updates and deletes by version', () => {
    const s = merge([podUpsert(1, pod('a')), podUpsert(2, pod('b')), podUpsert(3, pod('a', { ready: false })), podDelete(4, 'b')]);
    expect(visiblePods(s)).toEqual([pod('a', { ready: false })]);
    expect(s.scope).toEqual({ cluster: 'clusterOne', namespace: 'ns-one' });
  });

  it('ignores a stale upsert and returns the very same state', () => {
    const s = merge([podUpsert(5, pod('a', { ready: false }))]);
    expect(mergeEvent(s, podUpsert(4, pod('a')))).toBe(s);
    expect(mergeEvent(s, podUpsert(5, pod('a', { ready: false })))).toBe(s);
  });

  it('recreated pod: a late DELETE of the old uid does not remove the new pod', () => {
    const events = [podUpsert(1, pod('a', { uid: 'old' })), podUpsert(3, pod('a', { uid: 'new' })), podDelete(2, 'a', 'old')];
    expect(podNames(merge(events))).toEqual(['a:new']);
    expect(podNames(merge([...events].reverse()))).toEqual(['a:new']);
  });

  it('a delete before its upsert arrives keeps the pod deleted', () => {
    expect(podNames(merge([podDelete(2, 'a'), podUpsert(1, pod('a'))]))).toEqual([]);
  });

  it('snapshot: hides older unlisted entries (a missed delete) and merges its records', () => {
    const s = merge([
      podUpsert(1, pod('gone')),
      podUpsert(2, pod('kept')),
      snapshot({ ms: 10, pods: [{ ms: 2, pod: pod('kept') }, { ms: 9, pod: pod('new') }] }),
    ]);
    expect(podNames(s)).toEqual(['kept:uid-kept', 'new:uid-new']);
    expect(s.snapshotV).toBe(v(10));
  });

  it('snapshot: an event newer than the snapshot stays visible, whenever it arrives', () => {
    const snap = snapshot({ ms: 10, pods: [] });
    expect(podNames(merge([podUpsert(11, pod('late')), snap]))).toEqual(['late:uid-late']);
    expect(podNames(merge([snap, podUpsert(11, pod('late'))]))).toEqual(['late:uid-late']);
    expect(podNames(merge([snap, podUpsert(9, pod('stale'))]))).toEqual([]);
  });

  it('snapshot: an older snapshot does not replace a newer one', () => {
    const s = merge([snapshot({ ms: 10, keys: ['pod/a'] }), snapshot({ ms: 5, keys: ['pod/b'] })]);
    expect(s.snapshotV).toBe(v(10));
    expect([...s.listed]).toEqual(['pod/a']);
  });

  it('snapshot parts: each part is a valid merge and together they give the whole', () => {
    const keys = ['pod/a', 'pod/b', 'service/kafka-headless'];
    const p1 = snapshot({ ms: 10, keys, part: 1, parts: 2, pods: [{ ms: 1, pod: pod('a') }] });
    const p2 = snapshot({ ms: 10, keys, part: 2, parts: 2, pods: [{ ms: 2, pod: pod('b') }], services: [{ ms: 3, service: service() }] });
    const whole = merge([p1, p2]);
    expect(podNames(whole)).toEqual(['a:uid-a', 'b:uid-b']);
    expect(visibleServices(whole)).toEqual([service()]);
    expect(merge([p2, p1])).toEqual(whole);
    expect(podNames(merge([p1]))).toEqual(['a:uid-a']);
  });

  it('snapshots with equal versions join their key lists', () => {
    const a = snapshot({ ms: 10, keys: ['pod/a'] });
    const b = snapshot({ ms: 10, keys: ['pod/b'] });
    expect([...merge([a, b]).listed].sort()).toEqual(['pod/a', 'pod/b']);
    expect(merge([a, b])).toEqual(merge([b, a]));
  });

  it('services merge by the same rule', () => {
    const s = merge([serviceUpsert(1, service('x')), serviceUpsert(1, service('y')), serviceDelete(2, 'x')]);
    expect(visibleServices(s).map((x) => x.name)).toEqual(['y']);
    expect(visiblePods(s)).toEqual([]);
  });

  it('visible records come sorted by name', () => {
    const s = merge([podUpsert(1, pod('c')), podUpsert(2, pod('a')), podUpsert(3, pod('b'))]);
    expect(visiblePods(s).map((p) => p.name)).toEqual(['a', 'b', 'c']);
  });

  it('mergeEvents equals merging one by one', () => {
    const events = [podUpsert(1, pod('a')), podDelete(2, 'a'), podUpsert(3, pod('b')), snapshot({ ms: 4, keys: ['pod/b'] })];
    expect(mergeEvents(deepFreeze(emptyNamespaceState()), events.map(deepFreeze))).toEqual(merge(events));
  });

  it('an event of another member is a programming error and changes nothing', () => {
    const s = merge([podUpsert(1, pod('a'))]);
    expect(() => mergeEvent(s, podUpsert(2, pod('b'), 'ns-two'))).toThrow(MergeScopeError);
    expect(() => mergeEvent(s, podUpsert(2, pod('b'), 'ns-one', 'clusterTwo'))).toThrow(/clusterTwo\/ns-one into the state of clusterOne\/ns-one/);
    expect(() => mergeEvent(s, snapshot({ ms: 3, ns: 'ns-two' }))).toThrow(MergeScopeError);
    expect(podNames(s)).toEqual(['a:uid-a']);
  });
});
