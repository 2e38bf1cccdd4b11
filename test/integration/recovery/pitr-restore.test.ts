// Issue 10, case 2: the table is restored from an older backup (point-in-time recovery) while
// the targets publish newer data. A PITR restore is a new table carrying the old items — the
// old incarnation item among them, naming the old table — so the first reader begins a new
// incarnation (docs/adr/0014-store-completeness.md). Until every member has merged a snapshot
// taken after that, syncs must not roll any published answer back to the stale pod IPs of the
// backup, remove a name the backup does not know, or move a VIP; once every agent has
// resnapshotted, the targets show the truth again. Every slice write is watched.
import { BatchWriteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { syncTarget } from '../../../functions/sync/sync.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { documentClient } from '../../../shared/adapters/dynamodb/client.ts';
import type { Item } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoIncarnationStore, DynamoStateStore, DynamoTargetStatusStore, DynamoVipAllocator } from '../../../shared/adapters/dynamodb/index.ts';
import { formatHlc } from '../../../shared/core/hlc.ts';
import { targetKey } from '../../../shared/core/identity.ts';
import type { MemberRef, PodRecord } from '../../../shared/core/types.ts';
import { DETAIL_TYPES } from '../../../shared/schemas/events.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import { useDynamo } from '../store/helpers.ts';
import { FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, T_LOCAL, T_REMOTE, TOPOLOGY, busBody, kafkaPod, targetService } from '../../unit/functions/fakes.ts';
import { watchNames } from './name-watch.ts';
import type { NameWatch } from './name-watch.ts';


const dynamo = useDynamo();
const POOL = '240.240.0.0/28';
const topology = indexTopology({ ...TOPOLOGY, vipPool: POOL });
const MEMBERS: readonly MemberRef[] = TOPOLOGY.globalNamespaces[0]!.members;
/** The member running Kafka; the others hold the two targets. */
const isKafka = (m: MemberRef): boolean => m.cluster === 'clusterOne' && m.namespace === 'ns-one';
const remote = { cluster: T_REMOTE.cluster, namespace: T_REMOTE.namespace, service: T_REMOTE.name };
const local = { cluster: T_LOCAL.cluster, namespace: T_LOCAL.namespace, service: T_LOCAL.name };
let watch: NameWatch | undefined;
afterEach(() => { watch?.stop(); watch = undefined; });

/** The functions of one deployment, on one table. */
function deployment(tableName: string, clusters: FakeClusters, queue: FakeQueue, clock: FakeClock) {
  const client = dynamo.engine().client;
  const store = new DynamoStateStore({ client, tableName });
  const vips = new DynamoVipAllocator({ client, tableName, pool: POOL, releaseAfterMs: TOPOLOGY.vipReleaseAfterMs });
  const incarnation = new DynamoIncarnationStore({ client, tableName });
  let ids = 0;
  const sync = { topology, store, vips, statuses: new DynamoTargetStatusStore({ client, tableName }), clusters, clock, memo: newSyncMemo(), incarnation };
  const ingest = { topology, store, queue, deadLetters: new FakeDeadLetters(), clock, incarnation };
  return {
    async deliver(...events: GnsEvent[]) {
      const result = await ingestBatch(ingest, events.map((e) => ({ messageId: `m-${++ids}`, body: busBody(e) })));
      expect(result.failed).toBe(0);
    },
    async drain() {
      while (queue.sent.length > 0) {
        const batch = new Map(queue.sent.splice(0).map((s) => [targetKey(s.target), s.target]));
        for (const t of batch.values()) await syncTarget(sync, t, clock.now());
      }
    },
    reconcile: () => reconcile({ topology, store, queue, vips, clusters, incarnation }, clock.now()).catch(() => undefined),
  };
}

function snapshotEvent(m: MemberRef, atMs: number, pods: readonly PodRecord[]): GnsEvent {
  const v = formatHlc(atMs, 0);
  const services = isKafka(m) ? [] : [targetService()];
  return {
    type: DETAIL_TYPES.snapshot,
    detail: {
      cluster: m.cluster, namespace: m.namespace, v, observedAt: atMs, snapshotId: `s-${m.cluster}-${m.namespace}-${atMs}`, part: 1, parts: 1,
      keys: [...pods.map((p) => `pod/${p.name}`), ...services.map((s) => `service/${s.name}`)],
      pods: pods.map((record) => ({ v, record: record as never })), services: services.map((record) => ({ v, record: record as never })),
    },
  };
}

const podsAt = (pods: readonly PodRecord[]) => (m: MemberRef) => (isKafka(m) ? pods : []);

async function scan(tableName: string): Promise<Item[]> {
  const doc = documentClient(dynamo.engine().client);
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey as Item | undefined;
  } while (start);
  return items;
}

/** A point-in-time restore: a new table (new TableId) holding the items of the backup. */
async function restore(backup: readonly Item[]): Promise<string> {
  const doc = documentClient(dynamo.engine().client);
  const tableName = await dynamo.freshTable();
  for (let i = 0; i < backup.length; i += 25) {
    await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: backup.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  return tableName;
}

it('a restore from an older backup never rolls a published answer back: stale IPs, names and VIPs wait for the agents, then the truth returns', async () => {
  const clock = new FakeClock();
  const clusters = new FakeClusters();
  const queue = new FakeQueue();
  const liveTable = await dynamo.freshTable();
  const live = deployment(liveTable, clusters, queue, clock);

  // 1. Converged on the old truth (kafka-0..7); the backup is taken then.
  const old = Array.from({ length: 8 }, (_, i) => kafkaPod(i, { ips: [`10.1.0.${10 + i}`] }));
  for (const [i, m] of MEMBERS.entries()) await live.deliver(snapshotEvent(m, clock.ms + 10 + i, podsAt(old)(m)));
  await live.drain();
  const backup = await scan(liveTable);

  // 2. Life goes on: kafka-1 restarts with a new IP, kafka-7 is deleted, kafka-8 and kafka-9 are added.
  clock.ms += 600_000;
  const now = [...old.filter((p) => p.name !== 'kafka-7').map((p) => (p.name === 'kafka-1' ? { ...p, uid: 'uid-kafka-1-b', ips: ['10.1.0.99'] } : p)), kafkaPod(8, { ips: ['10.1.0.18'] }), kafkaPod(9, { ips: ['10.1.0.19'] })];
  for (const [i, m] of MEMBERS.entries()) await live.deliver(snapshotEvent(m, clock.ms + i, podsAt(now)(m)));
  await live.drain();
  const published = { local: watchNames(clusters, [local]).names(local), remote: watchNames(clusters, [remote]).names(remote) };
  expect(published.local.get('kafka-1')).toBe('10.1.0.99');
  expect(published.local.has('kafka-7')).toBe(false);
  expect([...published.remote.keys()].sort()).toEqual(now.map((p) => p.name).sort());
  watch = watchNames(clusters, [local, remote]);

  // 3. The table is restored from the backup and the functions are pointed at it (a redeploy:
  //    cold containers). The reconcile runs first, then every sync it enqueues, then the
  //    agents' events of the old era are replayed too — nothing may roll back.
  clock.ms += 60_000;
  const restored = deployment(await restore(backup), clusters, queue, clock);
  await restored.reconcile();
  await restored.drain();
  expect(watch.violations).toEqual([]);
  const during = watch.names(local);
  expect(during.get('kafka-1')).toBe('10.1.0.99'); // not the backup's 10.1.0.11
  expect(watch.names(remote).size).toBe(9); // kafka-8 and kafka-9, unknown to the backup, stay

  // 4. The agents resnapshot (the hand-back asks them to), one member after the other: the
  //    GNS is complete again only after the last, and then kafka-7 (deleted meanwhile, still
  //    in the backup) is not published anywhere, and kafka-1 answers its current IP.
  for (const [i, m] of MEMBERS.entries()) {
    await restored.deliver(snapshotEvent(m, clock.ms + 1_000 + i, podsAt(now)(m)));
    await restored.drain();
    await restored.reconcile();
    await restored.drain();
    expect(watch.violations).toEqual([]);
  }
  expect([...watch.names(local)].sort()).toEqual(now.map((p) => [p.name, p.ips[0]]).sort());
  const vips = watch.names(remote);
  expect([...vips.keys()].sort()).toEqual(now.map((p) => p.name).sort());
  for (const [pod, vip] of published.remote) expect(vips.get(pod), pod).toBe(vip);
});
