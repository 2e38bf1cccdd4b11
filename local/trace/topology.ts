// The trace's view of the config: routing, and per cluster its network, where its Istio reads
// config, and a static east-west gateway. Fields a config without routing lacks take their
// defaults (routing none, each cluster its own config cluster).
import type { Config } from '../../shared/config/schema.ts';
import type { MeshCluster, MeshTopology } from './mesh.ts';

interface RoutingFields {
  readonly routing?: unknown;
  readonly clusters: readonly { readonly name: string; readonly network: string; readonly istioConfigCluster?: unknown; readonly eastWestGateway?: unknown }[];
}

function staticGateway(value: unknown): { address: string; port: number } | undefined {
  if (typeof value === 'string') {
    const m = /^(.+):(\d+)$/.exec(value.trim());
    return m ? { address: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) } : undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const v = value as { address?: unknown; port?: unknown };
    if (typeof v.address === 'string' && typeof v.port === 'number') return { address: v.address, port: v.port };
  }
  return undefined;
}

export function topologyFromConfig(config: Config): MeshTopology {
  const c = config as unknown as RoutingFields;
  const clusters: MeshCluster[] = c.clusters.map((cl) => {
    const gw = staticGateway(cl.eastWestGateway);
    return {
      name: cl.name,
      network: cl.network,
      istioConfigCluster: typeof cl.istioConfigCluster === 'string' && cl.istioConfigCluster !== '' ? cl.istioConfigCluster : cl.name,
      ...(gw ? { eastWestGateway: gw } : {}),
    };
  });
  return { routing: c.routing === 'istio' ? 'istio' : 'none', clusters };
}
