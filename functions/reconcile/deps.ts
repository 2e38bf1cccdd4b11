// The reconcile function's dependencies from the Lambda environment (see ../env.ts).
import { cloudDeps, syncQueueFromEnv } from '../env.ts';
import { clusterApisFromEnv, routingApisFromEnv } from '../cluster-apis-env.ts';
import type { Env } from '../env.ts';
import type { ReconcileDeps } from './reconcile.ts';
import type { Clock } from '../../shared/ports.ts';

export function reconcileDepsFromEnv(env: Env): ReconcileDeps & { readonly clock: Clock } {
  const base = cloudDeps(env);
  return {
    topology: base.topology,
    store: base.store,
    vips: base.vips,
    clock: base.clock,
    incarnation: base.incarnation,
    published: base.published,
    queue: syncQueueFromEnv(env),
    clusters: clusterApisFromEnv(base.config, { installation: base.topology.installation }),
    // The routing sweep (ADR 13), also with routing: none: entries left by a switch from istio go.
    routing: { apis: routingApisFromEnv(base.config, { installation: base.topology.installation }) },
  };
}
