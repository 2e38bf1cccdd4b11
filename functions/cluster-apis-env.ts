// Target cluster access for the functions that write to clusters (sync, reconcile). Kept out of
// ./env.ts so that functions that never talk to Kubernetes (ingest) do not bundle the Kubernetes
// client (issue 6: ≤ 1 MB for those bundles).
//   - an EKS cluster of the config (clusters[].eks): the function's role, the endpoint and CA from
//     eks:DescribeCluster on exactly that cluster (no secret is read);
//   - any other cluster: its secret gns-sync/clusters/<cluster>, a kubeconfig with static
//     credentials only (shared/adapters/kubernetes/secret-kubeconfig.ts).
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClusterApis } from '../shared/adapters/kubernetes/cluster-apis.ts';
import type { ClusterApiOptions } from '../shared/adapters/kubernetes/cluster-apis.ts';
import { secretsManagerRoutingApis } from '../shared/adapters/kubernetes/routing-api.ts';
import { eksClusterApis, routedClusterApis } from '../shared/adapters/kubernetes/eks-cluster-apis.ts';
import { eksRoutingApis, routedRoutingApis } from '../shared/adapters/kubernetes/eks-routing-apis.ts';
import type { Config } from '../shared/config/index.ts';
import type { ClusterApis, RoutingApis } from '../shared/ports.ts';

/** `options` reach each cluster's adapter (the sync passes its circuit breaker's `stopRetrying`). */
export function clusterApisFromEnv(config: Pick<Config, 'clusters'>, options: ClusterApiOptions = {}): ClusterApis {
  const eks = new Map(config.clusters.flatMap((c) => (c.eks ? [[c.name, c.eks] as const] : [])));
  const secrets = secretsManagerClusterApis({ ...options, client: new SecretsManagerClient({}) });
  return eks.size === 0 ? secrets : routedClusterApis((cluster) => eks.has(cluster), eksClusterApis({ ...options, clusters: eks }), secrets);
}

/**
 * routing: istio — the Istio config clusters (docs/adr/0013), reached as the slices are: an EKS
 * cluster of the config with the function's role, any other through its secret.
 */
export function routingApisFromEnv(config: Pick<Config, 'clusters'>, options: { readonly installation?: string } = {}): RoutingApis {
  const eks = new Map(config.clusters.flatMap((c) => (c.eks ? [[c.name, c.eks] as const] : [])));
  const secrets = secretsManagerRoutingApis({ ...options, client: new SecretsManagerClient({}) });
  return eks.size === 0 ? secrets : routedRoutingApis((cluster) => eks.has(cluster), eksRoutingApis({ ...options, clusters: eks }), secrets);
}
