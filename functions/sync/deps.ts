// The sync function's dependencies from the Lambda environment (see ../env.ts).
import { cloudDeps, deadLettersFromEnv } from '../env.ts';
import { clusterApisFromEnv } from '../cluster-apis-env.ts';
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
    clusters: clusterApisFromEnv(),
    // The sync DLQ is FIFO: the adapter sends with a group and a deduplication id (ADR 5).
    deadLetters: deadLettersFromEnv(env, 'SYNC_DLQ_URL'),
  };
}
