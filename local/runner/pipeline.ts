// The three functions with local deps: the same handlers as in Lambda (middy, Powertools
// parser and logger, `createHandler(deps)`), over dynalite, the kubeconfig's clusters, the
// local sync queue and the dead-letter files.
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createHandler as createIngestHandler } from '../../functions/ingest/handler.ts';
import type { Log, LogAttributes } from '../../functions/log.ts';
import type { MetricPoint } from '../../functions/metrics.ts';
import { fromPowertools } from '../../functions/log.ts';
import { createHandler as createReconcileHandler } from '../../functions/reconcile/handler.ts';
import { createHandler as createSyncHandler } from '../../functions/sync/handler.ts';
import type { SyncOutcome } from '../../functions/sync/sync.ts';
import { indexTopology } from '../../functions/topology.ts';
import { guardClusterApis } from '../../shared/adapters/kubernetes/guarded-cluster-apis.ts';
import { DynamoIncarnationStore } from '../../shared/adapters/dynamodb/incarnation-store.ts';
import { DynamoPublishedVipsStore } from '../../shared/adapters/dynamodb/published-vips-store.ts';
import { DynamoStateStore } from '../../shared/adapters/dynamodb/state-store.ts';
import { DynamoTargetStatusStore } from '../../shared/adapters/dynamodb/target-status-store.ts';
import { DynamoVipAllocator } from '../../shared/adapters/dynamodb/vip-allocator.ts';
import type { Config } from '../../shared/config/schema.ts';
import { parseTargetKey } from '../../shared/core/identity.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import type { ClusterApis, DeadLetters, SyncQueue, SyncReleaser, TargetStatusStore } from '../../shared/ports.ts';
import type { RoutingDeps } from '../../functions/sync/routing-client.ts';
import type { AgentLeaseRef } from '../../functions/handback.ts';
import { LOCAL_ACCOUNT } from '../bus/envelope.ts';
import type { LocalDynamo } from '../dynamo/start.ts';
import type { SqsBatchResponse, SqsEvent, SqsHandler } from '../queue/sqs-shape.ts';
import { lambdaContext, scheduledEvent } from './lambda-context.ts';

/** What the runner logs per sync: target, endpoints, writes, ms (or the error). */
export interface SyncLine {
  readonly target: TargetRef;
  readonly endpoints: number;
  readonly writes: number;
  readonly ms: number;
  readonly error?: string;
}

export interface PipelineOptions {
  readonly config: Config;
  readonly dynamo: LocalDynamo;
  readonly clusters: ClusterApis;
  /** routing: istio — the Istio config clusters (docs/adr/0013-routing-through-istio.md). */
  readonly routing?: RoutingDeps;
  /** The Istio config clusters for the reconcile's routing sweep, whatever `routing` is (functions/reconcile/routing-sweep.ts). */
  readonly routingSweep?: RoutingDeps;
  readonly syncQueue: SyncQueue;
  /** Deletes a synced target's messages while the rest of its batch runs (docs/adr/0005-queues.md). */
  readonly syncRelease?: SyncReleaser;
  readonly deadLetters: DeadLetters;
  readonly syncDeadLetters?: DeadLetters;
  /** The functions' Powertools log level (failed syncs are sync lines whatever the level). */
  readonly logLevel: 'INFO' | 'ERROR' | 'SILENT';
  /** The agents' Lease, where the functions hand back incarnation and floor (false: agents without a Lease). */
  readonly agentLease?: AgentLeaseRef | false;
  /** The sync function's metric points of every batch (the CloudWatch metrics in Lambda): `status` keeps the propagation lag. */
  readonly onSyncMetrics?: (points: readonly MetricPoint[]) => void;
}

export interface Pipeline {
  readonly ingest: SqsHandler;
  readonly sync: SqsHandler;
  reconcile(): Promise<void>;
  /**
   * Reads the store's incarnation, beginning one if the table has none (docs/adr/0014-store-completeness.md):
   * called before the agents start, so that their start snapshots already count.
   */
  beginIncarnation(): Promise<void>;
  readonly statuses: TargetStatusStore;
  /** The VIP allocator and the state store (`status`: pool usage and overlap). */
  readonly vips: DynamoVipAllocator;
  readonly store: DynamoStateStore;
  onSync(listener: (line: SyncLine) => void): void;
}

type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** The use cases' Log: Powertools JSON lines at the chosen level; failed syncs also become SyncLines. */
export function runnerLog(serviceName: string, logLevel: PipelineOptions['logLevel'], onFailedSync: (target: string, error: string) => void): { logger: Logger; log: Log } {
  const logger = new Logger({ serviceName, logLevel });
  const base = fromPowertools(logger);
  // A failed sync is a line whether it will be retried (warn) or not (error: a FinalError such as a 403).
  const failed = (message: string, attributes?: LogAttributes) => {
    if (message.startsWith('sync failed') && typeof attributes?.target === 'string') onFailedSync(attributes.target, String(attributes.error));
  };
  const log: Log = {
    ...base,
    warn(message: string, attributes?: LogAttributes) {
      failed(message, attributes);
      base.warn(message, attributes);
    },
    error(message: string, attributes?: LogAttributes) {
      failed(message, attributes);
      base.error(message, attributes);
    },
  };
  return { logger, log };
}

export function buildPipeline(options: PipelineOptions): Pipeline {
  const { dynamo, config } = options;
  const topology = indexTopology(config);
  const store = new DynamoStateStore({ client: dynamo.client, tableName: dynamo.tableName });
  const vips = new DynamoVipAllocator({ client: dynamo.client, tableName: dynamo.tableName, pool: config.vipPool, releaseAfterMs: config.vipReleaseAfterMs });
  const statuses = new DynamoTargetStatusStore({ client: dynamo.client, tableName: dynamo.tableName });
  const incarnation = new DynamoIncarnationStore({ client: dynamo.client, tableName: dynamo.tableName });
  const published = new DynamoPublishedVipsStore({ client: dynamo.client, tableName: dynamo.tableName });
  const clock = { now: () => Date.now() };
  const listeners: ((line: SyncLine) => void)[] = [];
  const emit = (line: SyncLine) => { for (const l of listeners) l(line); };
  const onSynced = (o: SyncOutcome) => emit({ target: o.target, endpoints: o.endpoints, writes: o.writes, ms: o.ms });
  const onFailedSync = (key: string, error: string) => {
    try {
      emit({ target: parseTargetKey(key), endpoints: 0, writes: 0, ms: 0, error });
    } catch {
      // not a target key: nothing to report per target
    }
  };

  const ingestLog = runnerLog('gns-sync-ingest', options.logLevel, onFailedSync);
  const syncLog = runnerLog('gns-sync-sync', options.logLevel, onFailedSync);
  const reconcileLog = runnerLog('gns-sync-reconcile', options.logLevel, onFailedSync);

  // Every local event comes from the local bus's account (the config's awsAccountId is the cloud's).
  const ingest = createIngestHandler({ topology, store, incarnation, queue: options.syncQueue, deadLetters: options.deadLetters, clock, log: ingestLog.log, accountOf: () => LOCAL_ACCOUNT }, { logger: ingestLog.logger }) as unknown as LambdaHandler<SqsEvent, SqsBatchResponse>;
  const sync = createSyncHandler({
    // Lambda's circuit breaker per cluster (ADR 5): a FIFO batch mixes targets, as in AWS (ADR 12).
    topology, store, vips, statuses, incarnation, clusters: guardClusterApis(options.clusters, { clock: () => clock.now() }), clock, onSynced, log: syncLog.log,
    ...(options.routing ? { routing: options.routing, queue: options.syncQueue } : {}),
    ...(options.agentLease === undefined ? {} : { agentLease: options.agentLease }),
    ...(options.syncDeadLetters ? { deadLetters: options.syncDeadLetters } : {}),
    ...(options.syncRelease ? { release: options.syncRelease } : {}),
  }, { logger: syncLog.logger, ...(options.onSyncMetrics ? { onMetrics: options.onSyncMetrics } : {}) }) as unknown as LambdaHandler<SqsEvent, SqsBatchResponse>;
  const reconcile = createReconcileHandler({
    topology, store, incarnation, published, queue: options.syncQueue, vips, clusters: options.clusters, clock, log: reconcileLog.log,
    ...(options.routingSweep ? { routing: options.routingSweep } : {}),
    ...(options.agentLease === undefined ? {} : { agentLease: options.agentLease }),
  }, { logger: reconcileLog.logger }) as unknown as LambdaHandler<unknown, unknown>;

  return {
    ingest: (event) => ingest(event, lambdaContext('gns-sync-ingest')),
    sync: (event) => sync(event, lambdaContext('gns-sync-sync')),
    reconcile: async () => { await reconcile(scheduledEvent(new Date()), lambdaContext('gns-sync-reconcile')); },
    beginIncarnation: async () => { await incarnation.current(clock.now()); },
    statuses,
    vips,
    store,
    onSync: (listener) => void listeners.push(listener),
  };
}
