// What the stateless stack bills per month whatever the traffic, counted from what it defines
// (issue 14): its CloudWatch alarms and the EMF metric series the functions emit. The fixed
// cost (cost-model.ts `priceFixed`) takes these instead of hand-kept numbers, and
// test/infra/dashboard.test.ts checks them against the synthesized template and the emitters.
import { REJECTION_REASONS } from '../shared/schemas/rejections.ts';

/**
 * infra/constructs/alarms.ts (2 dead-letter queues, 2 work-queue lags, 3 function errors) and
 * infra/constructs/dashboard.ts (propagation p99 per cluster, VIP pool usage).
 */
export function alarmCount(clusters: number): number {
  return 2 + 2 + 3 + clusters + 1;
}

/**
 * Distinct metric series (name × dimension values) of functions/metrics.ts emitted every hour:
 * per cluster Syncs, KubernetesWrites, SyncFailures, PropagationLag; for the pool VipsUsed,
 * VipsFree, VipPoolUsage. CloudWatch bills a series by the hour it receives data in, so the
 * EventsRejected series (`REJECTION_SERIES`, one per reason) cost nothing while no event is rejected.
 */
export function metricSeries(clusters: number): number {
  return clusters * 4 + 3;
}

/** EventsRejected: one series per reason, billed only in the hours an event is rejected for it. */
export const REJECTION_SERIES = REJECTION_REASONS.length;
