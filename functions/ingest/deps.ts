// The ingest function's dependencies from the Lambda environment (see ../env.ts), and:
//   GNS_SYNC_ACCOUNT          the deployment's account: the events of a cluster without
//                             `awsAccountId` must come from it (./admission.ts)
//   GNS_SYNC_MAX_CLOCK_SKEW   optional: how far ahead of the function's clock a version may be
//                             (a duration, default 5m; agents cap theirs at half of it)
import { parseDuration } from '../../shared/config/duration.ts';
import { cloudDeps, deadLettersFromEnv, EnvError, requireEnv, syncQueueFromEnv } from '../env.ts';
import type { Env } from '../env.ts';
import { accountsOf } from './admission.ts';
import type { IngestDeps } from './ingest.ts';

export function ingestDepsFromEnv(env: Env): IngestDeps {
  const base = cloudDeps(env);
  const queue = syncQueueFromEnv(env);
  const deadLetters = deadLettersFromEnv(env, 'INGEST_DLQ_URL');
  const account = requireEnv(env, 'GNS_SYNC_ACCOUNT');
  if (!/^\d{12}$/.test(account)) throw new EnvError(`environment variable GNS_SYNC_ACCOUNT must be a 12-digit AWS account id, got ${JSON.stringify(account)}; the function cannot start`);
  const skew = env.GNS_SYNC_MAX_CLOCK_SKEW?.trim();
  const parsed = skew ? parseDuration(skew) : undefined;
  if (parsed && !parsed.ok) throw new EnvError(`environment variable GNS_SYNC_MAX_CLOCK_SKEW: ${parsed.reason}; the function cannot start`);
  return {
    topology: base.topology,
    store: base.store,
    clock: base.clock,
    incarnation: base.incarnation,
    queue,
    deadLetters,
    accountOf: accountsOf(base.config.clusters, account),
    ...(parsed?.ok ? { maxSkewMs: parsed.ms } : {}),
  };
}
