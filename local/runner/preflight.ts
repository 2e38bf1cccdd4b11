// At the start of `gns-sync local`: is every cluster of the config reachable, and does every
// member namespace exist? One line per problem (cluster, context, URL, error); nothing stops —
// the agents retry, and a cluster that comes up later converges.
import { CoreV1Api, VersionApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { kubeConfigForContext } from '../../shared/adapters/kubernetes/cluster-apis.ts';
import type { Config } from '../../shared/config/schema.ts';

/** The API server URL of a context, when the kubeconfig names one. */
export function serverOf(kc: KubeConfig, context: string): string | undefined {
  const ctx = kc.getContextObject(context);
  return ctx === null || ctx === undefined ? undefined : kc.getCluster(ctx.cluster)?.server;
}

const statusOf = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};

/** A one-line reason: the network error's code and message, or the HTTP status. */
function reasonOf(error: unknown): string {
  const status = statusOf(error);
  if (status !== undefined) return `HTTP ${status}`;
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const inner = e.cause?.message ?? e.message ?? String(error);
  return inner.split('\n')[0] ?? inner;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The problems found, one line each; an empty list when every cluster answers and every namespace exists. */
export async function preflight(kc: KubeConfig, config: Config, timeoutMs = 5_000): Promise<string[]> {
  const perCluster = await Promise.all(config.clusters.map(async (cluster): Promise<string[]> => {
    const members = [...new Set(config.globalNamespaces.flatMap((g) => g.members).filter((m) => m.cluster === cluster.name).map((m) => m.namespace))].sort();
    if (members.length === 0) return [];
    const where = `(context ${cluster.context}, ${serverOf(kc, cluster.context) ?? 'no server in the kubeconfig'})`;
    const api = kubeConfigForContext(kc, cluster.context, cluster.name).makeApiClient(CoreV1Api);
    const results = await Promise.all(members.map(async (namespace) => {
      try {
        await withTimeout(api.readNamespace({ name: namespace }), timeoutMs);
        return { namespace, ok: true as const };
      } catch (error) {
        return { namespace, ok: false as const, error };
      }
    }));
    const failed = results.filter((r) => !r.ok);
    // No answer at all (network, TLS, timeout): the cluster is unreachable; one line for it.
    const unreachable = failed.filter((r) => statusOf(r.error) === undefined);
    if (unreachable.length === members.length) {
      return [`unreachable: cluster ${cluster.name} ${where}: ${reasonOf(unreachable[0]?.error)}; its agent keeps retrying`];
    }
    return failed.map((r) => (statusOf(r.error) === 404
      ? `missing namespace: ${cluster.name}/${r.namespace} ${where}: it does not exist; its pods and Services are published once it is created`
      : `cannot check namespace ${cluster.name}/${r.namespace} ${where}: ${reasonOf(r.error)}`));
  }));
  return perCluster.flat();
}

/** A cluster's API server as `gns-sync status` reports it. */
export interface ClusterReachability {
  readonly cluster: string;
  readonly context: string;
  readonly server?: string;
  readonly reachable: boolean;
  /** Why it is not (one line). */
  readonly error?: string;
}

/** Asks every cluster's API server for its version, in parallel, each within `timeoutMs`. */
export async function reachability(kc: KubeConfig, config: Config, timeoutMs = 2_000): Promise<ClusterReachability[]> {
  return Promise.all(config.clusters.map(async (cluster): Promise<ClusterReachability> => {
    const server = serverOf(kc, cluster.context);
    const base = { cluster: cluster.name, context: cluster.context, ...(server === undefined ? {} : { server }) };
    try {
      await withTimeout(kubeConfigForContext(kc, cluster.context, cluster.name).makeApiClient(VersionApi).getCode(), timeoutMs);
      return { ...base, reachable: true };
    } catch (error) {
      return { ...base, reachable: false, error: reasonOf(error) };
    }
  }));
}

/** One line per cluster for `gns-sync status`. */
export function formatReachability(clusters: readonly ClusterReachability[]): string[] {
  return clusters.map((c) => {
    const where = `(context ${c.context}${c.server === undefined ? '' : `, ${c.server}`})`;
    return c.reachable ? `cluster ${c.cluster} ${where}: reachable` : `cluster ${c.cluster} ${where}: UNREACHABLE: ${c.error ?? 'no answer'}`;
  });
}
