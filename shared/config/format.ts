// A Config back to the file format, e.g. to hand it to a Lambda as JSON (GNS_SYNC_CONFIG) that
// `parseConfig` reads back to the same Config.
import { DEFAULT_INSTALLATION } from '../core/installation.ts';
import { formatDuration } from './duration.ts';
import type { Config, ConfigFile } from './schema.ts';

export function toConfigFile(config: Config): ConfigFile {
  return {
    ...(config.installation !== undefined && config.installation !== DEFAULT_INSTALLATION ? { installation: config.installation } : {}),
    clusters: config.clusters.map((c) => ({
      name: c.name,
      network: c.network,
      context: c.context,
      ...(c.istioConfigCluster !== undefined ? { istioConfigCluster: c.istioConfigCluster } : {}),
      ...(c.eastWestGateway ? { eastWestGateway: formatGateway(c.eastWestGateway) } : {}),
    })),
    globalNamespaces: config.globalNamespaces.map((g) => ({ name: g.name, members: g.members.map((m) => ({ cluster: m.cluster, namespace: m.namespace })) })),
    vipPool: config.vipPool,
    vipReleaseAfter: formatDuration(config.vipReleaseAfterMs),
    routing: config.routing,
  };
}

const formatGateway = (gw: { address: string; port: number }): string => (gw.address.includes(':') ? `[${gw.address}]:${gw.port}` : `${gw.address}:${gw.port}`);
