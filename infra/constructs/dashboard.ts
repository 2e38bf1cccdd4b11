// The CloudWatch dashboard of the functions' EMF metrics (functions/metrics.ts): per target
// cluster, syncs, the Kubernetes writes they made and failed syncs; events the ingest rejected.
// Only the metrics the functions emit are graphed: no widget that can never show data.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../shared/metric-names.ts';
import type { MetricName } from '../../shared/metric-names.ts';

export interface DashboardProps {
  readonly dashboardName: string;
  /** The clusters of the config: one line per cluster in each per-cluster graph. */
  readonly clusters: readonly string[];
}

/** A metric of the functions (namespace GnsSync), summed per minute. */
export function gnsMetric(name: MetricName, service: 'ingest' | 'sync', dimensions: Readonly<Record<string, string>> = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: `gns-sync-${service}`, ...dimensions },
    statistic: 'Sum',
    period: Duration.minutes(1),
  });
}

export class GnsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const perCluster = (metric: MetricName, title: string) => new cloudwatch.GraphWidget({
      title,
      width: 12,
      left: props.clusters.map((c) => gnsMetric(metric, 'sync', { Cluster: c }).with({ label: c })),
    });
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [perCluster('Syncs', 'Syncs per target cluster'), perCluster('KubernetesWrites', 'Kubernetes writes per target cluster')],
        [perCluster('SyncFailures', 'Failed syncs per target cluster (retried)'),
          new cloudwatch.GraphWidget({ title: 'Events rejected (dead-lettered as invalid)', width: 12, left: [gnsMetric('EventsRejected', 'ingest')] })],
      ],
    });
  }
}
