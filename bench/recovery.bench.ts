// Recovery drill (issue 10, docs/adr/0014-store-completeness.md): one GNS of N clusters, one
// member namespace each, PODS source pods in all, one target per cluster publishing every pod
// (local pods by IP, the others by VIP): PODS × N endpoints. The table is deleted and recreated
// while the agents run; the scheduled reconcile runs first, then the syncs it enqueues, then the
// agents resnapshot (as the hand-back asks them to) one cluster at a time. Every published name
// is watched after every slice write.
//   recovery.rebuild_s      from the table's deletion until every target again matches the truth
//   recovery.names_lost     names that disappeared from (or changed address in) any target at any moment: must be 0
//   recovery.vips_changed   VIPs that differ after the rebuild: must be 0
// Scale with GNS_SYNC_BENCH_RECOVERY_PODS (default 10,000) and GNS_SYNC_BENCH_RECOVERY_CLUSTERS (10).
// The clusters are in-memory fakes of the Kubernetes API (the test fakes); DynamoDB is dynalite
// in a process of its own, as DynamoDB is a separate service (GNS_SYNC_BENCH_RECOVERY_ENGINE=
// in-process runs it on this process's event loop, beside the functions, for comparison).
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { ingestBatch } from '../functions/ingest/ingest.ts';
import { reconcile } from '../functions/reconcile/reconcile.ts';
import { newSyncMemo } from '../functions/sync/memo.ts';
import { syncBatch } from '../functions/sync/batch.ts';
import { encodeSyncMessage } from '../functions/sync/message.ts';
import type { SyncDeps } from '../functions/sync/sync.ts';
import { indexTopology } from '../functions/topology.ts';
import { ensureTable, startLocalDynamo } from '../local/dynamo/start.ts';
import { countOps } from '../shared/adapters/dynamodb/op-counter.ts';
import { DynamoIncarnationStore, DynamoPublishedVipsStore, DynamoStateStore, DynamoTargetStatusStore, DynamoVipAllocator } from '../shared/adapters/dynamodb/index.ts';
import { formatHlc } from '../shared/core/hlc.ts';
import { targetKey } from '../shared/core/identity.ts';
import type { PodRecord, TargetRef } from '../shared/core/types.ts';
import type { Topology } from '../shared/ports.ts';
import { DETAIL_TYPES } from '../shared/schemas/events.ts';
import type { GnsEvent } from '../shared/schemas/events.ts';
import { watchNames } from '../test/integration/recovery/name-watch.ts';
import { FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, busBody, kafkaPod, targetService } from '../test/unit/functions/fakes.ts';

const PODS = Number(process.env.GNS_SYNC_BENCH_RECOVERY_PODS ?? 10_000);
const CLUSTERS = Number(process.env.GNS_SYNC_BENCH_RECOVERY_CLUSTERS ?? 10);
const GNS = 'kafka-gns';
const NS = 'data';
const SERVICE = 'kafka-headless';
const SYNC_BATCH = 10;
const ENGINE = process.env.GNS_SYNC_BENCH_RECOVERY_ENGINE === 'in-process' ? 'in-process' : 'process';

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const names = Array.from({ length: CLUSTERS }, (_, i) => `c${i}`);
  const topologyConfig: Topology = {
    clusters: names.map((name) => ({ name, network: name })),
    globalNamespaces: [{ name: GNS, members: names.map((cluster) => ({ cluster, namespace: NS })) }],
    vipPool: '240.240.0.0/16',
    vipReleaseAfterMs: 3_600_000,
  };
  const topology = indexTopology(topologyConfig);
  const perCluster = Math.ceil(PODS / CLUSTERS);
  const podsOf = (c: number): PodRecord[] => Array.from({ length: perCluster }, (_, j) => {
    const i = c * perCluster + j;
    return kafkaPod(i, { ips: [`10.${c}.${Math.floor(j / 250)}.${(j % 250) + 1}`], nodeName: `node-${c}` });
  }).slice(0, Math.max(0, Math.min(perCluster, PODS - c * perCluster)));
  const targets: TargetRef[] = names.map((cluster) => ({ gns: GNS, cluster, namespace: NS, name: SERVICE }));

  const local = await startLocalDynamo({ engine: ENGINE });
  try {
    const { client, tableName } = local;
    const clock = new FakeClock();
    const clusters = new FakeClusters(names);
    const queue = new FakeQueue();
    const store = new DynamoStateStore({ client, tableName });
    const incarnation = new DynamoIncarnationStore({ client, tableName });
    const vips = new DynamoVipAllocator({ client, tableName, pool: topologyConfig.vipPool, releaseAfterMs: topologyConfig.vipReleaseAfterMs });
    const statuses = new DynamoTargetStatusStore({ client, tableName });
    const published = new DynamoPublishedVipsStore({ client, tableName });
    const ingest = { topology, store, queue, deadLetters: new FakeDeadLetters(), clock, incarnation };
    const sync: SyncDeps = { topology, store, vips, statuses, clusters, clock, memo: newSyncMemo(), incarnation };
    let ids = 0;
    let snapshots = 0;

    const snapshotOf = (c: number, at: number): GnsEvent => {
      const v = formatHlc(at, 0);
      const pods = podsOf(c);
      return {
        type: DETAIL_TYPES.snapshot,
        detail: {
          cluster: names[c]!, namespace: NS, v, observedAt: at, snapshotId: `s-${c}-${++snapshots}`, part: 1, parts: 1,
          keys: [...pods.map((p) => `pod/${p.name}`), `service/${SERVICE}`],
          pods: pods.map((record) => ({ v, record: record as never })),
          services: [{ v, record: targetService(SERVICE) as never }],
        },
      };
    };
    const deliver = async (events: GnsEvent[]) => {
      const result = await ingestBatch(ingest, events.map((e) => ({ messageId: `m-${++ids}`, body: busBody(e) })));
      if (result.failed > 0) throw new Error(`ingest failed for ${result.failed} records`);
    };
    // The sync function as deployed: SQS batches of 10 messages (infra: batchSize 10) through
    // syncBatch, which shares member reads and VIP bindings between the targets of a batch.
    const drain = async () => {
      while (queue.sent.length > 0) {
        const sent = queue.sent.splice(0);
        for (let i = 0; i < sent.length; i += SYNC_BATCH) {
          const records = sent.slice(i, i + SYNC_BATCH).map((s) => ({
            messageId: `s-${++ids}`,
            body: encodeSyncMessage(s.target, s.cause, s.observedAt, s.versions),
          }));
          const result = await syncBatch(sync, records, clock.now());
          if (result.failed.length > 0) throw new Error(`sync failed: ${result.failed.map((f) => `${targetKey(f.target)}: ${f.error}`).join('; ')}`);
        }
      }
    };
    const watched = targets.map((t) => ({ cluster: t.cluster, namespace: t.namespace, service: t.name }));
    /** The truth: every target shows every pod, local ones by pod IP. */
    const matches = (watch: ReturnType<typeof watchNames>) => watched.every((t) => watch.names(t).size === PODS);

    // 1. Converged: every agent's snapshot, every target synced.
    const setup = Date.now();
    for (let c = 0; c < CLUSTERS; c++) await deliver([snapshotOf(c, clock.now() + c + 1)]);
    await drain();
    const first = watchNames(clusters, watched);
    if (!matches(first)) throw new Error('the targets did not converge before the drill');
    const before = new Map(watched.map((t) => [`${t.cluster}`, first.names(t)]));
    first.stop();
    log(`DynamoDB (dynalite) ${ENGINE === 'process' ? 'in a process of its own' : 'in this process'}; ${PODS} pods in ${CLUSTERS} clusters, ${CLUSTERS} targets, ${PODS * CLUSTERS} endpoints published in ${((Date.now() - setup) / 1000).toFixed(1)} s`);

    // 2. The table is deleted and recreated while the agents run.
    const watch = watchNames(clusters, watched);
    // Where the rebuild's time goes: wall time and DynamoDB operations per phase.
    const ops = countOps(client);
    const phases: string[] = [];
    const syncWrites = () => [...clusters.clusters.values()].reduce((n, c) => n + c.writes.length, 0);
    let mark = { at: Date.now(), writes: syncWrites() };
    const phase = (name: string) => {
      const now = { at: Date.now(), writes: syncWrites() };
      const c = ops.counts();
      const line = Object.entries(c).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`).join(', ');
      phases.push(`${name}: ${((now.at - mark.at) / 1000).toFixed(1)} s, ${now.writes - mark.writes} slice writes; DynamoDB ${line || 'none'}`);
      ops.reset();
      mark = now;
    };
    const started = Date.now();
    clock.ms += 60_000;
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await ensureTable(client, tableName);

    // 3. The scheduled reconcile runs first (it begins the new incarnation and hands it back),
    //    then what it enqueued; then the agents resnapshot, one cluster after the other.
    phase('delete and recreate the table');
    await reconcile({ topology, store, queue, vips, clusters, incarnation, published }, clock.now()).catch(() => undefined);
    phase('reconcile');
    await drain();
    phase('syncs of the reconcile');
    for (let c = 0; c < CLUSTERS; c++) {
      await deliver([snapshotOf(c, clock.now() + 1_000 + c)]);
      phase(`ingest of ${names[c]}'s snapshot`);
      await drain();
      phase(`syncs after ${names[c]}'s snapshot`);
    }
    await reconcile({ topology, store, queue, vips, clusters, incarnation, published }, clock.now() + 2_000).catch(() => undefined);
    await drain();
    phase('final reconcile and its syncs');
    ops.detach();
    for (const line of phases) log(line);
    const rebuilt = matches(watch);
    const rebuildS = (Date.now() - started) / 1000;
    let vipsChanged = 0;
    for (const t of watched) {
      const now = watch.names(t);
      for (const [hostname, address] of before.get(t.cluster) ?? []) if (now.get(hostname) !== address) vipsChanged++;
    }
    const lost = new Set(watch.violations.map((v) => v.replace(/ after .*$/, '').replace(/ → .*$/, ''))).size;
    watch.stop();
    log(`rebuild: ${rebuilt ? 'every target matches the truth' : 'NOT converged'} after ${rebuildS.toFixed(1)} s; ${lost} names lost or moved at some moment; ${vipsChanged} addresses changed`);
    if (!rebuilt) throw new Error('the drill did not converge');
    return {
      'recovery.rebuild_s': rebuildS,
      'recovery.names_lost': lost,
      'recovery.vips_changed': vipsChanged,
    };
  } finally {
    await local.stop();
  }
}
