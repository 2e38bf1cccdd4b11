// The CloudWatch namespace and names of the functions' metrics, shared by the functions that
// emit them (functions/metrics.ts) and the dashboard that graphs them (infra/constructs/dashboard.ts).
export const METRICS_NAMESPACE = 'GnsSync';
export type MetricName =
  | 'Syncs' | 'KubernetesWrites' | 'SyncFailures' | 'EventsRejected' | 'PropagationLag'
  | 'VipsUsed' | 'VipsFree' | 'VipPoolUsage';
