// RoutingApis (shared/ports.ts) for the EKS clusters named in the config (clusters[].eks), reached
// exactly as the slice writer reaches them (./eks-cluster-apis.ts): the function's role, the
// endpoint and CA from `eks:DescribeCluster` on that cluster, a token computed in process. No
// secret is read for them — routing: istio needs nothing more than the slices do.
import type { RoutingApi, RoutingApis } from '../../ports.ts';
import type { EksAccess } from './eks-cluster-apis.ts';
import { eksKubeConfigOf } from './eks-cluster-apis.ts';
import { expiringCache } from './expiring-cache.ts';
import { kubeRoutingApi } from './routing-api.ts';
import type { KubeRoutingApiOptions } from './routing-api.ts';

export interface EksRoutingApisOptions extends EksAccess, Omit<KubeRoutingApiOptions, 'cluster'> {
  /** How long a described endpoint and its token are used (default 5 min; the token lasts 15). */
  readonly ttlMs?: number;
}

export function eksRoutingApis(options: EksRoutingApisOptions): RoutingApis {
  const { clusters, credentials, send, ttlMs = 5 * 60_000, clock = Date.now, ...apiOptions } = options;
  const access: EksAccess = { clusters, clock, ...(credentials ? { credentials } : {}), ...(send ? { send } : {}) };
  const load = async (cluster: string): Promise<RoutingApi> => kubeRoutingApi(await eksKubeConfigOf(cluster, access), { ...apiOptions, cluster });
  const cache = expiringCache(load, ttlMs, clock);
  return { get: (cluster) => cache.get(cluster) };
}

/** EKS clusters of the config through `eks`, every other cluster through `others` (its secret). */
export function routedRoutingApis(isEks: (cluster: string) => boolean, eks: RoutingApis, others: RoutingApis): RoutingApis {
  return { get: (cluster) => (isEks(cluster) ? eks : others).get(cluster) };
}
