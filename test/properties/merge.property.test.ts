// Property (a): merging is commutative and idempotent. Any permutation of an agent's event
// history, with duplicates, gives the same state as in-order delivery — and that state shows
// exactly the objects the agent last saw. Snapshots make missed events converge.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../shared/core/canonical-json.ts';
import { emptyNamespaceState, mergeEvent, mergeEvents, visiblePods, visibleServices } from '../../shared/core/merge.ts';
import type { NamespaceState, PodRecord, ServiceRecord } from '../../shared/core/types.ts';
import type { GnsEvent } from '../../shared/schemas/events.ts';
import { deepFreeze, pod, podDelete, podUpsert, service, serviceDelete, serviceUpsert, snapshot } from '../unit/core/factories.ts';

type Command =
  | { readonly op: 'pod'; readonly name: string; readonly recreate: boolean; readonly ready: boolean }
  | { readonly op: 'pod-delete'; readonly name: string; readonly returning: boolean }
  | { readonly op: 'service'; readonly name: string; readonly publishNotReady: boolean }
  | { readonly op: 'service-delete'; readonly name: string }
  | { readonly op: 'snapshot'; readonly parts: number };

const POD_NAMES = ['kafka-0', 'kafka-1', 'kafka-2'];
const SERVICE_NAMES = ['kafka-headless', 'zk-headless'];

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ op: fc.constant('pod' as const), name: fc.constantFrom(...POD_NAMES), recreate: fc.boolean(), ready: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pod-delete' as const), name: fc.constantFrom(...POD_NAMES), returning: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('service' as const), name: fc.constantFrom(...SERVICE_NAMES), publishNotReady: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('service-delete' as const), name: fc.constantFrom(...SERVICE_NAMES) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('snapshot' as const), parts: fc.integer({ min: 1, max: 3 }) }) },
);

interface Run {
  readonly events: GnsEvent[];
  /** Index of the first event of the last snapshot (all its parts are consecutive), or -1. */
  readonly lastSnapshotAt: number;
  readonly pods: PodRecord[];
  readonly services: ServiceRecord[];
}

/** Play commands as one agent would: versions increase; deletes only for objects present. */
function play(commands: readonly Command[]): Run {
  const pods = new Map<string, { v: number; record: PodRecord }>();
  const services = new Map<string, { v: number; record: ServiceRecord }>();
  const events: GnsEvent[] = [];
  let clock = 1000;
  let uids = 0;
  let lastSnapshotAt = -1;
  for (const c of commands) {
    clock++;
    switch (c.op) {
      case 'pod': {
        const current = pods.get(c.name);
        const uid = current === undefined || c.recreate ? `uid-${++uids}` : current.record.uid;
        if (current !== undefined && c.recreate) events.push(podDelete(clock++, c.name, current.record.uid));
        const record = pod(c.name, { uid, ready: c.ready, ips: [`10.0.0.${uids}`] });
        pods.set(c.name, { v: clock, record });
        events.push(podUpsert(clock, record));
        break;
      }
      case 'pod-delete': {
        const current = pods.get(c.name);
        if (current === undefined) break;
        pods.delete(c.name);
        const deleted = podDelete(clock, c.name, current.record.uid);
        // A restart's deletion says the pod returns (ADR 19): the tombstone keeps it, and merging stays order-free.
        events.push(c.returning ? ({ ...deleted, detail: { ...deleted.detail, returning: true } } as GnsEvent) : deleted);
        break;
      }
      case 'service': {
        const record = service(c.name, { publishNotReadyAddresses: c.publishNotReady });
        services.set(c.name, { v: clock, record });
        events.push(serviceUpsert(clock, record));
        break;
      }
      case 'service-delete':
        if (!services.delete(c.name)) break;
        events.push(serviceDelete(clock, c.name));
        break;
      case 'snapshot': {
        const keys = [...[...pods.keys()].map((n) => `pod/${n}`), ...[...services.keys()].map((n) => `service/${n}`)];
        const podList = [...pods.values()].map((p) => ({ ms: p.v, pod: p.record }));
        const serviceList = [...services.values()].map((s) => ({ ms: s.v, service: s.record }));
        lastSnapshotAt = events.length;
        for (let part = 1; part <= c.parts; part++) {
          const share = <T>(list: readonly T[]) => list.filter((_, i) => i % c.parts === part - 1);
          events.push(snapshot({ ms: clock, keys, part, parts: c.parts, pods: share(podList), services: share(serviceList) }));
        }
        break;
      }
    }
  }
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : 1);
  return {
    events: events.map(deepFreeze),
    lastSnapshotAt,
    pods: [...pods.values()].map((p) => p.record).sort(byName),
    services: [...services.values()].map((s) => s.record).sort(byName),
  };
}

/** The whole stored state in a comparable form (not only the visible part). */
function normal(state: NamespaceState): unknown {
  return {
    scope: state.scope,
    snapshotV: state.snapshotV,
    listed: [...state.listed].sort(),
    entries: [...state.entries].map(([k, e]) => `${k}=${canonicalJson(e)}`).sort(),
  };
}

const mergeAll = (events: readonly GnsEvent[]): NamespaceState =>
  events.reduce((s, e) => deepFreeze(mergeEvent(s, e)), deepFreeze(emptyNamespaceState()));

/** A delivery: the events reordered by sort keys, then some delivered again anywhere. */
function deliver<T>(events: readonly T[], order: readonly number[], duplicates: readonly number[]): T[] {
  const keyed = events.map((e, i) => ({ e, k: order[i] ?? i, i }));
  keyed.sort((a, b) => a.k - b.k || a.i - b.i);
  const out = keyed.map((x) => x.e);
  for (const d of duplicates) {
    if (events.length === 0) break;
    const e = events[d % events.length] as T;
    out.splice(d % (out.length + 1), 0, e);
  }
  return out;
}

const history = fc.array(command, { minLength: 1, maxLength: 25 });
const order = fc.array(fc.nat({ max: 1000 }), { maxLength: 40 });
const duplicates = fc.array(fc.nat({ max: 1000 }), { maxLength: 10 });

describe('merge properties', () => {
  it('in-order delivery shows exactly what the agent last saw', () => {
    fc.assert(
      fc.property(history, (commands) => {
        const run = play(commands);
        const state = mergeAll(run.events);
        expect(visiblePods(state)).toEqual(run.pods);
        expect(visibleServices(state)).toEqual(run.services);
      }),
      { numRuns: 1000 },
    );
  });

  it('any permutation with duplicates merges to the same state as in-order delivery', () => {
    fc.assert(
      fc.property(history, order, duplicates, (commands, o, d) => {
        const run = play(commands);
        const inOrder = mergeAll(run.events);
        const shuffled = mergeAll(deliver(run.events, o, d));
        expect(normal(shuffled)).toEqual(normal(inOrder));
        expect(visiblePods(shuffled)).toEqual(run.pods);
        expect(visibleServices(shuffled)).toEqual(run.services);
        // Merging the whole history again changes nothing (idempotence), in one batch too.
        expect(normal(mergeEvents(shuffled, run.events))).toEqual(normal(inOrder));
      }),
      { numRuns: 1000 },
    );
  });

  it('the last snapshot and what follows it converge, whichever earlier events were lost', () => {
    fc.assert(
      fc.property(history, fc.array(fc.boolean(), { maxLength: 60 }), order, (commands, lost, o) => {
        const run = play([...commands, { op: 'snapshot', parts: 2 }, ...commands.slice(0, 3)]);
        const kept = run.events.filter((_, i) => i >= run.lastSnapshotAt || !lost[i]);
        const state = mergeAll(deliver(kept, o, []));
        expect(visiblePods(state)).toEqual(run.pods);
        expect(visibleServices(state)).toEqual(run.services);
      }),
      { numRuns: 1000 },
    );
  });
});
