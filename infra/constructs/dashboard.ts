// The CloudWatch dashboard of the functions' EMF metrics (functions/metrics.ts): per target
// cluster, propagation lag (p50, p99), syncs, the Kubernetes writes they made and failed syncs;
// events the ingest rejected, per reason; the VIP pool's usage. The alarms on
// propagation p99 and on pool usage live here too (their metrics' definitions).
// Only the metrics the functions emit are graphed: no widget that can never show data.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/metric-names.ts';
import type { MetricName } from '../../shared/metric-names.ts';
import { REJECTION_REASONS } from '../../shared/schemas/rejections.ts';

/** Alarm when the VIP pool is fuller than this (percent of its usable addresses, held or in quarantine). */
export const POOL_USAGE_ALARM_PERCENT = 90;

export interface DashboardProps {
  readonly dashboardName: string;
  /** The clusters of the config: one line per cluster in each per-cluster graph. */
  readonly clusters: readonly string[];
  /** Alarm when a cluster's propagation p99 is above this for 3 minutes. */
  readonly propagationP99Ms: number;
  /** The config's vipPool (the Pool dimension). */
  readonly vipPool: string;
  /** The reconcile's period, which emits the VIP gauges (minutes). */
  readonly reconcileMinutes: number;
  readonly alarmTopic: sns.ITopic;
}

/** A metric of the functions (namespace GnsSync), summed per minute. */
export function gnsMetric(name: MetricName, service: 'ingest' | 'sync' | 'reconcile', dimensions: Readonly<Record<string, string>> = {}, statistic = 'Sum'): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: `gns-sync-${service}`, ...dimensions },
    statistic,
    period: Duration.minutes(1),
  });
}

export class GnsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly propagationAlarms: readonly cloudwatch.Alarm[];
  readonly poolAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const perCluster = (metric: MetricName, title: string) => new cloudwatch.GraphWidget({
      title,
      width: 12,
      left: props.clusters.map((c) => gnsMetric(metric, 'sync', { Cluster: c }).with({ label: c })),
    });
    // The reconcile emits the VIP gauges once per run: a period of at least its own (5 minutes
    // or more) always holds a reading, and its maximum is the fullest the pool was.
    const gaugePeriod = Duration.minutes(Math.max(5, props.reconcileMinutes));
    const poolMetric = (name: MetricName) => gnsMetric(name, 'reconcile', { Pool: props.vipPool }, 'Maximum').with({ period: gaugePeriod });
    const lag = (c: string, stat: 'p50' | 'p99') => gnsMetric('PropagationLag', 'sync', { Cluster: c }, stat).with({ label: `${c} ${stat}` });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [new cloudwatch.GraphWidget({
          title: 'Propagation lag (ms): agent observation → target written, p50 and p99',
          width: 24,
          left: props.clusters.flatMap((c) => [lag(c, 'p50'), lag(c, 'p99')]),
          leftAnnotations: [{ value: props.propagationP99Ms, label: 'p99 alarm' }],
        })],
        [perCluster('Syncs', 'Syncs per target cluster'), perCluster('KubernetesWrites', 'Kubernetes writes per target cluster')],
        [perCluster('SyncFailures', 'Failed syncs per target cluster (retried)'),
          new cloudwatch.GraphWidget({
            title: 'Events rejected (dead-lettered as invalid), per reason',
            width: 12,
            left: REJECTION_REASONS.map((r) => gnsMetric('EventsRejected', 'ingest', { Reason: r }).with({ label: r })),
          })],
        // Gauges of the reconcile (once per run): the maximum of the period is the state.
        [new cloudwatch.GraphWidget({
          title: `VIP pool ${props.vipPool}: used (held or in quarantine) and free addresses`,
          width: 12,
          left: [poolMetric('VipsUsed').with({ label: 'used' }), poolMetric('VipsFree').with({ label: 'free' })],
        }), new cloudwatch.GraphWidget({
          title: `VIP pool ${props.vipPool}: usage (%)`,
          width: 12,
          left: [poolMetric('VipPoolUsage').with({ label: 'usage %' })],
          leftYAxis: { min: 0, max: 100 },
          leftAnnotations: [{ value: POOL_USAGE_ALARM_PERCENT, label: 'alarm' }],
        })],
      ],
    });
    this.propagationAlarms = props.clusters.map((c) => {
      const alarm = new cloudwatch.Alarm(this, `Propagation-${c}`, {
        metric: gnsMetric('PropagationLag', 'sync', { Cluster: c }, 'p99'),
        threshold: props.propagationP99Ms,
        evaluationPeriods: 3,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `gns-sync: names reach cluster ${c} slowly — propagation p99 above ${props.propagationP99Ms} ms for 3 minutes (agent observation → target written).`,
      });
      alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      alarm.addOkAction(new actions.SnsAction(props.alarmTopic));
      return alarm;
    });
    // Missing data (no reconcile ran, or it could not read the pool) keeps the alarm's state:
    // the errors alarm of the reconcile function reports that case.
    this.poolAlarm = new cloudwatch.Alarm(this, 'VipPoolUsage', {
      metric: poolMetric('VipPoolUsage'),
      threshold: POOL_USAGE_ALARM_PERCENT,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      alarmDescription: `gns-sync: VIP pool ${props.vipPool} is more than ${POOL_USAGE_ALARM_PERCENT} % used (held or in quarantine): widen vipPool in the config (docs/adr/0004-vip-allocation.md) before allocations fail (VipPoolExhausted Warnings on the targets).`,
    });
    this.poolAlarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
    this.poolAlarm.addOkAction(new actions.SnsAction(props.alarmTopic));
  }
}
