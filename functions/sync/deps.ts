// The sync function's dependencies from the Lambda environment (see ../env.ts).
import { cloudDeps, deadLettersFromEnv } from '../env.ts';
import { clusterApisFromEnv } from '../cluster-apis-env.ts';
import { guardClusterApis } from '../../shared/adapters/kubernetes/guarded-cluster-apis.ts';
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
    // A circuit breaker per cluster: a dead cluster fails its calls at once between probes, so it
    // does not hold the other targets of a batch (ADR 5).
    clusters: guardClusterApis(clusterApisFromEnv(), { clock: () => base.clock.now() }),
    // The sync DLQ is FIFO: the adapter sends with a group and a deduplication id (ADR 5).
    deadLetters: deadLettersFromEnv(env, 'SYNC_DLQ_URL'),
  };
}
