// The three functions with local deps: the same use cases as in Lambda, over dynalite, the
// kubeconfig's clusters, the local sync queue and the dead-letter files.
import { ingestBatch } from '../../functions/ingest/ingest.ts';
import { reconcile as reconcileUseCase } from '../../functions/reconcile/reconcile.ts';
import { syncBatch } from '../../functions/sync/batch.ts';
import type { SyncOutcome } from '../../functions/sync/sync.ts';
import { indexTopology } from '../../functions/topology.ts';
import { DynamoStateStore } from '../../shared/adapters/dynamodb/state-store.ts';
import { DynamoVipAllocator } from '../../shared/adapters/dynamodb/vip-allocator.ts';
import type { Config } from '../../shared/config/schema.ts';
import { targetKey } from '../../shared/core/identity.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import type { ClusterApis, DeadLetters, SyncQueue, TargetStatus, TargetStatusStore } from '../../shared/ports.ts';
import type { LocalDynamo } from '../dynamo/start.ts';
import type { SqsHandler } from '../queue/sqs-shape.ts';

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

class MemoryStatuses implements TargetStatusStore {
  readonly #m = new Map<string, TargetStatus>();
  async record(s: TargetStatus) { this.#m.set(targetKey(s.target), s); }
  async get(t: TargetRef) { return this.#m.get(targetKey(t)); }
  async list() { return [...this.#m.values()]; }
}

export function buildPipeline(options: PipelineOptions): Pipeline {
  const { dynamo, config } = options;
  const topology = indexTopology(config);
  const store = new DynamoStateStore({ client: dynamo.client, tableName: dynamo.tableName });
  const vips = new DynamoVipAllocator({ client: dynamo.client, tableName: dynamo.tableName, pool: config.vipPool, releaseAfterMs: config.vipReleaseAfterMs });
  const statuses = new MemoryStatuses();
  const clock = { now: () => Date.now() };
  const listeners: ((line: SyncLine) => void)[] = [];
  const emit = (line: SyncLine) => { for (const l of listeners) l(line); };
  const onSynced = (o: SyncOutcome) => emit({ target: o.target, endpoints: o.endpoints, writes: o.writes, ms: o.ms });
  const ingestDeps = { topology, store, queue: options.syncQueue, deadLetters: options.deadLetters, clock };
  const syncDeps = { topology, store, vips, statuses, clusters: options.clusters, clock, onSynced, ...(options.syncDeadLetters ? { deadLetters: options.syncDeadLetters } : {}) };
  return {
    ingest: async (event) => {
      const r = await ingestBatch(ingestDeps, event.Records.map((x) => ({ messageId: x.messageId, body: x.body, receiveCount: Number(x.attributes.ApproximateReceiveCount) })));
      return { batchItemFailures: r.batchItemFailures };
    },
    sync: async (event) => {
      const r = await syncBatch(syncDeps, event.Records.map((x) => ({ messageId: x.messageId, body: x.body })), Date.now());
      for (const f of r.failed) emit({ target: f.target, endpoints: 0, writes: 0, ms: 0, error: f.error });
      return { batchItemFailures: r.batchItemFailures };
    },
    reconcile: async () => { await reconcileUseCase({ topology, store, queue: options.syncQueue, vips, clusters: options.clusters }, Date.now()); },
    statuses,
    onSync: (listener) => void listeners.push(listener),
  };
}
