// A VIP pool that overlaps the clusters' own addresses (issue 14): a VIP equal to a real pod or
// Service address sends clients to the wrong place. gns-sync can only see what it observes —
// the IPs of the pods in member namespaces (the agents publish them) and the ClusterIPs of the
// target Services — so a pod or Service address inside the pool proves an overlap (a clean
// result does not prove there is none: the cluster's pod and Service ranges are wider). Pure:
// the callers pass what they loaded anyway (the sync its sources, `status` the store).
import { isUsable, parseCidr } from './cidr.ts';
import type { Cidr } from './cidr.ts';
import type { ServiceRecord, SourcePod } from './types.ts';

/** An address of a cluster that gns-sync observed. */
export interface ObservedAddress {
  readonly cluster: string;
  readonly kind: 'pod' | 'Service';
  /** `namespace/name` */
  readonly name: string;
  readonly ip: string;
}

/** The pod IPs of the sources. */
export function podAddresses(sources: readonly SourcePod[]): ObservedAddress[] {
  return sources.flatMap(({ cluster, namespace, pod }) => pod.ips.map((ip) => ({ cluster, kind: 'pod' as const, name: `${namespace}/${pod.name}`, ip })));
}

/** The ClusterIP(s) of a Service (none for a headless one). */
export function serviceAddresses(cluster: string, namespace: string, service: Pick<ServiceRecord, 'name' | 'clusterIP'>): ObservedAddress[] {
  const ip = service.clusterIP;
  return ip === undefined || ip === '' || ip === 'None' ? [] : [{ cluster, kind: 'Service', name: `${namespace}/${service.name}`, ip }];
}

/** The observed addresses that the pool could hand out as a VIP, sorted by (cluster, kind, name, ip) in code-unit order. */
export function poolOverlaps(pool: Cidr | string, observed: readonly ObservedAddress[]): ObservedAddress[] {
  const cidr = typeof pool === 'string' ? parseCidr(pool) : pool;
  const key = (a: ObservedAddress) => `${a.cluster}\u0000${a.kind}\u0000${a.name}\u0000${a.ip}`;
  return observed.filter((a) => isUsable(cidr, a.ip)).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** At most this many addresses are named; the rest are counted (the line stays short and stable). */
const NAMED = 3;

/**
 * One line `VipPoolOverlap: …` (a Warning's reason and message, and a `status` line) naming the
 * clusters and a few of the addresses inside the pool; undefined when none is.
 */
export function overlapLine(pool: string, overlaps: readonly ObservedAddress[]): string | undefined {
  if (overlaps.length === 0) return undefined;
  const clusters = [...new Set(overlaps.map((a) => a.cluster))];
  const named = overlaps.slice(0, NAMED).map((a) => `${a.kind} ${a.cluster}/${a.name} ${a.ip}`).join(', ');
  const more = overlaps.length > NAMED ? ` and ${overlaps.length - NAMED} more` : '';
  return `VipPoolOverlap: VIP pool ${pool} overlaps addresses of cluster(s) ${clusters.join(', ')}: ${named}${more}. ` +
    'A VIP equal to one of them sends clients to the wrong place; set vipPool to a range outside every cluster\'s pod and Service ranges.';
}
