// East-west gateways as istiod finds them (docs/adr/0013-routing-through-istio.md; Istio
// 1.27.9 `getGatewayDetails`, pilot/pkg/serviceregistry/kube/controller/network.go, and
// `ConvertService`, kube/conversion.go): a Service labelled `topology.istio.io/network`, port
// from its `networking.istio.io/gatewayPort` label (unparsable or absent: 15443), addresses
// from `status.loadBalancer.ingress` (ip, else hostname; LoadBalancer Services) and
// `spec.externalIPs`. A cluster's `eastWestGateway` in the config replaces discovery.
import type { ClusterInfo } from '../types.ts';
import { DEFAULT_GATEWAY_PORT, LABEL_ISTIO_GATEWAY_PORT, LABEL_ISTIO_NETWORK } from './types.ts';
import type { GatewayPlace } from './types.ts';

/** What the discovery reads of a Service labelled with a network. */
export interface GatewayServiceRecord {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly type?: string;
  readonly loadBalancerIngress: readonly { readonly ip?: string; readonly hostname?: string }[];
  readonly externalIPs: readonly string[];
}

export interface NetworkGateway {
  readonly cluster: string;
  readonly network: string;
  readonly address: string;
  readonly port: number;
  /** The gateway Service (`namespace/name`), or absent for a configured `eastWestGateway`. */
  readonly service?: { readonly namespace: string; readonly name: string };
}

/** What one cluster tells about Istio: its gateway Services and its system namespace's network label. */
export interface ClusterIstioView {
  readonly services: readonly GatewayServiceRecord[];
  /** `topology.istio.io/network` of the `istio-system` namespace, when set. */
  readonly systemNetwork?: string;
}

export function gatewaysOfService(cluster: string, svc: GatewayServiceRecord): NetworkGateway[] {
  const network = svc.labels[LABEL_ISTIO_NETWORK];
  if (!network) return [];
  const text = svc.labels[LABEL_ISTIO_GATEWAY_PORT];
  const parsed = text !== undefined && /^\d+$/.test(text) ? Number(text) : Number.NaN;
  const port = Number.isInteger(parsed) && parsed > 0 && parsed <= 65_535 ? parsed : DEFAULT_GATEWAY_PORT;
  const addresses: string[] = [];
  if (svc.type === 'LoadBalancer') {
    for (const ingress of svc.loadBalancerIngress) {
      const address = ingress.ip || ingress.hostname;
      if (address) addresses.push(address);
    }
  }
  addresses.push(...svc.externalIPs);
  return [...new Set(addresses)].map((address) => ({ cluster, network, address, port, service: { namespace: svc.namespace, name: svc.name } }));
}

/** A cluster's gateways: its configured `eastWestGateway`, else those of its labelled Services. */
export function gatewaysOfCluster(cluster: ClusterInfo, view: ClusterIstioView | undefined): NetworkGateway[] {
  if (cluster.eastWestGateway) return [{ cluster: cluster.name, network: cluster.network, ...cluster.eastWestGateway }];
  const sorted = [...(view?.services ?? [])].sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  return sorted.flatMap((svc) => gatewaysOfService(cluster.name, svc));
}

export const ISTIO_SYSTEM = 'istio-system';

/**
 * Where a network's gateway entries go: for each configured cluster of the network with a
 * gateway for it, its Istio config cluster and the namespace of its (first) gateway Service
 * (`istio-system` for a configured one). Deduplicated, sorted.
 */
export function gatewayPlaces(clusters: readonly ClusterInfo[], network: string, views: ReadonlyMap<string, ClusterIstioView>): GatewayPlace[] {
  const places = new Map<string, GatewayPlace>();
  for (const c of clusters) {
    if (c.network !== network) continue;
    const gw = gatewaysOfCluster(c, views.get(c.name)).find((g) => g.network === network);
    if (!gw) continue;
    const place = { cluster: c.istioConfigCluster ?? c.name, namespace: gw.service?.namespace ?? ISTIO_SYSTEM };
    places.set(`${place.cluster}/${place.namespace}`, place);
  }
  return [...places.values()].sort((a, b) => `${a.cluster}/${a.namespace}`.localeCompare(`${b.cluster}/${b.namespace}`));
}

/** The gateways of a network over every configured cluster of it (what a client's istiod would pick among). */
export function gatewaysOfNetwork(clusters: readonly ClusterInfo[], network: string, views: ReadonlyMap<string, ClusterIstioView>): NetworkGateway[] {
  return clusters.filter((c) => c.network === network).flatMap((c) => gatewaysOfCluster(c, views.get(c.name)).filter((g) => g.network === network));
}

/** Lines `RoutingNetworkMismatch: …` for a cluster whose Istio network names differ from the config's. */
export function networkMismatches(cluster: ClusterInfo, view: ClusterIstioView | undefined): string[] {
  if (!view) return [];
  const out: string[] = [];
  if (view.systemNetwork !== undefined && view.systemNetwork !== cluster.network) {
    out.push(`RoutingNetworkMismatch: cluster ${cluster.name} is on network "${cluster.network}" in the gns-sync config, but Istio calls its network "${view.systemNetwork}" (label ${LABEL_ISTIO_NETWORK} of namespace ${ISTIO_SYSTEM}); make them equal, or cross-network routing fails`);
  }
  for (const svc of view.services) {
    const network = svc.labels[LABEL_ISTIO_NETWORK];
    if (network !== undefined && network !== cluster.network && network !== view.systemNetwork) {
      out.push(`RoutingNetworkMismatch: cluster ${cluster.name} is on network "${cluster.network}" in the gns-sync config, but its gateway Service ${svc.namespace}/${svc.name} is labelled ${LABEL_ISTIO_NETWORK}=${network}`);
    }
  }
  return out;
}
