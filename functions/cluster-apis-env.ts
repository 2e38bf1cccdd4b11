// Target cluster access for the functions that write to clusters (sync, reconcile), from Secrets
// Manager. Kept out of ./env.ts so that functions that never talk to Kubernetes (ingest) do not
// bundle the Kubernetes client (issue 6: ≤ 1 MB for those bundles).
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { secretsManagerClusterApis } from '../shared/adapters/kubernetes/cluster-apis.ts';
import type { ClusterApiOptions } from '../shared/adapters/kubernetes/cluster-apis.ts';
import { secretsManagerRoutingApis } from '../shared/adapters/kubernetes/routing-api.ts';
import type { ClusterApis, RoutingApis } from '../shared/ports.ts';

/** `options` reach each cluster's adapter (the sync passes its circuit breaker's `stopRetrying`). */
export function clusterApisFromEnv(options: ClusterApiOptions = {}): ClusterApis {
  return secretsManagerClusterApis({ ...options, client: new SecretsManagerClient({}) });
}

/** routing: istio — the Istio config clusters, with the same cluster secrets (docs/adr/0013). */
export function routingApisFromEnv(): RoutingApis {
  return secretsManagerRoutingApis({ client: new SecretsManagerClient({}) });
}
