// Questions the functions ask of the topology (clusters and global namespaces). They take a
// Topology (shared/ports.ts), which a loaded Config is.
import type { GlobalNamespace, MemberRef } from '../core/types.ts';
import type { Topology } from '../ports.ts';
import type { Config } from './schema.ts';

/** The network of each cluster, by cluster name. */
export function networkOf(topology: Topology): ReadonlyMap<string, string> {
  return new Map(topology.clusters.map((c) => [c.name, c.network]));
}

/** The global namespace a member namespace belongs to, if any (at most one: the config checks it). */
export function gnsOfMember(topology: Topology, cluster: string, namespace: string): GlobalNamespace | undefined {
  return topology.globalNamespaces.find((g) => g.members.some((m) => m.cluster === cluster && m.namespace === namespace));
}

/** The members of a global namespace; empty for a name the topology does not know. */
export function membersOf(topology: Topology, gns: string): readonly MemberRef[] {
  return topology.globalNamespaces.find((g) => g.name === gns)?.members ?? [];
}

/** The topology of a config: what the use cases receive (no kubeconfig contexts). */
export function topologyOf(config: Config): Topology {
  return {
    ...(config.installation !== undefined ? { installation: config.installation } : {}),
    clusters: config.clusters.map((c) => ({
      name: c.name,
      network: c.network,
      ...(config.routing === 'istio' && c.istioConfigCluster !== undefined ? { istioConfigCluster: c.istioConfigCluster } : {}),
      ...(config.routing === 'istio' && c.eastWestGateway ? { eastWestGateway: c.eastWestGateway } : {}),
    })),
    globalNamespaces: config.globalNamespaces,
    vipPool: config.vipPool,
    vipReleaseAfterMs: config.vipReleaseAfterMs,
    routing: config.routing,
  };
}
