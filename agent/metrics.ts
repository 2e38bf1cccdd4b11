// The agent's Prometheus metrics, in a registry of its own (several agents run in one process
// locally; the global registry would mix them).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Seconds: from a few ms (a healthy bus) to minutes (a bus outage buffered through). */
export const PUBLISH_LAG_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class AgentMetrics {
  readonly registry: Registry;
  readonly published: Counter;
  readonly failed: Counter;
  readonly buffered: Gauge;
  readonly dropped: Counter;
  readonly watchRestarts: Counter;
  readonly snapshots: Counter;
  readonly snapshotsUnchanged: Counter;
  readonly publishLag: Histogram;

  constructor(cluster: string) {
    this.registry = new Registry();
    this.registry.setDefaultLabels({ cluster });
    const registers = [this.registry];
    this.published = new Counter({ name: 'gns_sync_agent_events_published_total', help: 'Bus entries accepted by the event bus', registers });
    this.failed = new Counter({ name: 'gns_sync_agent_events_failed_total', help: 'Bus entries rejected with an error that retrying cannot fix', registers });
    this.buffered = new Gauge({ name: 'gns_sync_agent_events_buffered', help: 'Bus entries waiting to be published', registers });
    this.dropped = new Counter({ name: 'gns_sync_agent_events_dropped_total', help: 'Bus entries dropped because the buffer was full (a resnapshot covers them)', registers });
    this.watchRestarts = new Counter({ name: 'gns_sync_agent_watch_restarts_total', help: 'Informers restarted after an error', registers });
    this.snapshots = new Counter({ name: 'gns_sync_agent_snapshots_total', help: 'Namespace snapshots published', registers });
    this.publishLag = new Histogram({
      name: 'gns_sync_agent_publish_lag_seconds',
      help: 'From the agent observing a change (the event\'s observedAt) to PutEvents acknowledging its entry, per accepted entry',
      buckets: PUBLISH_LAG_BUCKETS,
      registers,
    });
    this.snapshotsUnchanged = new Counter({ name: 'gns_sync_agent_snapshots_unchanged_total', help: 'Relists that found nothing new, so published no snapshot', registers });
  }

  /** The current value of a counter or gauge (tests, status). */
  static async value(metric: Counter | Gauge): Promise<number> {
    const data = await metric.get();
    return data.values.reduce((sum, v) => sum + v.value, 0);
  }
}
