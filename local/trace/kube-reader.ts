// The MeshReader of real (or simulated) clusters: kubeconfig contexts, GET requests only
// (list), so trace needs nothing but read access. A kind the cluster does not serve reads as
// undefined; any other failure is a ClusterReadError naming the cluster.
import { ApiException, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import type { MeshObject, MeshReader } from './mesh.ts';
import { ClusterReadError } from './mesh.ts';

function unserved(error: unknown): boolean {
  if (error instanceof ApiException && error.code === 404) return true;
  return error instanceof Error && /Unrecognized API version and kind/.test(error.message);
}

/** `contexts`: cluster name → kubeconfig context. */
export function kubeMeshReader(kubeconfigYaml: string, contexts: ReadonlyMap<string, string>): MeshReader {
  const base = new KubeConfig();
  base.loadFromString(kubeconfigYaml);
  const apis = new Map<string, KubernetesObjectApi>();
  const api = (cluster: string): KubernetesObjectApi => {
    let found = apis.get(cluster);
    if (!found) {
      const context = contexts.get(cluster);
      if (context === undefined || !base.getContexts().some((c) => c.name === context)) throw new ClusterReadError(`cluster ${cluster}: the kubeconfig has no context "${context ?? cluster}"`);
      const kc = new KubeConfig();
      kc.loadFromOptions({ clusters: base.clusters, users: base.users, contexts: base.contexts, currentContext: context });
      found = KubernetesObjectApi.makeApiClient(kc);
      apis.set(cluster, found);
    }
    return found;
  };
  return {
    async list(cluster, apiVersion, kind, namespace) {
      try {
        const result = await api(cluster).list(apiVersion, kind, namespace);
        return result.items.map((item) => ({ ...item, apiVersion, kind }) as unknown as MeshObject);
      } catch (error) {
        if (error instanceof ClusterReadError) throw error;
        if (unserved(error)) return undefined;
        const code = error instanceof ApiException ? ` (HTTP ${error.code})` : '';
        throw new ClusterReadError(`cluster ${cluster}: could not list ${kind} (${apiVersion})${code}: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`, { cause: error });
      }
    },
  };
}
