// What the hops of a trace share: the context (topology, reader, hops so far), the Broken
// signal that ends a trace at a hop, and the cluster-level facts Istio reads (a cluster's
// network, the gateways of a network).
import type { NetworkGateway } from './istio.ts';
import { NETWORK_LABEL, gatewaysOf } from './istio.ts';
import type { MeshCluster, MeshObject, MeshReader, MeshTopology } from './mesh.ts';

export interface Hop {
  /** dns, vip, client, listener, endpoint, gateway, sni, pod, read. */
  readonly step: string;
  readonly text: string;
  readonly broken?: boolean;
}

/** Where a name ends up. */
export interface TraceEnd {
  readonly cluster: string;
  readonly namespace: string;
  readonly pod: string;
  readonly ip: string;
  readonly ready: boolean;
}

export interface TraceContext {
  readonly topology: MeshTopology;
  readonly from: MeshCluster;
  readonly reader: MeshReader;
  readonly hops: Hop[];
  /** The first pod with this IP in these clusters. */
  podByIp(clusters: readonly string[], ip: string): Promise<{ cluster: string; pod: MeshObject } | undefined>;
}

/** The hop where the path breaks: its message says what is wrong there. */
export class Broken extends Error {
  override readonly name = 'Broken';
  readonly step: string;
  constructor(step: string, message: string) {
    super(message);
    this.step = step;
  }
}

/** Istio's network of a cluster's workloads: the topology.istio.io/network label of istio-system (undefined: none). */
export async function istioNetwork(ctx: TraceContext, cluster: string): Promise<string | undefined> {
  const namespaces = (await ctx.reader.list(cluster, 'v1', 'Namespace')) ?? [];
  const label = namespaces.find((n) => n.metadata.name === 'istio-system')?.metadata.labels?.[NETWORK_LABEL];
  return label === undefined || label === '' ? undefined : label;
}

/**
 * The gateways istiod knows for a network (every network when undefined): Services labelled
 * topology.istio.io/network in every cluster of the config, plus the config's static
 * eastWestGateway of the network's clusters (meshNetworks).
 */
export async function networkGateways(ctx: TraceContext, network: string | undefined): Promise<NetworkGateway[]> {
  const out: NetworkGateway[] = [];
  for (const cluster of ctx.topology.clusters) {
    const services = (await ctx.reader.list(cluster.name, 'v1', 'Service')) ?? [];
    out.push(...gatewaysOf(cluster.name, services).filter((g) => network === undefined || g.network === network));
    if (cluster.eastWestGateway && (network === undefined || cluster.network === network)) {
      out.push({
        cluster: cluster.name, namespace: 'istio-system', name: `eastWestGateway ${cluster.eastWestGateway.address}:${cluster.eastWestGateway.port} (config)`,
        network: cluster.network, port: cluster.eastWestGateway.port, addresses: [cluster.eastWestGateway.address],
        servicePorts: [{ name: 'tls', port: cluster.eastWestGateway.port, targetPort: cluster.eastWestGateway.port }], selector: {}, static: true,
      });
    }
  }
  return out;
}
