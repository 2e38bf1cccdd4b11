// What `gns-sync trace` reads: the clusters of the config as Istio sees them (network, where
// its Istio reads config, a static east-west gateway) and a read-only view of their objects.
// Nothing here is shared with the routing writer: trace reads the objects as Istio would.

/** An object as read from a cluster; only the fields trace looks at are typed. */
export interface MeshObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata: {
    readonly name?: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
    readonly creationTimestamp?: string | Date;
    readonly deletionTimestamp?: string | Date;
  };
  readonly spec?: unknown;
  readonly status?: unknown;
}

export interface MeshCluster {
  readonly name: string;
  /** The config's network name (default: the cluster's name). */
  readonly network: string;
  /** The cluster whose Istio config (ServiceEntries, Gateways) this cluster's istiod reads. */
  readonly istioConfigCluster: string;
  /** A gateway istiod knows from meshNetworks instead of a labelled Service (config `eastWestGateway`). */
  readonly eastWestGateway?: { readonly address: string; readonly port: number };
}

export interface MeshTopology {
  readonly routing: 'none' | 'istio';
  readonly clusters: readonly MeshCluster[];
}

/** A cluster that could not be read (unreachable, forbidden): trace stops there with exit 1. */
export class ClusterReadError extends Error {
  override readonly name = 'ClusterReadError';
}

/** Read-only access to the clusters' objects. */
export interface MeshReader {
  /**
   * The objects of a kind in a cluster (all namespaces when `namespace` is undefined), or
   * undefined when the cluster does not serve that kind (e.g. Istio's CRDs absent).
   * Throws ClusterReadError when the cluster cannot be read.
   */
  list(cluster: string, apiVersion: string, kind: string, namespace?: string): Promise<readonly MeshObject[] | undefined>;
}

/** A reader over objects held in memory (tests, and anything that already has the objects). */
export function memoryMeshReader(objects: Readonly<Record<string, readonly MeshObject[]>>, served: (cluster: string, apiVersion: string) => boolean = () => true): MeshReader {
  return {
    async list(cluster, apiVersion, kind, namespace) {
      const all = objects[cluster];
      if (all === undefined) throw new ClusterReadError(`cluster ${cluster}: no such cluster`);
      if (!served(cluster, apiVersion)) return undefined;
      return all.filter((o) => (o.apiVersion ?? '') === apiVersion && o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace));
    },
  };
}

/** Memoizes a reader for one trace, so every hop sees the same snapshot of each list. */
export function cachedMeshReader(inner: MeshReader): MeshReader {
  const cache = new Map<string, Promise<readonly MeshObject[] | undefined>>();
  return {
    list(cluster, apiVersion, kind, namespace) {
      const key = JSON.stringify([cluster, apiVersion, kind, namespace ?? null]);
      let hit = cache.get(key);
      if (!hit) {
        hit = inner.list(cluster, apiVersion, kind, namespace);
        cache.set(key, hit);
      }
      return hit;
    },
  };
}
