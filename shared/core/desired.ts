// The desired EndpointSlices of one target (DESIGN.md §3): a pure function of stored state.
// Same input, byte-identical output; the plan (plan.ts) turns it into the minimum of writes.
import { identityKey } from './identity.ts';
import type { Selector } from './selector.ts';
import { matchesSelector } from './target.ts';
import type {
  AddressType, ContainerPort, Endpoint, EndpointPort, ServicePort, ServiceRecord, Slice, SourcePod, TargetRef, VipIdentity,
} from './types.ts';
import { LABEL_GNS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY, MAX_ENDPOINTS_PER_SLICE } from './types.ts';

export interface DesiredInput {
  readonly target: TargetRef;
  readonly service: ServiceRecord;
  readonly selector: Selector;
  /** Every visible pod of every member of the target's GNS: filtered here by selector and IP. */
  readonly sources: readonly SourcePod[];
  /** Network of each cluster; a cluster missing here is on a network of its own name. */
  readonly networks: ReadonlyMap<string, string>;
  /** Allocated VIPs by identityKey (`gns/cluster/namespace/pod`). */
  readonly vips: ReadonlyMap<string, string>;
  /** Family of the VIP pool. */
  readonly vipFamily: 4 | 6;
}

export interface HostnameConflict {
  readonly hostname: string;
  /** `cluster/namespace/pod` of every source pod publishing the hostname, sorted. */
  readonly pods: readonly string[];
}

export interface Desired {
  readonly slices: readonly Slice[];
  readonly conflicts: readonly HostnameConflict[];
  /** Remote source pods that need a VIP and have none yet: omitted from the slices. */
  readonly missingVips: readonly VipIdentity[];
}

const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `name` is a DNS-1123 label (≤ 63 of a-z, 0-9, `-`; alphanumeric at both ends). */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL_RE.test(name);
}

const familyOf = (ip: string): AddressType => (ip.includes(':') ? 'IPv6' : 'IPv4');
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function networkOf(networks: ReadonlyMap<string, string>, cluster: string): string {
  return networks.get(cluster) ?? cluster;
}

/** The address families the target publishes: its spec.ipFamilies when set, else both. */
function allowedFamilies(service: ServiceRecord): ReadonlySet<AddressType> {
  const families = service.ipFamilies;
  return new Set<AddressType>(families !== undefined && families.length > 0 ? families : ['IPv4', 'IPv6']);
}

interface Source {
  readonly source: SourcePod;
  readonly id: string;
  readonly local: boolean;
}

/** Matching, IP-bearing sources, sorted by `cluster/namespace/pod`, each once. */
function matchingSources(input: Omit<DesiredInput, 'vips'>): Source[] {
  const targetNetwork = networkOf(input.networks, input.target.cluster);
  const byId = new Map<string, Source>();
  for (const source of input.sources) {
    if (source.pod.ips.length === 0 || !matchesSelector(source.pod.labels, input.selector)) continue;
    const id = `${source.cluster}/${source.namespace}/${source.pod.name}`;
    const local = networkOf(input.networks, source.cluster) === targetNetwork;
    const seen = byId.get(id);
    // The same pod twice (a caller bug): keep one, deterministically.
    if (seen === undefined || source.pod.uid > seen.source.pod.uid) byId.set(id, { source, id, local });
  }
  return [...byId.values()].sort((a, b) => compare(a.id, b.id));
}

function vipIdentity(target: TargetRef, source: SourcePod): VipIdentity {
  return { gns: target.gns, cluster: source.cluster, namespace: source.namespace, pod: source.pod.name };
}

/**
 * The identities that need a VIP before `desiredSlices` can publish them: matching,
 * IP-bearing source pods that are not on the target's network (in the VIP family, when the
 * target publishes that family). Sorted by identity key.
 */
export function vipIdentitiesNeeded(input: Omit<DesiredInput, 'vips'>): VipIdentity[] {
  if (!allowedFamilies(input.service).has(input.vipFamily === 6 ? 'IPv6' : 'IPv4')) return [];
  return matchingSources(input)
    .filter((s) => !s.local)
    .map((s) => vipIdentity(input.target, s.source));
}

/** The resolved ports of a pod, in service order; a named targetPort the pod lacks is left out. */
function resolvePorts(ports: readonly ServicePort[], containerPorts: readonly ContainerPort[]): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of ports) {
    let port: number | undefined;
    if (sp.targetPort === undefined) port = sp.port;
    else if (typeof sp.targetPort === 'number') port = sp.targetPort;
    else {
      const name = sp.targetPort;
      port = containerPorts.find((cp) => cp.name === name && cp.protocol === sp.protocol)?.containerPort;
    }
    if (port === undefined) continue;
    const ep: { -readonly [K in keyof EndpointPort]: EndpointPort[K] } = { name: sp.name ?? '', port, protocol: sp.protocol };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

const portsKey = (ports: readonly EndpointPort[]): string =>
  ports.map((p) => `${p.name}\u0000${p.port}\u0000${p.protocol}\u0000${p.appProtocol ?? ''}`).join('\u0001');

interface Group {
  readonly addressType: AddressType;
  readonly ports: readonly EndpointPort[];
  readonly key: string;
  readonly endpoints: Endpoint[];
}

/** The desired slices of a valid target, the hostname conflicts to warn about, and the VIPs still missing. */
export function desiredSlices(input: DesiredInput): Desired {
  const { target, service } = input;
  const families = allowedFamilies(service);
  const groups = new Map<string, Group>();
  const missingVips: VipIdentity[] = [];
  const hostnames = new Map<string, string[]>();
  // Ports resolve per pod only when some targetPort is a name; otherwise once for all.
  const named = service.ports.some((p) => typeof p.targetPort === 'string');
  const shared = named ? undefined : resolvePorts(service.ports, []);

  for (const { source, id, local } of matchingSources(input)) {
    const { pod } = source;
    const addresses: string[] = [];
    if (local) {
      const seen = new Set<AddressType>();
      for (const ip of pod.ips) {
        const family = familyOf(ip);
        if (seen.has(family) || !families.has(family)) continue;
        seen.add(family);
        addresses.push(ip);
      }
    } else if (families.has(input.vipFamily === 6 ? 'IPv6' : 'IPv4')) {
      const vip = input.vips.get(identityKey(vipIdentity(target, source)));
      if (vip === undefined) missingVips.push(vipIdentity(target, source));
      else addresses.push(vip);
    }
    if (addresses.length === 0) continue;

    const hostname = pod.hostname !== undefined && isDns1123Label(pod.hostname) ? pod.hostname : undefined;
    if (hostname !== undefined) {
      const pods = hostnames.get(hostname);
      if (pods === undefined) hostnames.set(hostname, [id]);
      else pods.push(id);
    }
    const ports = shared ?? resolvePorts(service.ports, pod.ports);
    const pk = portsKey(ports);
    const ready = service.publishNotReadyAddresses || (pod.ready && !pod.terminating);
    const sameCluster = source.cluster === target.cluster;
    for (const address of addresses) {
      const endpoint: { -readonly [K in keyof Endpoint]: Endpoint[K] } = {
        addresses: [address],
        conditions: { ready, serving: pod.ready, terminating: pod.terminating },
      };
      if (hostname !== undefined) endpoint.hostname = hostname;
      if (sameCluster) {
        endpoint.targetRef = { kind: 'Pod', namespace: source.namespace, name: pod.name, uid: pod.uid };
        if (pod.nodeName !== undefined) endpoint.nodeName = pod.nodeName;
      }
      const addressType = familyOf(address);
      const key = `${addressType}\u0002${pk}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = { addressType, ports, key, endpoints: [] };
        groups.set(key, group);
      }
      group.endpoints.push(endpoint);
    }
  }

  const labels = { [LABEL_SERVICE_NAME]: service.name, [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_GNS]: target.gns };
  const ownerReferences = [
    { apiVersion: 'v1', kind: 'Service', name: service.name, uid: service.uid, controller: true, blockOwnerDeletion: true },
  ] as const;
  const slices: Slice[] = [];
  // Sources are visited in identity order, so each group's endpoints are already sorted.
  for (const group of [...groups.values()].sort((a, b) => compare(a.key, b.key))) {
    for (let i = 0; i < group.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      slices.push({
        namespace: target.namespace,
        labels,
        ownerReferences,
        addressType: group.addressType,
        endpoints: group.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE),
        ports: group.ports,
      });
    }
  }
  const conflicts = [...hostnames]
    .filter(([, pods]) => pods.length > 1)
    .map(([hostname, pods]) => ({ hostname, pods }))
    .sort((a, b) => compare(a.hostname, b.hostname));
  return { slices, conflicts, missingVips };
}
