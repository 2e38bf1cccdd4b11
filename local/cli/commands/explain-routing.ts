// What `validate-config` says about routing (docs/adr/0013-routing-through-istio.md): how VIPs
// reach their pods with this config, per cluster where Istio reads config and how each
// network's east-west gateway is found.
import { parseCidr } from '../../../shared/core/cidr.ts';
import type { Config } from '../../../shared/config/schema.ts';

/** Istio's default auto-allocation range for ServiceEntry addresses (PILOT_IP_AUTOALLOCATE_IPV4_PREFIX). */
export const ISTIO_AUTOALLOCATE_V4 = '240.240.0.0/16';

function overlaps(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (x.family !== y.family) return false;
  const bits = x.family === 4 ? 32 : 128;
  const prefix = Math.min(x.prefix, y.prefix);
  const shift = BigInt(bits - prefix);
  return x.base >> shift === y.base >> shift;
}

/** The lines validate-config prints after "valid (…)"; warnings start with "warning:". */
export function explainRouting(config: Config): string[] {
  if (config.routing !== 'istio') {
    return ['routing: none — same-network targets get pod IPs; VIPs of other networks need a data plane you provide (set routing: istio to have gns-sync write Istio ServiceEntries)'];
  }
  const networks = [...new Set(config.clusters.map((c) => c.network))];
  const lines = [
    `routing: istio — for each VIP endpoint gns-sync writes a ServiceEntry in the target's Istio config cluster, and for each routed pod one in the Istio config cluster of every gateway cluster of the pod's network (${networks.length} network${networks.length === 1 ? '' : 's'}: ${networks.join(', ')})`,
  ];
  for (const c of config.clusters) {
    const where = c.istioConfigCluster !== undefined && c.istioConfigCluster !== c.name ? `Istio config in ${c.istioConfigCluster} (primary-remote)` : 'Istio config in itself';
    const gateway = c.eastWestGateway
      ? `east-west gateway ${c.eastWestGateway.address}:${c.eastWestGateway.port} (configured)`
      : `east-west gateway discovered as istiod does: a Service labelled topology.istio.io/network=${c.network}, port from its networking.istio.io/gatewayPort label else 15443, address from status.loadBalancer.ingress (ip or hostname)`;
    lines.push(`  ${c.name}: network ${c.network} (must equal Istio's network name: the topology.istio.io/network label of istio-system, else a Warning); ${where}; ${gateway}`);
  }
  if (overlaps(config.vipPool, ISTIO_AUTOALLOCATE_V4)) {
    lines.push(`warning: vipPool ${config.vipPool} overlaps Istio's auto-allocation range ${ISTIO_AUTOALLOCATE_V4}: a VIP can equal an address Istio gives another ServiceEntry; use another pool (the default 241.0.0.0/16) — VIPs move at the next sync`);
  }
  return lines;
}
