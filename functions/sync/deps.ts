// The sync function's dependencies from the Lambda environment (see ../env.ts).
import { cloudDeps, deadLettersFromEnv, requireEnv, sqsClient } from '../env.ts';
import { clusterApisFromEnv, routingApisFromEnv } from '../cluster-apis-env.ts';
import { guardClusterApis } from '../../shared/adapters/kubernetes/guarded-cluster-apis.ts';
import { sqsSyncRelease } from '../../shared/adapters/sqs/sync-release.ts';
import { sqsSyncRetries } from '../../shared/adapters/sqs/sync-retries.ts';
import { sqsSyncQueue } from '../../shared/adapters/sqs/sync-queue.ts';
import type { Env } from '../env.ts';
import type { SyncBatchDeps } from './batch.ts';

export function syncDepsFromEnv(env: Env): SyncBatchDeps {
  const base = cloudDeps(env);
  return {
    topology: base.topology,
    store: base.store,
    vips: base.vips,
    statuses: base.statuses,
    clock: base.clock,
    incarnation: base.incarnation,
    // A circuit breaker per cluster: a dead cluster fails its calls at once between probes (one
    // attempt each), so it does not hold the other targets of a batch (ADR 5).
    clusters: guardClusterApis((stopRetrying) => clusterApisFromEnv(base.config, { stopRetrying, installation: base.topology.installation }), { clock: () => base.clock.now() }),
    // The sync DLQ is FIFO: the adapter sends with a group and a deduplication id (ADR 5).
    deadLetters: deadLettersFromEnv(env, 'SYNC_DLQ_URL'),
    // Failed syncs come back after 5 s × 2^(n−1) (≤ 5 min), not the 6-minute visibility timeout:
    // ChangeMessageVisibility on the sync queue (SYNC_QUEUE_URL; ADR 5).
    retries: sqsSyncRetries({ client: sqsClient(), queueUrl: requireEnv(env, 'SYNC_QUEUE_URL') }),
    // A target synced while others of its mixed FIFO batch still run has its messages deleted at
    // once (DeleteMessageBatch; sqs:DeleteMessage comes with the event source's consume grant), so
    // its group's next message is not held until the whole batch returns (ADR 5).
    release: sqsSyncRelease({ client: sqsClient(), queueUrl: requireEnv(env, 'SYNC_QUEUE_URL') }),
    // routing: istio (ADR 13): Istio ServiceEntries, and the gateway-entry writers the syncs
    // name go back onto the sync queue in their own FIFO groups (SendMessage on SYNC_QUEUE_URL).
    ...(base.config.routing === 'istio'
      ? { routing: { apis: routingApisFromEnv(base.config, { installation: base.topology.installation }) }, queue: sqsSyncQueue({ client: sqsClient(), queueUrl: requireEnv(env, 'SYNC_QUEUE_URL') }) }
      : {}),
  };
}
