// Issue 10, case 1 in the cloud shape: the table is emptied while the agents run and the
// scheduled reconcile runs before any fresh snapshot. No published name may disappear or change
// address at any moment (watched after every slice write), no VIP may change — with a VIP pool
// so small that most VIPs are not their identity's first choice — and once every member has
// resnapshotted, the pod deleted meanwhile is removed (docs/adr/0014-store-completeness.md).
import { ScanCommand, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import type { IngestDeps } from '../../../functions/ingest/ingest.ts';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import type { ReconcileDeps } from '../../../functions/reconcile/reconcile.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import type { SyncDeps } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { documentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoIncarnationStore, DynamoStateStore, DynamoTargetStatusStore, DynamoVipAllocator } from '../../../shared/adapters/dynamodb/index.ts';
import { formatHlc } from '../../../shared/core/hlc.ts';
import { targetKey } from '../../../shared/core/identity.ts';
import type { MemberRef, PodRecord, ServiceRecord } from '../../../shared/core/types.ts';
import { vipCandidates } from '../../../shared/core/vip-order.ts';
import { DETAIL_TYPES } from '../../../shared/schemas/events.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import { useDynamo } from '../store/helpers.ts';
import {
  FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, T_LOCAL, T_REMOTE, TOPOLOGY, busBody, kafkaPod, targetService,
} from '../../unit/functions/fakes.ts';
import { watchNames } from './name-watch.ts';
import type { NameWatch } from './name-watch.ts';

const dynamo = useDynamo();
/** 14 usable addresses for 10 pods: most first choices collide. */
const POOL = '240.240.0.0/28';
const PODS = 10;
const topology = indexTopology({ ...TOPOLOGY, vipPool: POOL });
const MEMBERS: readonly MemberRef[] = TOPOLOGY.globalNamespaces[0]!.members;

let clock: FakeClock;
let clusters: FakeClusters;
let queue: FakeQueue;
let tableName: string;
let watch: NameWatch | undefined;
let ingest: IngestDeps;
let sync: SyncDeps;
let recon: ReconcileDeps;
let ids = 0;

beforeEach(async () => {
  tableName = await dynamo.freshTable();
  const client = dynamo.engine().client;
  clock = new FakeClock();
  clusters = new FakeClusters();
  queue = new FakeQueue();
  const store = new DynamoStateStore({ client, tableName });
  const vips = new DynamoVipAllocator({ client, tableName, pool: POOL, releaseAfterMs: TOPOLOGY.vipReleaseAfterMs });
  const incarnation = new DynamoIncarnationStore({ client, tableName });
  ingest = { topology, store, queue, deadLetters: new FakeDeadLetters(), clock, incarnation };
  sync = { topology, store, vips, statuses: new DynamoTargetStatusStore({ client, tableName }), clusters, clock, memo: newSyncMemo(), incarnation };
  recon = { topology, store, queue, vips, clusters, incarnation };
});
afterEach(() => { watch?.stop(); watch = undefined; });

/** An agent's snapshot of one member, taken `at` ms after the clock's start. */
function snapshot(m: MemberRef, at: number, pods: readonly PodRecord[], services: readonly ServiceRecord[]): GnsEvent {
  const v = formatHlc(clock.ms + at, 0);
  return {
    type: DETAIL_TYPES.snapshot,
    detail: {
      cluster: m.cluster, namespace: m.namespace, v, observedAt: clock.ms + at, snapshotId: `s-${m.cluster}-${m.namespace}-${at}`, part: 1, parts: 1,
      keys: [...pods.map((p) => `pod/${p.name}`), ...services.map((s) => `service/${s.name}`)],
      pods: pods.map((record) => ({ v, record: record as never })), services: services.map((record) => ({ v, record: record as never })),
    },
  };
}

/** What each member's agent sees: kafka pods in clusterOne/ns-one, the two targets elsewhere. */
function truth(member: MemberRef, pods: number): { pods: PodRecord[]; services: ServiceRecord[] } {
  if (member.cluster === 'clusterOne' && member.namespace === 'ns-one') return { pods: Array.from({ length: pods }, (_, i) => kafkaPod(i, { ips: [`10.1.0.${10 + i}`] })), services: [] };
  return { pods: [], services: [targetService()] };
}

async function deliver(...events: GnsEvent[]): Promise<void> {
  const result = await ingestBatch(ingest, events.map((e) => ({ messageId: `m-${++ids}`, body: busBody(e) })));
  expect(result.failed).toBe(0);
}

/** Runs every queued sync (and those they cause) until the queue is empty. */
async function drain(): Promise<void> {
  while (queue.sent.length > 0) {
    const batch = new Map(queue.sent.splice(0).map((s) => [targetKey(s.target), s.target]));
    for (const t of batch.values()) await syncTarget(sync, t, clock.now());
  }
}

async function emptyTable(): Promise<void> {
  const doc = documentClient(dynamo.engine().client);
  const items = (await doc.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
  for (let i = 0; i < items.length; i += 25) {
    await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: items.slice(i, i + 25).map((it) => ({ DeleteRequest: { Key: { pk: it.pk, sk: it.sk } } })) } }));
  }
  expect((await doc.send(new ScanCommand({ TableName: tableName }))).Items ?? []).toEqual([]);
}

const remote = { cluster: T_REMOTE.cluster, namespace: T_REMOTE.namespace, service: T_REMOTE.name };
const local = { cluster: T_LOCAL.cluster, namespace: T_LOCAL.namespace, service: T_LOCAL.name };

it('table emptied while agents run, reconcile first: no name is removed or moved at any moment, no VIP changes, and the deleted pod goes once all members resnapshot', async () => {
  for (const [i, m] of MEMBERS.entries()) await deliver(snapshot(m, 10 + i, truth(m, PODS).pods, truth(m, PODS).services));
  await drain();
  const before = watchNames(clusters, [remote, local]);
  const vipsBefore = before.names(remote);
  before.stop();
  expect(vipsBefore.size).toBe(PODS);
  // The pool is small enough that some VIPs are not their identity's first choice: a rebuild
  // without adoption would move them.
  const notFirst = [...vipsBefore].filter(([pod, vip]) => vipCandidates({ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod }, POOL).next().value !== vip);
  expect(notFirst.length).toBeGreaterThan(0);

  await emptyTable();
  clock.ms += 60_000;
  watch = watchNames(clusters, [remote, local]);

  // The scheduled reconcile runs first, then the syncs it enqueued.
  await reconcile(recon, clock.now()).catch(() => undefined);
  await drain();
  expect(watch.violations).toEqual([]);

  // The agents resnapshot one member at a time; kafka-9 was deleted while the table was lost.
  const after = (m: MemberRef) => truth(m, PODS - 1);
  for (const [i, m] of MEMBERS.entries()) {
    if (i === MEMBERS.length - 1) watch.allowRemoval(`kafka-${PODS - 1}`);
    await deliver(snapshot(m, 70_000 + i, after(m).pods, after(m).services));
    await drain();
    await reconcile(recon, clock.now()).catch(() => undefined);
    await drain();
    expect(watch.violations).toEqual([]);
  }

  // Complete again: the deleted pod is gone, every other name kept its address and VIP.
  const final = watch.names(remote);
  expect(final.has(`kafka-${PODS - 1}`)).toBe(false);
  for (const [pod, vip] of vipsBefore) if (pod !== `kafka-${PODS - 1}`) expect(final.get(pod), pod).toBe(vip);
  expect(watch.names(local).has(`kafka-${PODS - 1}`)).toBe(false);
});
