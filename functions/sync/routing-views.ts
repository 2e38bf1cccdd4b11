// What each cluster tells about Istio (gateway Services, the system namespace's network),
// read at most once per `ttlMs` per container: every target sync of a batch asks for the same
// clusters. Short (2 s), so a gateway removed or restored shows at the next sync after it —
// well within one reconcile interval. A cluster that cannot be read is reported as undefined
// (its warnings wait).
import type { ClusterIstioView } from '../../shared/core/routing/gateways.ts';
import { describeError } from '../../shared/errors.ts';
import type { RoutingApis } from '../../shared/ports.ts';
import type { Log } from '../log.ts';

export const VIEW_TTL_MS = 2_000;

const caches = new WeakMap<RoutingApis, Map<string, { at: number; view: Promise<ClusterIstioView | undefined> }>>();

export async function istioViews(apis: RoutingApis, clusters: readonly string[], now: number, log: Log, ttlMs = VIEW_TTL_MS): Promise<Map<string, ClusterIstioView>> {
  let cache = caches.get(apis);
  if (!cache) caches.set(apis, (cache = new Map()));
  const out = new Map<string, ClusterIstioView>();
  await Promise.all([...new Set(clusters)].map(async (cluster) => {
    let hit = cache.get(cluster);
    if (!hit || now - hit.at >= ttlMs || now < hit.at) {
      const view = apis.get(cluster).then((api) => api.istioView()).catch((error: unknown) => {
        log.warn('could not read the cluster\'s Istio gateways; routing warnings about it wait', { cluster, error: describeError(error) });
        cache.delete(cluster);
        return undefined;
      });
      hit = { at: now, view };
      cache.set(cluster, hit);
    }
    const view = await hit.view;
    if (view) out.set(cluster, view);
  }));
  return out;
}
