// Measured counts → dollars (issue 12). Pure: the bench measures, this prices.
//
// Lambda is billed per 1 ms at the deployed memory plus per request. A local run cannot show
// a Lambda's duration, so each invocation's duration is modelled: its measured thread CPU time
// plus a stated latency for every call it makes (DynamoDB, Kubernetes, SQS), as if the calls
// were made one after another — except that a sync batch's targets are synced side by side —
// the functions overlap many more of them, so this overstates.
import type { FunctionName } from '../local/runner/runtime.ts';
import type { Prices } from './cost-prices.ts';
import { ddbOps, FUNCTIONS } from './meter.ts';
import type { Counts } from './meter.ts';

export const HOURS_PER_MONTH = 730;

export interface Assumptions {
  /** Memory of each function as deployed (infra/stacks/stateless-stack.ts). */
  readonly memoryMb: Readonly<Record<FunctionName, number>>;
  /** Round trip of one DynamoDB call from Lambda in the same region. */
  readonly dynamodbCallMs: number;
  /** Round trip of one Kubernetes API call (another network; EKS endpoint). */
  readonly kubeCallMs: number;
  /** Round trip of one SQS SendMessageBatch. */
  readonly sqsCallMs: number;
  /** Lambda's START, END and REPORT lines per invocation. */
  readonly platformLogBytes: number;
  /** The handlers' own lines: ingest one per batch, sync one per synced target, reconcile two per pass. */
  readonly ingestLogBytes: number;
  readonly syncLogBytes: number;
  readonly reconcileLogBytes: number;
  /** One EMF metrics document per invocation. */
  readonly emfBytesPerInvocation: number;
}

export const ASSUMPTIONS: Assumptions = {
  memoryMb: { ingest: 512, sync: 1024, reconcile: 512 },
  dynamodbCallMs: 6,
  kubeCallMs: 25,
  sqsCallMs: 10,
  platformLogBytes: 330,
  ingestLogBytes: 420,
  syncLogBytes: 480,
  reconcileLogBytes: 800,
  emfBytesPerInvocation: 700,
};

/** What a measured window used. */
export interface Usage {
  readonly counts: Counts;
  /** CPU ms per invocation by function (from a metered run). */
  readonly cpuMsPerInvocation: Readonly<Record<FunctionName, number>>;
  /** EventBridge entries put (each ≤ 64 KB: one billed event), also one SendMessage each into the ingest queue. */
  readonly busEntries: number;
  /** Targets synced (one log line each). */
  readonly syncOutcomes: number;
}

export interface Dollars {
  readonly dynamodb: number;
  readonly lambda: number;
  readonly sqs: number;
  readonly eventBridge: number;
  readonly logs: number;
  readonly total: number;
}

export interface Breakdown extends Dollars {
  readonly readUnits: number;
  readonly writeUnits: number;
  readonly ddbOps: number;
  readonly invocations: number;
  readonly gbSeconds: number;
  readonly sqsStandardRequests: number;
  readonly sqsFifoRequests: number;
  readonly logBytes: number;
}

/** Modelled billed duration (ms) of one invocation of `fn`. */
export function durationMs(usage: Usage, fn: FunctionName, a: Assumptions = ASSUMPTIONS): number {
  const c = usage.counts[fn];
  if (c.invocations === 0) return 0;
  const calls = ddbOps(c) * a.dynamodbCallMs + c.kubeRequests * a.kubeCallMs + (c.sqsSends + c.sqsDeletes) * a.sqsCallMs;
  // A sync batch syncs its targets in parallel (functions/sync/batch.ts): each target's calls
  // one after another, the targets side by side.
  const lanes = fn === 'sync' ? Math.max(1, usage.syncOutcomes / c.invocations) : 1;
  return Math.ceil(usage.cpuMsPerInvocation[fn] + calls / c.invocations / lanes);
}

const deletes = (invocations: number, records: number) => (invocations === 0 ? 0 : invocations * Math.ceil(records / invocations / 10));

export function price(usage: Usage, prices: Prices, a: Assumptions = ASSUMPTIONS): Breakdown {
  const c = usage.counts;
  const readUnits = FUNCTIONS.reduce((n, fn) => n + c[fn].readUnits, 0);
  const writeUnits = FUNCTIONS.reduce((n, fn) => n + c[fn].writeUnits, 0);
  const ops = FUNCTIONS.reduce((n, fn) => n + ddbOps(c[fn]), 0);
  const invocations = FUNCTIONS.reduce((n, fn) => n + c[fn].invocations, 0);
  const gbSeconds = FUNCTIONS.reduce((n, fn) => n + c[fn].invocations * (durationMs(usage, fn, a) / 1000) * (a.memoryMb[fn] / 1024), 0);
  // Ingest queue (standard): EventBridge's SendMessage per event, the event source's receive per batch and delete per 10.
  const sqsStandardRequests = usage.busEntries + c.ingest.invocations + deletes(c.ingest.invocations, c.ingest.records);
  // Sync queue (FIFO): SendMessageBatch calls, a receive per batch, a delete per 10 by the event
  // source, and the sync function's own early deletes (functions/sync/early-release.ts).
  const sqsFifoRequests = c.ingest.sqsSends + c.reconcile.sqsSends + c.sync.sqsSends + c.sync.invocations + deletes(c.sync.invocations, c.sync.records) + c.sync.sqsDeletes;
  const logBytes =
    invocations * (a.platformLogBytes + a.emfBytesPerInvocation) +
    c.ingest.invocations * a.ingestLogBytes +
    usage.syncOutcomes * a.syncLogBytes +
    c.reconcile.invocations * a.reconcileLogBytes;
  const dynamodb = (readUnits * prices.dynamodbReadPerMillionUnits + writeUnits * prices.dynamodbWritePerMillionUnits) / 1e6;
  const lambda = gbSeconds * prices.lambdaArmPerGbSecond + (invocations * prices.lambdaPerMillionRequests) / 1e6;
  const sqs = (sqsStandardRequests * prices.sqsStandardPerMillionRequests + sqsFifoRequests * prices.sqsFifoPerMillionRequests) / 1e6;
  const eventBridge = (usage.busEntries * prices.eventBridgePerMillionEvents) / 1e6;
  const logs = (logBytes / 1024 ** 3) * prices.logsIngestionPerGb;
  return {
    dynamodb, lambda, sqs, eventBridge, logs, total: dynamodb + lambda + sqs + eventBridge + logs,
    readUnits, writeUnits, ddbOps: ops, invocations, gbSeconds, sqsStandardRequests, sqsFifoRequests, logBytes,
  };
}

/** What runs when nothing changes, per month. */
export interface FixedInputs {
  /** One reconcile pass with the syncs it enqueues, in a quiet world. */
  readonly reconcilePass: Usage;
  readonly reconcileMinutes: number;
  /** One round of every agent's periodic namespace snapshots, in a quiet world. */
  readonly snapshotRound: Usage;
  readonly snapshotMinutes: number;
  readonly clusters: number;
  /** The stateless stack's alarms (fixed-counts.ts `alarmCount`). */
  readonly alarms: number;
  readonly dashboards: number;
  /** Distinct EMF metric series, name × dimension values (fixed-counts.ts `metricSeries`). */
  readonly customMetrics: number;
  readonly tableBytes: number;
  /**
   * Empty receives of the two queues' Lambda event sources: each keeps pollers long-polling
   * (20 s) whether or not messages arrive; 5 pollers per queue assumed.
   */
  readonly idlePollersPerQueue: number;
  /** GetSecretValue calls: one per cluster secret per new container; one new container per function per hour assumed. */
  readonly secretReadsPerClusterPerHour: number;
}

export interface FixedBreakdown {
  readonly reconcile: number;
  readonly snapshots: number;
  readonly idlePolling: number;
  readonly secrets: number;
  readonly alarms: number;
  readonly dashboards: number;
  readonly metrics: number;
  readonly storageAndPitr: number;
  readonly total: number;
}

export function priceFixed(f: FixedInputs, prices: Prices, a: Assumptions = ASSUMPTIONS): FixedBreakdown {
  const minutes = HOURS_PER_MONTH * 60;
  const reconcile = price(f.reconcilePass, prices, a).total * (minutes / f.reconcileMinutes);
  const snapshots = price(f.snapshotRound, prices, a).total * (minutes / f.snapshotMinutes);
  const idleRequests = f.idlePollersPerQueue * 3 * minutes; // a 20 s long poll: 3 a minute per poller
  const idlePolling = (idleRequests * prices.sqsStandardPerMillionRequests + idleRequests * prices.sqsFifoPerMillionRequests) / 1e6;
  const secrets = f.clusters * prices.secretPerMonth + ((f.clusters * f.secretReadsPerClusterPerHour * HOURS_PER_MONTH) / 1e4) * prices.secretsPer10kCalls;
  const alarms = f.alarms * prices.standardAlarmPerMonth;
  const dashboards = f.dashboards * prices.dashboardPerMonth;
  const metrics = f.customMetrics * prices.customMetricPerMonth;
  const storageAndPitr = (f.tableBytes / 1024 ** 3) * (prices.dynamodbStoragePerGbMonth + prices.dynamodbPitrPerGbMonth);
  return {
    reconcile, snapshots, idlePolling, secrets, alarms, dashboards, metrics, storageAndPitr,
    total: reconcile + snapshots + idlePolling + secrets + alarms + dashboards + metrics + storageAndPitr,
  };
}
