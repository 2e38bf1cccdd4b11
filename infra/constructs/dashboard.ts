// The CloudWatch dashboard of the functions' EMF metrics (functions/metrics.ts): per target
// cluster, propagation lag (p50, p99), syncs, the Kubernetes writes they made and failed syncs;
// events the ingest rejected. The alarm on propagation p99 lives here too (its metric's definition).
// Only the metrics the functions emit are graphed: no widget that can never show data.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/metric-names.ts';
import type { MetricName } from '../../shared/metric-names.ts';

export interface DashboardProps {
  readonly dashboardName: string;
  /** The clusters of the config: one line per cluster in each per-cluster graph. */
  readonly clusters: readonly string[];
  /** Alarm when a cluster's propagation p99 is above this for 3 minutes. */
  readonly propagationP99Ms: number;
  readonly alarmTopic: sns.ITopic;
}

/** A metric of the functions (namespace GnsSync), summed per minute. */
export function gnsMetric(name: MetricName, service: 'ingest' | 'sync', dimensions: Readonly<Record<string, string>> = {}, statistic = 'Sum'): cloudwatch.Metric {
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

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const perCluster = (metric: MetricName, title: string) => new cloudwatch.GraphWidget({
      title,
      width: 12,
      left: props.clusters.map((c) => gnsMetric(metric, 'sync', { Cluster: c }).with({ label: c })),
    });
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
          new cloudwatch.GraphWidget({ title: 'Events rejected (dead-lettered as invalid)', width: 12, left: [gnsMetric('EventsRejected', 'ingest')] })],
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
  }
}
