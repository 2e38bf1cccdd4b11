// The three functions with local deps: the same use cases and handlers as in Lambda, over
// dynalite, the kubeconfig's clusters, the local sync queue and the dead-letter files.
import type { Context } from 'aws-lambda';
import { indexTopology } from '../../functions/topology.ts';
import type { SyncOutcome } from '../../functions/sync/sync.ts';
import { DynamoStateStore } from '../../shared/adapters/dynamodb/state-store.ts';
import { DynamoVipAllocator } from '../../shared/adapters/dynamodb/vip-allocator.ts';
import { DynamoTargetStatusStore } from '../../shared/adapters/dynamodb/status-store.ts';
import type { Config } from '../../shared/config/schema.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import type { ClusterApis, DeadLetters, SyncQueue, TargetStatusStore } from '../../shared/ports.ts';
import { createHandler as createIngestHandler } from '../../functions/ingest/handler.ts';
import { createHandler as createSyncHandler } from '../../functions/sync/handler.ts';
import { createHandler as createReconcileHandler } from '../../functions/reconcile/handler.ts';
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
  readonly syncQueue: SyncQueue;
  readonly deadLetters: DeadLetters;
  readonly syncDeadLetters?: DeadLetters;
  readonly verbose: boolean;
}

export interface Pipeline {
  readonly ingest: SqsHandler;
  readonly sync: SqsHandler;
  reconcile(): Promise<void>;
  readonly statuses: TargetStatusStore;
  onSync(listener: (line: SyncLine) => void): void;
}

type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

export function buildPipeline(options: PipelineOptions): Pipeline {
  const { dynamo, config } = options;
  const topology = indexTopology(config);
  const store = new DynamoStateStore({ client: dynamo.client, tableName: dynamo.tableName });
  const vips = new DynamoVipAllocator({ client: dynamo.client, tableName: dynamo.tableName, pool: config.vipPool, releaseAfterMs: config.vipReleaseAfterMs });
  const statuses = new DynamoTargetStatusStore({ client: dynamo.client, tableName: dynamo.tableName });
  const clock = { now: () => Date.now() };
  const listeners: ((line: SyncLine) => void)[] = [];
  const emit = (line: SyncLine) => { for (const l of listeners) l(line); };
  const onSynced = (o: SyncOutcome) => emit({ target: o.target, endpoints: o.endpoints, writes: o.writes, ms: o.ms });
  const logLevel = options.verbose ? 'INFO' : 'CRITICAL';

  const ingest = createIngestHandler({ topology, store, queue: options.syncQueue, deadLetters: options.deadLetters, clock, logLevel }) as LambdaHandler<SqsEvent, SqsBatchResponse>;
  const sync = createSyncHandler({
    topology, store, vips, statuses, clusters: options.clusters, clock, onSynced, logLevel,
    ...(options.syncDeadLetters ? { deadLetters: options.syncDeadLetters } : {}),
  }) as LambdaHandler<SqsEvent, SqsBatchResponse>;
  const reconcile = createReconcileHandler({ topology, store, queue: options.syncQueue, vips, clusters: options.clusters, clock, logLevel }) as LambdaHandler<unknown, unknown>;

  return {
    ingest: (event) => ingest(event, lambdaContext('gns-sync-ingest')),
    sync: (event) => sync(event, lambdaContext('gns-sync-sync')),
    reconcile: async () => { await reconcile(scheduledEvent(new Date()), lambdaContext('gns-sync-reconcile')); },
    statuses,
    onSync: (listener) => void listeners.push(listener),
  };
}
