// What a pod change really costs (issue 12): the whole local pipeline over simulated clusters,
// rolling restarts with realistic timing, every call counted, priced with public prices.
//
// Timing: graceful deletion as the simulated kubelet does it (the pod turns Terminating, then not
// ready; its containers exit 2 s after SIGTERM, well within its 30 s grace; the pod turns
// Succeeded, then goes; the StatefulSet recreates it), an address when it starts, Ready after a
// delay.
// The ingest queue's batching window is the local runner's (20 ms, the cloud's is 1 s, which
// folds more). The reconcile timer runs at the production interval (5 min) the whole time.
// Each topology: 3 measured runs, then a 4th with CPU metering on (async hooks slow the
// process, so its latencies are not reported), then, quiet, one round of every agent's
// periodic snapshots and one reconcile pass (the fixed costs).
//
// Knobs (env): GNS_BENCH_REAL_RUN_S (20, seconds of restarts per run), GNS_BENCH_REAL_RATE
// (10 restarts/s, current topology), GNS_BENCH_WIDE_RATE (3/s), GNS_BENCH_STOP_MS (2000),
// GNS_BENCH_READY_MS (2000), GNS_BENCH_REAL_ONLY (current|wide), GNS_BENCH_STS (100: StatefulSets of the current topology).
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kube } from '../local/demo/kube.ts';
import { startLocal } from '../local/runner/runtime.ts';
import type { FunctionName } from '../local/runner/runtime.ts';
import { startSimClusters } from '../local/sim/index.ts';
import { ASSUMPTIONS, price, priceFixed } from './cost-model.ts';
import { alarmCount, metricSeries } from './fixed-counts.ts';
import type { Usage } from './cost-model.ts';
import { PRICES } from './cost-prices.ts';
import { Observer, currentWorld, wideWorld } from './e2e-world.ts';
import type { World } from './e2e-world.ts';
import { ddbOps, diffCounts, FUNCTIONS, Meter } from './meter.ts';
import type { Counts } from './meter.ts';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: readonly number[], p: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

const RUNS = 3;
const RECONCILE_MINUTES = 5;
const SNAPSHOT_MINUTES = 10;

interface RunResult {
  readonly restarts: number;
  readonly counts: Counts;
  readonly busEntries: number;
  readonly syncOutcomes: number;
  readonly sliceWrites: number;
  readonly desiredChanges: number;
  readonly latencies: readonly number[];
  readonly superseded: number;
  readonly unconverged: number;
  /** CPU time of the whole bench process (every function, agent, simulated cluster and dynalite) during the run, ms. */
  readonly processCpuMs: number;
  readonly wallMs: number;
}

interface TopologyResult {
  readonly runs: readonly RunResult[];
  readonly cpuMsPerInvocation: Record<FunctionName, number>;
  readonly snapshotRound: Usage;
  readonly reconcilePass: Usage;
  readonly tableBytes: number;
}

async function measure(world: World, rate: number, log: (line: string) => void): Promise<TopologyResult> {
  const RUN_S = env('GNS_BENCH_REAL_RUN_S', 20);
  const STOP_MS = env('GNS_BENCH_STOP_MS', 2000);
  const READY_MS = env('GNS_BENCH_READY_MS', 2000);
  const fleet = await startSimClusters({ clusters: world.clusters.map((name) => ({ name })), readyDelayMs: READY_MS, containerStopMs: STOP_MS, events: false });
  const kube = new Kube(fleet.kubeconfigYaml());
  const stateDir = mkdtempSync(join(tmpdir(), `gns-bench-${world.name}-`));
  const meter = new Meter();
  const observer = new Observer(world, fleet);
  const started = Date.now();
  world.apply(fleet, 30);
  // The world's pods run before gns-sync starts (as in a cluster it is installed into): the
  // agents' start snapshots carry them whole, instead of every pod's start reaching every target
  // event by event while the fleet boots — which, at full size on a loaded machine, never caught up.
  while (observer.readyPods < world.pods.length) {
    if (Date.now() - started > 600_000) throw new Error(`the ${world.name} world's pods were not Ready within 10 minutes`);
    await sleep(200);
  }
  const podsReadyMs = Date.now() - started;
  const runtime = await startLocal({
    config: world.config, kubeconfigYaml: fleet.kubeconfigYaml(), stateDir, log: () => undefined,
    reconcileIntervalMs: RECONCILE_MINUTES * 60_000, control: false, quiet: true, instrument: meter,
  });
  try {
    meter.attach(runtime.dynamo.client);
    meter.countSends(runtime.syncQueue);
    meter.countDeletes(runtime.syncQueue);
    let syncOutcomes = 0;
    runtime.onSync((line) => { if (!line.error) syncOutcomes += 1; });
    while (!observer.converged()) {
      if (Date.now() - started > 1_800_000) throw new Error(`the ${world.name} world did not converge within 30 minutes`);
      await sleep(200);
    }
    await runtime.idle();
    log(`${world.name}: ${world.pods.length} pods, ${world.expected.size} targets; pods Ready in ${(podsReadyMs / 1000).toFixed(1)} s, then gns-sync converged in ${((Date.now() - started - podsReadyMs) / 1000).toFixed(1)} s`);

    const order = [...world.pods].sort((a, b) => (a.name.split('-').at(-1)! + a.ns < b.name.split('-').at(-1)! + b.ns ? -1 : 1));
    let cursor = 0;
    const run = async (): Promise<RunResult> => {
      observer.reset();
      const c0 = meter.snapshot();
      const e0 = runtime.bus.counters.entries;
      const s0 = syncOutcomes;
      observer.measuring = true;
      const total = Math.round(rate * RUN_S);
      const cpu0 = process.cpuUsage();
      const t0 = Date.now();
      const deletes: Promise<void>[] = [];
      for (let n = 0; n < total; n += 1) {
        const due = t0 + (n * 1000) / rate;
        if (due > Date.now()) await sleep(due - Date.now());
        const pod = order[cursor++ % order.length]!;
        deletes.push(kube.delete(pod.cluster, 'v1', 'Pod', pod.ns, pod.name).catch(() => undefined));
      }
      await Promise.all(deletes);
      // The last pods: grace, a new pod, Ready, propagation.
      const deadline = Date.now() + STOP_MS + READY_MS + 15_000;
      await sleep(STOP_MS + READY_MS);
      while (observer.pending > 0 && Date.now() < deadline) await sleep(50);
      await runtime.idle();
      observer.measuring = false;
      const result: RunResult = {
        restarts: total,
        counts: diffCounts(meter.snapshot(), c0),
        busEntries: runtime.bus.counters.entries - e0,
        syncOutcomes: syncOutcomes - s0,
        sliceWrites: observer.sliceWrites,
        desiredChanges: observer.desiredChanges,
        latencies: [...observer.latencies],
        superseded: observer.superseded,
        unconverged: observer.pending,
        processCpuMs: cpuMs(process.cpuUsage(cpu0)),
        wallMs: Date.now() - t0,
      };
      const sorted = [...result.latencies].sort((a, b) => a - b);
      const ops = FUNCTIONS.reduce((n, fn) => n + ddbOps(result.counts[fn]), 0);
      log(`  run: ${total} restarts in ${RUN_S} s, ${result.busEntries} pod events, p50 ${percentile(sorted, 50)} ms, p99 ${percentile(sorted, 99)} ms, ${ops} DynamoDB ops (${(ops / result.busEntries).toFixed(1)}/event), ${result.sliceWrites} slice writes for ${result.desiredChanges} desired changes${result.superseded ? `, ${result.superseded} superseded` : ''}${result.unconverged ? `, ${result.unconverged} unconverged` : ''}; the process used ${(result.processCpuMs / total).toFixed(0)} ms CPU per restart (${((100 * result.processCpuMs) / result.wallMs).toFixed(0)} % of one core)`);
      return result;
    };

    const runs: RunResult[] = [];
    for (let i = 0; i < RUNS; i += 1) runs.push(await run());

    meter.meterCpu(true);
    const metered = await run().finally(() => meter.meterCpu(false));
    const cpuMsPerInvocation = Object.fromEntries(FUNCTIONS.map((fn) => [fn, metered.counts[fn].invocations === 0 ? 0 : metered.counts[fn].cpuMs / metered.counts[fn].invocations])) as Record<FunctionName, number>;
    log(`  CPU per invocation (metered run): ${FUNCTIONS.map((fn) => `${fn} ${cpuMsPerInvocation[fn].toFixed(1)} ms`).join(', ')}`);

    const quiet = async (what: () => Promise<void> | void): Promise<Usage> => {
      await runtime.idle();
      const c0 = meter.snapshot();
      const e0 = runtime.bus.counters.entries;
      const s0 = syncOutcomes;
      await what();
      await Promise.all([...runtime.agents.values()].map((a) => a.idle()));
      await runtime.idle();
      return { counts: diffCounts(meter.snapshot(), c0), cpuMsPerInvocation, busEntries: runtime.bus.counters.entries - e0, syncOutcomes: syncOutcomes - s0 };
    };
    const snapshotRound = await quiet(() => { for (const a of runtime.agents.values()) a.snapshotAll('bench'); });
    const reconcilePass = await quiet(() => runtime.reconcile());
    const tableBytes = await tableSize(runtime.dynamo);
    return { runs, cpuMsPerInvocation, snapshotRound, reconcilePass, tableBytes };
  } finally {
    await runtime.stop();
    await fleet.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** The table's size: the sum of its items' sizes as DynamoDB bills storage (≈ attribute names and values + 100 bytes an item). */
async function tableSize(dynamo: { client: DynamoDBClient; tableName: string }): Promise<number> {
  let bytes = 0;
  let start: Record<string, AttributeValue> | undefined;
  do {
    const out = await dynamo.client.send(new ScanCommand({ TableName: dynamo.tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of out.Items ?? []) bytes += 100 + Buffer.byteLength(JSON.stringify(item));
    start = out.LastEvaluatedKey;
  } while (start);
  return bytes;
}

/** Sums of the runs, as one Usage. */
function pooled(t: TopologyResult): { usage: Usage; restarts: number; sliceWrites: number; desiredChanges: number; latencies: number[]; superseded: number; unconverged: number; processCpuMs: number } {
  const counts = t.runs.map((r) => r.counts).reduce((a, b) => {
    const out = structuredClone(a);
    for (const fn of FUNCTIONS) {
      const x = out[fn];
      const y = b[fn];
      x.invocations += y.invocations; x.records += y.records; x.ddbConditionFailed += y.ddbConditionFailed;
      x.readUnits += y.readUnits; x.writeUnits += y.writeUnits; x.kubeRequests += y.kubeRequests; x.sqsSends += y.sqsSends; x.sqsDeletes += y.sqsDeletes; x.cpuMs += y.cpuMs;
      for (const [k, v] of Object.entries(y.ddbCalls)) x.ddbCalls[k] = (x.ddbCalls[k] ?? 0) + v;
    }
    return out;
  });
  const sum = (f: (r: RunResult) => number) => t.runs.reduce((n, r) => n + f(r), 0);
  return {
    usage: { counts, cpuMsPerInvocation: t.cpuMsPerInvocation, busEntries: sum((r) => r.busEntries), syncOutcomes: sum((r) => r.syncOutcomes) },
    restarts: sum((r) => r.restarts),
    sliceWrites: sum((r) => r.sliceWrites),
    desiredChanges: sum((r) => r.desiredChanges),
    latencies: t.runs.flatMap((r) => [...r.latencies, ...Array.from({ length: r.unconverged }, () => 30_000)]).sort((a, b) => a - b),
    superseded: sum((r) => r.superseded),
    unconverged: sum((r) => r.unconverged),
    processCpuMs: sum((r) => r.processCpuMs),
  };
}

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const only = process.env.GNS_BENCH_REAL_ONLY;
  log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs (shared with other work: wall-clock figures grow with load)`);
  const figures: Record<string, number> = {};
  const worlds: [World, number][] = [];
  if (only !== 'wide') worlds.push([currentWorld(10, env('GNS_BENCH_STS', 100)), env('GNS_BENCH_REAL_RATE', 10)]);
  if (only !== 'current') worlds.push([wideWorld(), env('GNS_BENCH_WIDE_RATE', 3)]);
  for (const [world, rate] of worlds) {
    const t = await measure(world, rate, log);
    const p = pooled(t);
    const prefix = world.name === 'current' ? 'e2e.real' : 'e2e.wide';
    const c = p.usage.counts;
    const ops = FUNCTIONS.reduce((n, fn) => n + ddbOps(c[fn]), 0);
    const byCommand = new Map<string, number>();
    for (const fn of FUNCTIONS) for (const [k, v] of Object.entries(c[fn].ddbCalls)) byCommand.set(`${fn} ${k}`, (byCommand.get(`${fn} ${k}`) ?? 0) + v);
    log(`  ${world.name}, ${p.restarts} restarts over ${RUNS} runs, ${p.usage.busEntries} pod events (${(p.usage.busEntries / p.restarts).toFixed(2)} per restart):`);
    log(`    DynamoDB calls per pod event: ${[...byCommand].map(([k, v]) => `${k} ${(v / p.usage.busEntries).toFixed(2)}`).join(', ')}; ${(FUNCTIONS.reduce((n, fn) => n + c[fn].readUnits, 0) / p.restarts).toFixed(1)} RCU and ${(FUNCTIONS.reduce((n, fn) => n + c[fn].writeUnits, 0) / p.restarts).toFixed(1)} WCU per restart`);
    log(`    per restart: ${FUNCTIONS.map((fn) => `${fn} ${(c[fn].invocations / p.restarts).toFixed(2)} invocations`).join(', ')}; ${(c.sync.kubeRequests / p.restarts).toFixed(1)} Kubernetes requests; ${((c.ingest.sqsSends + c.sync.sqsSends + c.reconcile.sqsSends) / p.restarts).toFixed(2)} sync-queue sends; ${(c.sync.sqsDeletes / p.restarts).toFixed(2)} early deletes`);
    log(`    ${p.sliceWrites} slice writes for ${p.desiredChanges} desired changes; ${p.superseded} superseded, ${p.unconverged} unconverged`);
    figures[`${prefix}.dynamodb_ops_per_event`] = round(ops / p.usage.busEntries);
    figures[`${prefix}.propagation_p99_ms`] = percentile(p.latencies, 99);
    figures[`${prefix}.propagation_p50_ms`] = percentile(p.latencies, 50);
    figures[`${prefix}.writes_per_desired_change`] = round(p.desiredChanges === 0 ? 0 : p.sliceWrites / p.desiredChanges);
    figures[`${prefix}.process_cpu_ms_per_change`] = round(p.processCpuMs / p.restarts, 1);
    const cost = price(p.usage, PRICES, ASSUMPTIONS);
    const perMillion = (cost.total / p.restarts) * 1e6;
    log(`    $ per million restarts: DynamoDB ${((cost.dynamodb / p.restarts) * 1e6).toFixed(2)}, Lambda ${((cost.lambda / p.restarts) * 1e6).toFixed(2)} (${((cost.gbSeconds / p.restarts) * 1e6).toFixed(0)} GB-s), SQS ${((cost.sqs / p.restarts) * 1e6).toFixed(2)}, EventBridge ${((cost.eventBridge / p.restarts) * 1e6).toFixed(2)}, Logs ${((cost.logs / p.restarts) * 1e6).toFixed(2)}: ${perMillion.toFixed(2)}`);
    const fixed = priceFixed({
      reconcilePass: t.reconcilePass, reconcileMinutes: RECONCILE_MINUTES,
      snapshotRound: t.snapshotRound, snapshotMinutes: SNAPSHOT_MINUTES,
      clusters: world.clusters.length, alarms: alarmCount(world.clusters.length), dashboards: 1,
      customMetrics: metricSeries(world.clusters.length), tableBytes: t.tableBytes,
      idlePollersPerQueue: 5, secretReadsPerClusterPerHour: 2,
    }, PRICES, ASSUMPTIONS);
    log(`    fixed $ per month: reconcile ${fixed.reconcile.toFixed(2)} (a pass: ${FUNCTIONS.reduce((n, fn) => n + ddbOps(t.reconcilePass.counts[fn]), 0)} DynamoDB ops, ${t.reconcilePass.counts.sync.invocations} sync invocations), snapshots ${fixed.snapshots.toFixed(2)} (a round: ${t.snapshotRound.busEntries} events, ${FUNCTIONS.reduce((n, fn) => n + ddbOps(t.snapshotRound.counts[fn]), 0)} DynamoDB ops), idle polling ${fixed.idlePolling.toFixed(2)}, secrets ${fixed.secrets.toFixed(2)}, alarms ${fixed.alarms.toFixed(2)}, dashboard ${fixed.dashboards.toFixed(2)}, metrics ${fixed.metrics.toFixed(2)}, storage+PITR ${fixed.storageAndPitr.toFixed(4)}: ${fixed.total.toFixed(2)}`);
    if (world.name === 'current') {
      figures['e2e.real.dynamodb_ops_per_change'] = round(ops / p.restarts);
      figures['e2e.real.events_per_change'] = round(p.usage.busEntries / p.restarts);
      figures['cost.usd_per_million_changes'] = round(perMillion);
      figures['cost.usd_per_month_fixed'] = round(fixed.total);
    } else {
      figures['cost.usd_per_million_changes_wide'] = round(perMillion);
      figures['cost.usd_per_month_fixed_wide'] = round(fixed.total);
    }
  }
  return figures;
}
