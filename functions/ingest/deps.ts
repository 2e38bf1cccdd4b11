// The ingest function's dependencies from the Lambda environment (see ../env.ts).
import { cloudDeps, deadLettersFromEnv, syncQueueFromEnv } from '../env.ts';
import type { Env } from '../env.ts';
import type { IngestDeps } from './ingest.ts';

export function ingestDepsFromEnv(env: Env): IngestDeps {
  const base = cloudDeps(env);
  return {
    topology: base.topology,
    store: base.store,
    clock: base.clock,
    incarnation: base.incarnation,
    queue: syncQueueFromEnv(env),
    deadLetters: deadLettersFromEnv(env, 'INGEST_DLQ_URL'),
  };
}
