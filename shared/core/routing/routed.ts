// Which source pods of a target need routing (docs/adr/0013-routing-through-istio.md): the
// remote pods the target publishes as VIPs, with the pod IP and the resolved TCP ports a
// client dials (a headless Service does no port translation). Same rules as the slices
// (desired.ts), so routing exists exactly for the VIP endpoints.
import { matchingSources, resolvePorts } from '../desired.ts';
import type { DesiredInput } from '../desired.ts';
import type { RoutedPod } from './types.ts';

const familyOf = (ip: string): 4 | 6 => (ip.includes(':') ? 6 : 4);

/**
 * With `requireVip` (default), only pods the target publishes now (a VIP is allocated); without
 * it, every remote pod it will publish (the gateway-entry writer: its entries carry no VIP).
 */
export function routedPods(input: DesiredInput, options: { readonly requireVip?: boolean } = {}): RoutedPod[] {
  const requireVip = options.requireVip ?? true;
  const out: RoutedPod[] = [];
  for (const { source, local } of matchingSources(input)) {
    if (local) continue;
    const identity = { gns: input.target.gns, cluster: source.cluster, namespace: source.namespace, pod: source.pod.name };
    const vip = input.vips.get(`${identity.gns}/${identity.cluster}/${identity.namespace}/${identity.pod}`);
    if (vip === undefined && requireVip) continue; // not published yet (no VIP): nothing to route
    const family = vip === undefined ? input.vipFamily : familyOf(vip);
    const podIp = source.pod.ips.find((ip) => familyOf(ip) === family) ?? source.pod.ips[0];
    if (podIp === undefined) continue;
    const tcp = new Set<number>();
    const unsupported = new Set<string>();
    for (const p of resolvePorts(input.service.ports, source.pod.ports)) {
      if (p.protocol === 'TCP') tcp.add(p.port);
      else unsupported.add(`${p.protocol}/${p.port}`);
    }
    out.push({
      identity,
      ...(vip !== undefined ? { vip } : {}),
      podIp,
      network: input.networks.get(source.cluster) ?? source.cluster,
      ports: [...tcp].sort((a, b) => a - b),
      unsupported: [...unsupported].sort(),
    });
  }
  return out;
}
