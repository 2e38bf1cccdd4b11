// Small Kubernetes client helpers for the demo and the e2e tests: act on one cluster of a
// kubeconfig (by context) the way a user would with kubectl.
import { ApiException, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';

export class Kube {
  readonly #kc: KubeConfig;
  readonly #apis = new Map<string, KubernetesObjectApi>();

  constructor(kubeconfigYaml: string) {
    this.#kc = new KubeConfig();
    this.#kc.loadFromString(kubeconfigYaml);
  }

  api(context: string): KubernetesObjectApi {
    let api = this.#apis.get(context);
    if (!api) {
      const kc = new KubeConfig();
      kc.loadFromOptions({ clusters: this.#kc.clusters, users: this.#kc.users, contexts: this.#kc.contexts, currentContext: context });
      api = KubernetesObjectApi.makeApiClient(kc);
      this.#apis.set(context, api);
    }
    return api;
  }

  /** Creates the object; one that already exists is left as it is. */
  async create(context: string, object: Record<string, unknown>): Promise<void> {
    try {
      await this.api(context).create(object as KubernetesObject);
    } catch (error) {
      if (error instanceof ApiException && error.code === 409) return;
      throw error;
    }
  }

  async namespace(context: string, name: string): Promise<void> {
    await this.create(context, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }

  async patch(context: string, object: Record<string, unknown>): Promise<void> {
    await this.api(context).patch(object as KubernetesObject, undefined, undefined, undefined, undefined, PatchStrategy.MergePatch);
  }

  async scale(context: string, namespace: string, statefulSet: string, replicas: number): Promise<void> {
    await this.patch(context, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: statefulSet, namespace }, spec: { replicas } });
  }

  /** Deletes the object; a 404 is success. */
  async delete(context: string, apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<void> {
    try {
      await this.api(context).delete({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) } });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return;
      throw error;
    }
  }

  async list<T extends KubernetesObject>(context: string, apiVersion: string, kind: string, namespace?: string, labelSelector?: string): Promise<T[]> {
    const list = await this.api(context).list<T>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
    return list.items;
  }
}
