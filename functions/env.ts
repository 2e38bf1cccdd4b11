// Dependencies of the functions from the Lambda environment, built once per container:
//   TABLE_NAME       the DynamoDB table
//   SYNC_QUEUE_URL   the sync FIFO queue (ingest, reconcile: send; sync: the backoff of failed syncs)
//   INGEST_DLQ_URL   the ingest dead-letter queue (ingest)
//   SYNC_DLQ_URL     the sync dead-letter queue, FIFO (sync: malformed sync messages)
//   GNS_SYNC_CONFIG  the config: its JSON (or YAML) text, or the path of the config file
// A missing or bad variable fails the container's init with one line naming it.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { loadConfig, parseConfig } from '../shared/config/index.ts';
import type { Config } from '../shared/config/index.ts';
import { DynamoIncarnationStore, DynamoPublishedVipsStore, DynamoStateStore, DynamoTargetStatusStore, DynamoVipAllocator } from '../shared/adapters/dynamodb/index.ts';
import { sqsDeadLetters } from '../shared/adapters/sqs/dead-letters.ts';
import { sqsSyncQueue } from '../shared/adapters/sqs/sync-queue.ts';
import { FinalError } from '../shared/errors.ts';
import type { Clock, DeadLetters, IncarnationStore, PublishedVipsStore, StateStore, SyncQueue, TargetStatusStore, VipAllocator } from '../shared/ports.ts';
import { indexTopology } from './topology.ts';
import type { TopologyIndex } from './topology.ts';

export type Env = Readonly<Record<string, string | undefined>>;

/** A missing or malformed environment variable. */
export class EnvError extends FinalError {
  override readonly name: string = 'EnvError';
}

export function requireEnv(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new EnvError(`environment variable ${name} is not set; the function cannot start (set it in the stack)`);
  return value;
}

/** GNS_SYNC_CONFIG: the config text (JSON is YAML) when it starts with `{`, else a file path. */
export function configFromEnv(env: Env): Config {
  const value = requireEnv(env, 'GNS_SYNC_CONFIG');
  return value.startsWith('{') ? parseConfig(value, 'GNS_SYNC_CONFIG') : loadConfig(value);
}

export const systemClock: Clock = { now: () => Date.now() };

export interface CloudDeps {
  readonly config: Config;
  readonly topology: TopologyIndex;
  readonly store: StateStore;
  readonly vips: VipAllocator;
  readonly statuses: TargetStatusStore;
  readonly clock: Clock;
  /** The store's incarnation (docs/adr/0014-store-completeness.md). */
  readonly incarnation: IncarnationStore;
  /** What each cluster was last seen publishing (the release holds those VIPs; ADR 4). */
  readonly published: PublishedVipsStore;
}

/** What every function needs: the config and the DynamoDB-backed stores. */
export function cloudDeps(env: Env): CloudDeps {
  const config = configFromEnv(env);
  const tableName = requireEnv(env, 'TABLE_NAME');
  const client = new DynamoDBClient({});
  return {
    config,
    topology: indexTopology(config),
    store: new DynamoStateStore({ client, tableName }),
    vips: new DynamoVipAllocator({ client, tableName, pool: config.vipPool, releaseAfterMs: config.vipReleaseAfterMs }),
    statuses: new DynamoTargetStatusStore({ client, tableName }),
    clock: systemClock,
    incarnation: new DynamoIncarnationStore({ client, tableName }),
    published: new DynamoPublishedVipsStore({ client, tableName }),
  };
}

let sqs: SQSClient | undefined;
/** One SQS client per container, shared by every SQS adapter of the function. */
export const sqsClient = (): SQSClient => (sqs ??= new SQSClient({}));

export function syncQueueFromEnv(env: Env): SyncQueue {
  return sqsSyncQueue({ client: sqsClient(), queueUrl: requireEnv(env, 'SYNC_QUEUE_URL') });
}

export function deadLettersFromEnv(env: Env, name: string): DeadLetters {
  return sqsDeadLetters({ client: sqsClient(), queueUrl: requireEnv(env, name) });
}

// clusterApisFromEnv lives in ./cluster-apis-env.ts: importing the Kubernetes client here would
// put it (≈1.3 MB) into the ingest bundle, which never talks to a cluster (issue 6 budgets).

/**
 * Builds deps at module load inside Lambda (an init error names the bad variable before any
 * event is taken), lazily on first use elsewhere (importing a handler in tests needs no env).
 */
export function depsOnce<T>(build: () => T, env: Env = process.env): () => T {
  let built: T | undefined;
  const get = () => (built ??= build());
  if (env.AWS_LAMBDA_FUNCTION_NAME) get();
  return get;
}
