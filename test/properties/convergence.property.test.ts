// Property (issue 10): the pipeline converges to the truth the agents saw. Random histories of
// two agents (pods created, restarted with a new IP, recreated with a new uid, deleted; namespace
// snapshots in one or two parts) are delivered as EventBridge does — shuffled, some events twice
// (same event id) — to the ingest in random batches; the sync queue is FIFO with SQS's
// de-duplication (a MessageDeduplicationId seen in the last 5 minutes is accepted and dropped),
// and syncs run in batches of up to 10 interleaved with the ingest while the clock moves. When
// everything is delivered, each target's published slices must be exactly the truth: every pod
// the agents last saw, by pod IP on the target's network and by its VIP elsewhere (one VIP per
// pod, none shared), and nothing else — not merely "a second sync writes nothing".
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestBatch } from '../../functions/ingest/ingest.ts';
import { syncBatch } from '../../functions/sync/batch.ts';
import { newSyncMemo } from '../../functions/sync/memo.ts';
import { encodeSyncMessage, syncDeduplicationId } from '../../functions/sync/message.ts';
import { formatHlc } from '../../shared/core/hlc.ts';
import { identityKey } from '../../shared/core/identity.ts';
import type { PodRecord, TargetRef } from '../../shared/core/types.ts';
import type { MemberVersions, SyncQueue } from '../../shared/ports.ts';
import { DETAIL_TYPES } from '../../shared/schemas/events.ts';
import type { GnsEvent } from '../../shared/schemas/events.ts';
import {
  FakeClock, FakeClusters, FakeDeadLetters, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, busBody, kafkaPod, targetService, topology,
} from '../unit/functions/fakes.ts';

/** SQS FIFO de-duplication: a MessageDeduplicationId seen within 5 minutes is accepted and dropped. */
const DEDUP_MS = 5 * 60_000;

class FifoSyncQueue implements SyncQueue {
  readonly messages: string[] = [];
  private readonly seen = new Map<string, number>();
  private readonly clock: FakeClock;
  dropped = 0;
  constructor(clock: FakeClock) {
    this.clock = clock;
  }
  async enqueue(targets: readonly TargetRef[], cause: string, observedAt?: number, versions?: ReadonlyMap<string, MemberVersions>): Promise<void> {
    const now = this.clock.now();
    for (const t of targets) {
      const id = syncDeduplicationId(cause, t);
      const at = this.seen.get(id);
      if (at !== undefined && now - at < DEDUP_MS) {
        this.dropped++;
        continue;
      }
      this.seen.set(id, now);
      this.messages.push(encodeSyncMessage(t, cause, observedAt, versions?.get(t.gns)));
    }
  }
}

/** The members with pods (the targets live in clusterOne/ns-two and clusterTwo/ns-one). */
const SOURCES = [
  { cluster: 'clusterOne', namespace: 'ns-one', prefix: 'kafka' },
  { cluster: 'clusterTwo', namespace: 'ns-one', prefix: 'broker' },
] as const;

type Step =
  | { readonly op: 'upsert'; readonly member: 0 | 1; readonly pod: number; readonly recreate: boolean }
  | { readonly op: 'delete'; readonly member: 0 | 1; readonly pod: number }
  | { readonly op: 'snapshot'; readonly member: 0 | 1; readonly parts: 1 | 2 };

const member = fc.constantFrom(0 as const, 1 as const);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('upsert' as const), member, pod: fc.nat({ max: 3 }), recreate: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('delete' as const), member, pod: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('snapshot' as const), member, parts: fc.constantFrom(1 as const, 2 as const) }) },
);

/** The agents' events for the steps, and what each agent sees at the end. `services`: the target Service each member holds (its snapshots list it). */
function play(steps: readonly Step[], base: number, services: readonly ({ v: string } | undefined)[]): { events: { id: string; event: GnsEvent }[]; truth: Map<string, PodRecord>[] } {
  const truth = SOURCES.map(() => new Map<string, { v: string; pod: PodRecord }>());
  const events: { id: string; event: GnsEvent }[] = [];
  let tick = 0;
  let uids = 0;
  for (const s of steps) {
    const { cluster, namespace, prefix } = SOURCES[s.member];
    const pods = truth[s.member] as Map<string, { v: string; pod: PodRecord }>;
    const v = formatHlc(base + ++tick, 0);
    const observedAt = base + tick;
    const push = (event: GnsEvent) => events.push({ id: `evt-${events.length + 1}`, event });
    if (s.op === 'snapshot') {
      const all = [...pods.values()];
      const svc = services[s.member];
      const keys = [...all.map((p) => `pod/${p.pod.name}`), ...(svc ? ['service/kafka-headless'] : [])];
      for (let part = 1; part <= s.parts; part++) {
        push({
          type: DETAIL_TYPES.snapshot,
          detail: {
            cluster, namespace, v, observedAt, snapshotId: `s-${tick}`, part, parts: s.parts, keys,
            pods: all.filter((_, i) => i % s.parts === part - 1).map((p) => ({ v: p.v, record: p.pod as never })),
            services: svc && part === 1 ? [{ v: svc.v, record: targetService() as never }] : [],
          },
        });
      }
      continue;
    }
    const name = `${prefix}-${s.pod}`;
    const current = pods.get(name);
    if (s.op === 'delete') {
      if (!current) continue;
      pods.delete(name);
      push({ type: DETAIL_TYPES.podDelete, detail: { cluster, namespace, v, observedAt, name, uid: current.pod.uid } });
      continue;
    }
    const uid = current && !s.recreate ? current.pod.uid : `uid-${name}-${++uids}`;
    const pod = kafkaPod(s.pod, { name, hostname: name, uid, ips: [`10.${s.member + 1}.${tick >> 8}.${tick & 255}`] });
    pods.set(name, { v, pod });
    push({ type: DETAIL_TYPES.podUpsert, detail: { cluster, namespace, v, observedAt, pod: pod as never } });
  }
  return { events, truth: truth.map((m) => new Map([...m].map(([k, p]) => [k, p.pod]))) };
}

describe('convergence property', () => {
  it('shuffled, duplicated events, FIFO de-duplication, interleaved batches: every target publishes exactly the truth the agents saw', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 1, maxLength: 30 }),
        fc.array(fc.nat({ max: 1000 }), { maxLength: 60 }), // delivery order keys
        fc.array(fc.nat({ max: 1000 }), { maxLength: 12 }), // duplicates
        fc.array(fc.record({ size: fc.integer({ min: 1, max: 6 }), syncs: fc.nat({ max: 12 }), advance: fc.nat({ max: 200_000 }) }), { minLength: 1, maxLength: 20 }),
        async (steps, order, duplicates, rounds) => {
          const clock = new FakeClock();
          const store = new FakeStore();
          const vips = new FakeVips();
          const clusters = new FakeClusters();
          const queue = new FifoSyncQueue(clock);
          const topo = topology();
          const ingest = { topology: topo, store, queue, deadLetters: new FakeDeadLetters(), clock };
          const sync = { topology: topo, store, vips, statuses: new FakeStatuses(), clusters, clock, memo: newSyncMemo() };
          let ids = 0;

          // The two targets exist first (their own agents' events), then the pods' history.
          const targets = [T_LOCAL, T_REMOTE].map((t, i) => ({
            id: `evt-svc-${i}`,
            event: { type: DETAIL_TYPES.serviceUpsert, detail: { cluster: t.cluster, namespace: t.namespace, v: formatHlc(clock.ms - 10_000_000, i), observedAt: clock.ms - 10_000_000, service: targetService() as never } } as GnsEvent,
          }));
          // clusterTwo/ns-one holds T_REMOTE: its agent's snapshots list the Service too.
          const run = play(steps, clock.ms - 5_000_000, [undefined, { v: targets[1]!.event.detail.v }]);
          const keyed = run.events.map((e, i) => ({ e, k: order[i] ?? i, i })).sort((a, b) => a.k - b.k || a.i - b.i).map((x) => x.e);
          for (const d of duplicates) if (run.events.length > 0) keyed.splice(d % (keyed.length + 1), 0, run.events[d % run.events.length] as (typeof keyed)[number]);
          const delivery = [...targets, ...keyed];

          const syncSome = async (n: number) => {
            for (let done = 0; done < n && queue.messages.length > 0; done++) {
              const records = queue.messages.splice(0, 10).map((body) => ({ messageId: `sqs-${++ids}`, body }));
              const result = await syncBatch(sync, records, clock.now());
              expect(result.failed).toEqual([]);
            }
          };
          let next = 0;
          for (const round of [...rounds, { size: delivery.length, syncs: 0, advance: 0 }]) {
            const batch = delivery.slice(next, next + round.size);
            next += batch.length;
            if (batch.length > 0) {
              const result = await ingestBatch(ingest, batch.map((b) => ({ messageId: `sqs-${++ids}`, body: busBody(b.event, b.id) })));
              expect(result.failed).toBe(0);
            }
            await syncSome(round.syncs);
            clock.ms += round.advance;
          }
          await syncSome(Number.POSITIVE_INFINITY);

          // The truth: every pod the agents last saw, local ones by pod IP, the others by their VIP.
          const all = SOURCES.flatMap((s, i) => [...(run.truth[i] as Map<string, PodRecord>).values()].map((pod) => ({ ...s, pod })));
          for (const target of [T_LOCAL, T_REMOTE]) {
            const expected = all
              .map(({ cluster, namespace, pod }) => {
                const address = cluster === target.cluster ? pod.ips[0] : vips.byIdentity.get(identityKey({ gns: target.gns, cluster, namespace, pod: pod.name }));
                return `${pod.name}=${address ?? 'no VIP'}`;
              })
              .sort();
            expect(clusters.cluster(target.cluster).endpointsOf(target.namespace, target.name), `${target.cluster}/${target.namespace}`).toEqual(expected);
          }
          const published = [...vips.byIdentity.values()];
          expect(new Set(published).size).toBe(published.length);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);
});
