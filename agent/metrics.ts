// The agent's Prometheus metrics, in a registry of its own (several agents run in one process
// locally; the global registry would mix them).
import { Counter, Gauge, Registry } from 'prom-client';

export class AgentMetrics {
  readonly registry: Registry;
  readonly published: Counter;
  readonly failed: Counter;
  readonly buffered: Gauge;
  readonly dropped: Counter;
  readonly watchRestarts: Counter;
  readonly snapshots: Counter;
  readonly snapshotsUnchanged: Counter;

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
    this.snapshotsUnchanged = new Counter({ name: 'gns_sync_agent_snapshots_unchanged_total', help: 'Relists that found nothing new, so published no snapshot', registers });
  }

  /** The current value of a counter or gauge (tests, status). */
  static async value(metric: Counter | Gauge): Promise<number> {
    const data = await metric.get();
    return data.values.reduce((sum, v) => sum + v.value, 0);
  }
}
