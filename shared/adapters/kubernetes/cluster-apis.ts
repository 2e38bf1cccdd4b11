// ClusterApis (shared/ports.ts): one ClusterApi per target cluster, created on first use
// and cached. Two sources of credentials:
//   - a KubeConfig with one context per cluster (local runner, tests: the config names the
//     context of each cluster);
//   - AWS Secrets Manager, secret `gns-sync/clusters/<cluster>` holding a kubeconfig YAML
//     (the cloud), cached per container with a TTL so rotated credentials are picked up, and
//     dropped at once when the cluster answers 401. Such a kubeconfig carries static
//     credentials only (./secret-kubeconfig.ts: no exec or auth-provider plugin, no file path,
//     TLS verification on).
import { KubeConfig } from '@kubernetes/client-node';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { FinalError, RetryableError } from '../../errors.ts';
import type { ClusterApi, ClusterApis } from '../../ports.ts';
import { kubeClusterApi } from './cluster-api.ts';
import { assertStaticKubeConfig } from './secret-kubeconfig.ts';
import type { KubeClusterApiOptions } from './cluster-api.ts';
import { expiringCache } from './expiring-cache.ts';

export type ClusterApiOptions = Omit<KubeClusterApiOptions, 'cluster'>;

/** A copy of `kc` whose current context is `context`; FinalError when there is no such context. */
export function kubeConfigForContext(kc: KubeConfig, context: string, cluster: string): KubeConfig {
  if (!kc.getContextObject(context)) {
    const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
    throw new FinalError(`cluster ${cluster}: the kubeconfig has no context "${context}" (contexts: ${known}); fix the cluster's context in the config`);
  }
  const copy = new KubeConfig();
  copy.loadFromOptions({ clusters: kc.clusters, users: kc.users, contexts: kc.contexts, currentContext: context });
  return copy;
}

/**
 * ClusterApis over one KubeConfig. `contexts` maps cluster name → context name (a cluster
 * missing from it uses the context of its own name).
 */
export function kubeConfigClusterApis(kc: KubeConfig, contexts: ReadonlyMap<string, string>, options: ClusterApiOptions = {}): ClusterApis {
  const cache = new Map<string, ClusterApi>();
  return {
    async get(cluster) {
      let api = cache.get(cluster);
      if (!api) {
        api = kubeClusterApi(kubeConfigForContext(kc, contexts.get(cluster) ?? cluster, cluster), { ...options, cluster });
        cache.set(cluster, api);
      }
      return api;
    },
  };
}

export const clusterSecretName = (cluster: string): string => `gns-sync/clusters/${cluster}`;

export interface SecretsManagerClusterApisOptions extends ClusterApiOptions {
  readonly client: Pick<SecretsManagerClient, 'send'>;
  /** How long a loaded kubeconfig is used before it is fetched again (default 5 minutes). */
  readonly ttlMs?: number;
  /** Clock for the TTL (ms). */
  readonly clock?: () => number;
}

/**
 * Parses a kubeconfig YAML from a secret; its current context (or its only one) is the cluster.
 * Only static credentials and TLS verification on (./secret-kubeconfig.ts). An EKS cluster is
 * not reached through a secret: it is named in the config (clusters[].eks) and described with
 * the function's role (./eks-cluster-apis.ts).
 */
export function kubeConfigFromSecret(text: string, cluster: string): KubeConfig {
  const secretName = clusterSecretName(cluster);
  if (/^\s*\{[\s\S]*"eks"\s*:/.test(text)) {
    throw new FinalError(`secret ${secretName}: an {"eks": …} secret is no longer read (its endpoint could send the function's token anywhere); name the EKS cluster in the config instead (clusters[].eks: {name, region}: docs/deploy.md)`);
  }
  assertStaticKubeConfig(text, secretName);
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (error) {
    throw new FinalError(`secret ${secretName}: not a kubeconfig (${error instanceof Error ? error.message : String(error)}); store a kubeconfig YAML in it`, { cause: error });
  }
  const context = kc.getCurrentContext() || (kc.getContexts().length === 1 ? kc.getContexts()[0]?.name : undefined);
  if (!context || !kc.getContextObject(context)) {
    throw new FinalError(`secret ${secretName}: the kubeconfig has no current context and not exactly one context; set current-context`);
  }
  return kubeConfigForContext(kc, context, cluster);
}

/** ClusterApis whose credentials come from Secrets Manager, cached per container for `ttlMs`. */
export function secretsManagerClusterApis(options: SecretsManagerClusterApisOptions): ClusterApis {
  const { client, ttlMs = 5 * 60_000, clock = Date.now, ...apiOptions } = options;

  async function load(cluster: string): Promise<ClusterApi> {
    let text: string | undefined;
    try {
      const out = await client.send(new GetSecretValueCommand({ SecretId: clusterSecretName(cluster) }));
      text = out.SecretString;
    } catch (error) {
      const name = error instanceof Error ? error.name : '';
      if (name === 'ResourceNotFoundException') {
        throw new FinalError(`cluster ${cluster}: no secret ${clusterSecretName(cluster)}; create it with the cluster's kubeconfig`, { cause: error });
      }
      throw new RetryableError(`cluster ${cluster}: reading secret ${clusterSecretName(cluster)} failed (${name || String(error)}); retried`, { cause: error });
    }
    if (!text) throw new FinalError(`secret ${clusterSecretName(cluster)}: no SecretString; store the kubeconfig YAML as a string`);
    // A 401 drops the cached credentials: the next sync reads the secret again.
    const onUnauthorized = () => cache.drop(cluster);
    return kubeClusterApi(kubeConfigFromSecret(text, cluster), { ...apiOptions, cluster, onUnauthorized });
  }

  const cache = expiringCache(load, ttlMs, clock);
  return { get: (cluster) => cache.get(cluster) };
}
