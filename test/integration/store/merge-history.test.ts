// Acceptance (issue 4): a random history of 10,000 events applied by 8 concurrent writers,
// shuffled, with duplicates, leaves the same state as in-order application.
//
// Size: `npm test` runs 2,500 events (a quarter of the issue's, and a quarter of the time);
// `npm run test:full-size` (GNS_SYNC_TEST_FULL_SIZE=1) runs the 10,000. Both are the same
// generator and seed, and the test asserts that the history holds every kind of change at least
// 3 times in every member (single and two-part snapshots, Service upserts and deletes, pod
// deletes, pods created, recreated under a new uid, changed under the same uid), so the smaller
// history still takes every path of the merge, concurrently, shuffled and duplicated; the larger
// one repeats them.
//
// The history is what agents of two clusters would publish for four member namespaces: pods
// created, changed (IPs, readiness, labels), deleted and recreated under the same name with a
// new uid, a few annotated Services, and periodic namespace snapshots (some split in parts).
// The reference is the core's `mergeEvents` applied in order; the same history is also applied
// in order to a second table (in order within each member namespace, members side by side).
//
// Issue 10, case 3: the store garbage-collects tombstones when a snapshot arrives, which the
// core never does; a replay of old events afterwards must not resurrect what they deleted.
import { describe, expect, it } from 'vitest';
import { emptyNamespaceState, mergeEvent, mergeEvents, visiblePods, visibleServices } from '../../../shared/core/merge.ts';
import { localClient } from '../../../local/dynamo/start.ts';
import { countOps } from '../../../shared/adapters/dynamodb/op-counter.ts';
import { DynamoStateStore } from '../../../shared/adapters/dynamodb/state-store.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import { FULL_SIZE, hlc, pod, podDelete, podUpsert, prng, service, serviceDelete, serviceUpsert, shuffle, snapshot, useDynamo } from './helpers.ts';

const dynamo = useDynamo();

const MEMBERS = [
  { cluster: 'one', namespace: 'ns-one' },
  { cluster: 'one', namespace: 'ns-two' },
  { cluster: 'two', namespace: 'ns-one' },
  { cluster: 'two', namespace: 'ns-three' },
] as const;
const EVENTS = FULL_SIZE ? 10_000 : 2_500;
const WRITERS = 8;
const DUPLICATES = 0.1;

type Member = (typeof MEMBERS)[number];
type Pod = ReturnType<typeof pod>;
type Service = ReturnType<typeof service>;
/** The kinds of change the generator makes: each takes its own path through the merge. */
const KINDS = ['snapshot', 'two-part snapshot', 'service upsert', 'service delete', 'pod delete', 'pod created', 'pod recreated (new uid)', 'pod changed (same uid)'] as const;
type Kind = (typeof KINDS)[number];

/** One agent's view of a namespace, and the events it publishes. */
function history(seed: number): { events: GnsEvent[]; truth: Map<Member, { pods: Set<string>; services: Set<string> }>; kinds: Map<Member, Map<Kind, number>> } {
  const random = prng(seed);
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const events: GnsEvent[] = [];
  const truth = new Map<Member, { pods: Set<string>; services: Set<string> }>();
  const kinds = new Map<Member, Map<Kind, number>>(MEMBERS.map((m) => [m, new Map(KINDS.map((k) => [k, 0]))]));
  const made = (m: Member, kind: Kind) => kinds.get(m)?.set(kind, (kinds.get(m)?.get(kind) ?? 0) + 1);
  const state = MEMBERS.map((m) => ({
    m,
    clock: 0,
    pods: new Map<string, { v: string; record: Pod }>(),
    services: new Map<string, { v: string; record: Service }>(),
    uids: 0,
  }));
  const tick = (s: (typeof state)[number]) => hlc(++s.clock * 3, s.clock % 7);
  while (events.length < EVENTS) {
    const s = pick(state);
    const roll = random();
    const name = `kafka-${Math.floor(random() * 40)}`;
    const current = s.pods.get(name);
    if (roll < 0.03) {
      // A snapshot of everything present, with each record's last-change version; sometimes in two parts.
      const v = tick(s);
      const pods = [...s.pods.values()];
      const services = [...s.services.values()];
      const keys = [...[...s.pods.keys()].map((n) => `pod/${n}`), ...[...s.services.keys()].map((n) => `service/${n}`)];
      if (random() < 0.3 && pods.length > 1) {
        const half = Math.floor(pods.length / 2);
        events.push(snapshot(v, pods.slice(0, half), services, { part: 1, parts: 2, keys, s: s.m }));
        events.push(snapshot(v, pods.slice(half), [], { part: 2, parts: 2, keys, s: s.m }));
        made(s.m, 'two-part snapshot');
      } else {
        events.push(snapshot(v, pods, services, { keys, s: s.m }));
        made(s.m, 'snapshot');
      }
    } else if (roll < 0.07) {
      const svc = `svc-${Math.floor(random() * 3)}`;
      const v = tick(s);
      if (s.services.has(svc) && random() < 0.4) {
        s.services.delete(svc);
        events.push(serviceDelete(v, svc, s.m));
        made(s.m, 'service delete');
      } else {
        const record = service(svc, { publishNotReadyAddresses: random() < 0.5 });
        s.services.set(svc, { v, record });
        events.push(serviceUpsert(v, record, s.m));
        made(s.m, 'service upsert');
      }
    } else if (current && roll < 0.23) {
      const v = tick(s);
      s.pods.delete(name);
      events.push(podDelete(v, name, current.record.uid, s.m));
      made(s.m, 'pod delete');
    } else {
      const v = tick(s);
      const record = pod(name, {
        uid: current && random() > 0.1 ? current.record.uid : `uid-${name}-${++s.uids}`,
        ips: random() < 0.1 ? [] : [`10.${s.clock % 250}.${Math.floor(random() * 250)}.${Math.floor(random() * 250)}`],
        ready: random() < 0.8,
        labels: { app: random() < 0.9 ? 'kafka' : 'other' },
      });
      s.pods.set(name, { v, record });
      events.push(podUpsert(v, record, s.m));
      made(s.m, !current ? 'pod created' : current.record.uid === record.uid ? 'pod changed (same uid)' : 'pod recreated (new uid)');
    }
  }
  for (const s of state) truth.set(s.m, { pods: new Set(s.pods.keys()), services: new Set(s.services.keys()) });
  return { events, truth, kinds };
}

async function applyConcurrently(events: readonly GnsEvent[], stores: readonly DynamoStateStore[]): Promise<void> {
  let next = 0;
  await Promise.all(
    stores.map(async (store) => {
      while (next < events.length) {
        const event = events[next++] as GnsEvent;
        await store.merge(event);
      }
    }),
  );
}

describe('merge history (acceptance)', () => {
  it(`${EVENTS} events by ${WRITERS} concurrent writers, shuffled, with duplicates, leave the in-order state`, { timeout: FULL_SIZE ? 600_000 : 120_000 }, async () => {
    const { events, truth, kinds } = history(42);
    // Every kind of change, several times in every member: the history's size does not decide what it covers.
    for (const m of MEMBERS) for (const kind of KINDS) expect(kinds.get(m)?.get(kind), `${kind} in ${m.cluster}/${m.namespace}`).toBeGreaterThanOrEqual(3);
    const random = prng(7);
    const delivered = shuffle([...events, ...events.filter(() => random() < DUPLICATES)], random);

    const shuffledTable = await dynamo.freshTable();
    const clients = Array.from({ length: WRITERS }, () => localClient(dynamo.engine().endpoint));
    const counters = clients.map((c) => countOps(c));
    const stores = clients.map((client) => new DynamoStateStore({ client, tableName: shuffledTable }));
    const t0 = performance.now();
    await applyConcurrently(delivered, stores);
    const t1 = performance.now();

    const inOrderTable = await dynamo.freshTable();
    const inOrder = new DynamoStateStore({ client: dynamo.engine().client, tableName: inOrderTable });
    // In order within each member (state is keyed by member, so members run side by side).
    await Promise.all(MEMBERS.map(async (m) => {
      for (const event of events) if (event.detail.cluster === m.cluster && event.detail.namespace === m.namespace) await inOrder.merge(event);
    }));
    console.log(`concurrent ${Math.round(t1 - t0)} ms, in order ${Math.round(performance.now() - t1)} ms`);

    const writes = counters.reduce((a, c) => a + c.writes(), 0);
    const reads = counters.reduce((a, c) => a + c.reads(), 0);
    console.log(`merge history: ${delivered.length} deliveries, ${writes} writes, ${reads} reads (snapshot GC queries)`);
    for (const c of clients) c.destroy();

    for (const m of MEMBERS) {
      const scoped = events.filter((e) => e.detail.cluster === m.cluster && e.detail.namespace === m.namespace);
      const reference = mergeEvents(emptyNamespaceState(), scoped);
      const expectedPods = visiblePods(reference);
      const expectedServices = visibleServices(reference);
      // The generator's own truth: what the namespace holds at the end.
      expect(new Set(expectedPods.map((p) => p.name))).toEqual(truth.get(m)?.pods);
      expect(new Set(expectedServices.map((s) => s.name))).toEqual(truth.get(m)?.services);
      for (const store of [stores[0] as DynamoStateStore, inOrder]) {
        expect(await store.podsOf(m.cluster, m.namespace)).toEqual(expectedPods);
        expect(await store.servicesOf(m.cluster, m.namespace)).toEqual(expectedServices);
      }
    }
  });

  it('late and replayed events after snapshots collected tombstones never make a stale record visible', { timeout: 180_000 }, async () => {
    // One member's history as the agent published it, delivered mostly in order: some events
    // arrive late (a quarter, after up to 40 later ones), and the archive replays earlier events now and
    // then. After every delivery, each pod the store shows must be the record the core shows
    // (the core keeps every tombstone): the store may show a pod later (an event below its
    // snapshot floor waits for the snapshot's own record), never an older record. At the end,
    // with everything delivered, both views are equal.
    // A busy namespace of 6 names: pods deleted and recreated often, a snapshot every ~10
    // events, always in two parts (as a large namespace's), the pods split between them.
    const gen = prng(5);
    const live = new Map<string, { v: string; record: Pod }>();
    const events: GnsEvent[] = [];
    let clock = 0;
    let uids = 0;
    while (events.length < 700) {
      const v = hlc(++clock * 3);
      const name = `kafka-${Math.floor(gen() * 6)}`;
      const roll = gen();
      if (roll < 0.1) {
        const pods = [...live.values()];
        const keys = pods.map((p) => `pod/${p.record.name}`);
        const half = Math.floor(pods.length / 2);
        events.push(snapshot(v, pods.slice(half), [], { part: 1, parts: 2, keys }), snapshot(v, pods.slice(0, half), [], { part: 2, parts: 2, keys }));
      } else if (live.has(name) && roll < 0.45) {
        events.push(podDelete(v, name, live.get(name)?.record.uid));
        live.delete(name);
      } else {
        const record = pod(name, { uid: live.get(name)?.record.uid ?? `uid-${name}-${++uids}`, ips: [`10.0.${clock % 250}.${1 + Math.floor(gen() * 250)}`] });
        live.set(name, { v, record });
        events.push(podUpsert(v, record));
      }
    }
    const m = { cluster: 'one', namespace: 'ns-one' };
    const random = prng(11);
    const delivery: GnsEvent[] = [];
    const held: { at: number; event: GnsEvent }[] = [];
    events.forEach((event, i) => {
      if (random() < 0.25) held.push({ at: i + 1 + Math.floor(random() * 40), event });
      else delivery.push(event);
      for (const h of held.filter((x) => x.at === i)) delivery.push(h.event);
      if (i > 20 && random() < 0.3) delivery.push(events[Math.floor(random() * i)] as GnsEvent);
    });
    for (const h of held.filter((x) => x.at >= events.length)) delivery.push(h.event);
    const table = await dynamo.freshTable();
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName: table });
    let reference = emptyNamespaceState();
    const stale: string[] = [];
    const show = (p: { name: string; ips: readonly string[]; uid: string }) => `${p.name}@${p.ips.join(',')}#${p.uid}`;
    for (const event of delivery) {
      await store.merge(event);
      reference = mergeEvent(reference, event);
      const core = new Map(visiblePods(reference).map((p) => [p.name, show(p)]));
      for (const p of await store.podsOf(m.cluster, m.namespace)) {
        if (core.get(p.name) !== show(p) && stale.length < 5) stale.push(`after ${event.type} ${event.detail.v}: store ${show(p)}, core ${core.get(p.name) ?? 'nothing'}`);
      }
    }
    expect(stale).toEqual([]);
    expect((await store.podsOf(m.cluster, m.namespace)).map(show)).toEqual(visiblePods(reference).map(show));
  });

  it('the issue\'s case: a deleted pod\'s tombstone collected, its old upsert replayed, a two-part snapshot lists the recreated pod', async () => {
    const table = await dynamo.freshTable();
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName: table });
    const old = pod('kafka-0', { uid: 'uid-old', ips: ['10.0.0.1'] });
    const other = pod('kafka-1', { ips: ['10.0.0.2'] });
    const recreated = pod('kafka-0', { uid: 'uid-new', ips: ['10.0.0.9'] });
    const keys = ['pod/kafka-0', 'pod/kafka-1'];
    const history: GnsEvent[] = [
      podUpsert(hlc(1), old),
      podUpsert(hlc(1, 1), other),
      podDelete(hlc(2), 'kafka-0', 'uid-old'),
      snapshot(hlc(3), [{ v: hlc(1, 1), record: other }]), // collects kafka-0's tombstone
      podUpsert(hlc(1), old), // replayed from the archive
      snapshot(hlc(6), [{ v: hlc(1, 1), record: other }], [], { part: 1, parts: 2, keys }),
    ];
    for (const event of history) await store.merge(event);
    const names = async () => (await store.podsOf('one', 'ns-one')).map((p) => `${p.name}@${p.ips[0]}`);
    expect(await names()).toEqual(['kafka-1@10.0.0.2']);
    expect(await names()).toEqual(visiblePods(mergeEvents(emptyNamespaceState(), history)).map((p) => `${p.name}@${p.ips[0]}`));
    await store.merge(snapshot(hlc(6), [{ v: hlc(5), record: recreated }], [], { part: 2, parts: 2, keys }));
    expect(await names()).toEqual(['kafka-0@10.0.0.9', 'kafka-1@10.0.0.2']);
    // A live upsert newer than the snapshot floor is accepted as ever; one below it, for a key without an entry, is not.
    await store.merge(podUpsert(hlc(7), pod('kafka-2', { ips: ['10.0.0.3'] })));
    await store.merge(podUpsert(hlc(4), pod('kafka-3', { ips: ['10.0.0.4'] })));
    expect(await names()).toEqual(['kafka-0@10.0.0.9', 'kafka-1@10.0.0.2', 'kafka-2@10.0.0.3']);
  });
});
