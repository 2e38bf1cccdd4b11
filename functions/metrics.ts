// CloudWatch metrics of the functions, in Embedded Metric Format through Powertools Metrics:
// one JSON line in the function's log per metric, which CloudWatch turns into a metric (no
// PutMetricData calls, no extra permission). Few dimensions (each distinct set is a billed
// metric): the cluster a sync wrote to, the reason of a rejection, the pool or the GNS; nothing else.
//   Syncs, KubernetesWrites, SyncFailures   per Cluster   (sync function)
//   PropagationLag (ms)                     per Cluster   (sync function: from the agent's observation of
//                                                          the earliest change behind a sync to its writes)
//   EventsRejected                          per Reason    (ingest function: dead-lettered events, by the
//                                                          fixed reasons of shared/schemas/rejections.ts)
//   VipsUsed, VipsFree, VipPoolUsage (%)    per Pool      (reconcile function: the pool read its release
//                                                          does anyway; used = held or in quarantine)
// Not per GNS: a series per GNS would cost $0.30 a month each; `gns-sync status` shows the split.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { targetKey } from '../shared/core/identity.ts';
import { METRICS_NAMESPACE } from '../shared/metric-names.ts';
import type { MetricName } from '../shared/metric-names.ts';
import { poolUsage } from '../shared/core/pool-usage.ts';
import type { IngestResult } from './ingest/ingest.ts';
import type { ReconcileResult } from './reconcile/reconcile.ts';
import type { SyncBatchResult } from './sync/batch.ts';

export { METRICS_NAMESPACE };

export interface MetricPoint {
  readonly name: MetricName;
  readonly value: number;
  /** Count unless said. */
  readonly unit?: 'Milliseconds' | 'Percent';
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Per target cluster: syncs done, Kubernetes writes they made, syncs that failed. */
export function syncMetricPoints(result: Pick<SyncBatchResult, 'outcomes' | 'failed'> & Partial<Pick<SyncBatchResult, 'observedAt'>>, now?: number): MetricPoint[] {
  const byCluster = new Map<string, { syncs: number; writes: number; failures: number }>();
  const of = (cluster: string) => {
    let entry = byCluster.get(cluster);
    if (!entry) byCluster.set(cluster, (entry = { syncs: 0, writes: 0, failures: 0 }));
    return entry;
  };
  for (const o of result.outcomes) {
    const e = of(o.target.cluster);
    e.syncs += 1;
    e.writes += o.writes;
  }
  for (const f of result.failed) of(f.target.cluster).failures += 1;
  const counts = [...byCluster.entries()].sort(([a], [b]) => a.localeCompare(b)).flatMap(([cluster, e]) => [
    { name: 'Syncs' as const, value: e.syncs, dimensions: { Cluster: cluster } },
    { name: 'KubernetesWrites' as const, value: e.writes, dimensions: { Cluster: cluster } },
    { name: 'SyncFailures' as const, value: e.failures, dimensions: { Cluster: cluster } },
  ]);
  // A sync that wrote something propagated its causes; one that wrote nothing had nothing to carry.
  const lags = now === undefined ? [] : result.outcomes.flatMap((o): MetricPoint[] => {
    const observed = result.observedAt?.get(targetKey(o.target));
    if (observed === undefined || o.writes === 0) return [];
    return [{ name: 'PropagationLag', unit: 'Milliseconds', value: Math.max(0, now - observed), dimensions: { Cluster: o.target.cluster } }];
  });
  return [...counts, ...lags];
}

/** Events the ingest dead-lettered as invalid, one point per reason seen (none: no point, so a quiet batch costs nothing). */
export function ingestMetricPoints(result: Pick<IngestResult, 'rejected'>): MetricPoint[] {
  return Object.entries(result.rejected).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b))
    .map(([reason, n]) => ({ name: 'EventsRejected', value: n, dimensions: { Reason: reason } }));
}

/** How full the VIP pool is, when the reconcile read it. */
export function reconcileMetricPoints(result: Pick<ReconcileResult, 'pool'>, pool: string): MetricPoint[] {
  if (!result.pool) return [];
  const usage = poolUsage(pool, result.pool);
  return [
    { name: 'VipsUsed', value: usage.used, dimensions: { Pool: pool } },
    { name: 'VipsFree', value: usage.free, dimensions: { Pool: pool } },
    { name: 'VipPoolUsage', unit: 'Percent', value: usage.percent, dimensions: { Pool: pool } },
  ];
}

/** One EMF line per point, with its dimensions only (Powertools' single metrics). */
export function publishMetrics(metrics: Metrics | undefined, points: readonly MetricPoint[]): void {
  if (metrics === undefined) return;
  for (const p of points) {
    const single = metrics.singleMetric();
    for (const [name, value] of Object.entries(p.dimensions)) single.addDimension(name, value);
    single.addMetric(p.name, p.unit === 'Milliseconds' ? MetricUnit.Milliseconds : p.unit === 'Percent' ? MetricUnit.Percent : MetricUnit.Count, p.value);
  }
}

/** The functions' Metrics in Lambda; none elsewhere (the local runner and tests run the same handlers). */
export function lambdaMetrics(serviceName: string, env: NodeJS.ProcessEnv = process.env): Metrics | undefined {
  if (env.AWS_LAMBDA_FUNCTION_NAME === undefined) return undefined;
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName });
}
