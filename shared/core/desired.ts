// The desired EndpointSlices of one target (docs/design.md §3): a pure function of stored state.
// Same input, byte-identical output; the plan (plan.ts) turns it into the minimum of writes.
import { DEFAULT_INSTALLATION, LABEL_INSTALLATION } from './installation.ts';
import { isStatefulSetPod, resolveHostnames } from './publishable.ts';
import type { HostnameConflict, SkippedPod } from './publishable.ts';
import type { Selector } from './selector.ts';
import { matchesSelector } from './target.ts';
import type {
  AddressType, ContainerPort, Endpoint, EndpointConditions, EndpointPort, MemberRef, ServicePort, ServiceRecord, Slice, SourcePod, TargetRef, VipIdentity,
} from './types.ts';

export type { HostnameConflict, SkippedPod };
import { LABEL_GNS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY, MAX_ENDPOINTS_PER_SLICE } from './types.ts';

export interface DesiredInput {
  readonly target: TargetRef;
  readonly service: ServiceRecord;
  readonly selector: Selector;
  /** Every visible pod of every member of the target's GNS: filtered here by selector, IP and controller. */
  readonly sources: readonly SourcePod[];
  /**
   * The GNS's members in config order: a hostname claimed by pods of two members goes to the
   * first (after the target's own namespace; publishable.ts). Absent: `cluster/namespace` order,
   * so the result never depends on the order of `sources`.
   */
  readonly members?: readonly MemberRef[];
  /** Network of each cluster; a cluster missing here is on a network of its own name. */
  readonly networks: ReadonlyMap<string, string>;
  /** Allocated VIPs by identityKey (`gns/cluster/namespace/pod`). */
  readonly vips: ReadonlyMap<string, string>;
  /**
   * Family of the VIP pool. Each VIP is published in the family of its own address, so a VIP
   * left outside a changed pool (moved at the identity's next allocation, or kept while the new
   * pool has no room: docs/adr/0004-vip-allocation.md) keeps working.
   */
  readonly vipFamily: 4 | 6;
  /** The installation writing the slices (its label goes on each); default `default`. */
  readonly installation?: string;
}

export interface Desired {
  readonly slices: readonly Slice[];
  /** Hostnames claimed by several pods: one published, the others named (publishable.ts). */
  readonly conflicts: readonly HostnameConflict[];
  /** Selected pods no StatefulSet controls: not published. */
  readonly skipped: readonly SkippedPod[];
  /** Remote source pods that need a VIP and have none yet: omitted from the slices. */
  readonly missingVips: readonly VipIdentity[];
}

const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Whether `name` is a DNS-1123 label (≤ 63 of a-z, 0-9, `-`; alphanumeric at both ends). */
export function isDns1123Label(name: string): boolean {
  return name.length <= 63 && DNS1123_LABEL_RE.test(name);
}

/** The eight possible conditions, shared (frozen) by all endpoints instead of one object each. */
const CONDITIONS: readonly EndpointConditions[] = Array.from({ length: 8 }, (_, i) =>
  Object.freeze({ ready: (i & 4) !== 0, serving: (i & 2) !== 0, terminating: (i & 1) !== 0 }),
);

const familyOf = (ip: string): AddressType => (ip.includes(':') ? 'IPv6' : 'IPv4');
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function networkOf(networks: ReadonlyMap<string, string>, cluster: string): string {
  return networks.get(cluster) ?? cluster;
}

/**
 * The families of pod IPs the target publishes: its spec.ipFamilies when set (as the
 * Kubernetes controller does), else both. VIPs are published in their own family whatever
 * the Service says: the pool is the operator's explicit choice (docs/adr/0007).
 */
function allowedFamilies(service: ServiceRecord): ReadonlySet<AddressType> {
  const families = service.ipFamilies;
  return new Set<AddressType>(families !== undefined && families.length > 0 ? families : ['IPv4', 'IPv6']);
}

export interface Source {
  readonly source: SourcePod;
  readonly id: string;
  readonly local: boolean;
}

/** A pod's published hostname: `spec.hostname` when it is a DNS-1123 label. */
function hostnameOf(source: SourcePod): string | undefined {
  const { hostname } = source.pod;
  return hostname !== undefined && isDns1123Label(hostname) ? hostname : undefined;
}

export interface Selection {
  /** The sources the target publishes, sorted by `cluster/namespace/pod`, each once. */
  readonly sources: Source[];
  readonly skipped: SkippedPod[];
  readonly conflicts: HostnameConflict[];
}

/**
 * The sources a target publishes: matching and IP-bearing, controlled by a StatefulSet, and one
 * per hostname (publishable.ts); with the pods left out and why.
 */
export function selectSources(input: Omit<DesiredInput, 'vips'>): Selection {
  const targetNetwork = networkOf(input.networks, input.target.cluster);
  const matching: Source[] = [];
  for (const source of input.sources) {
    if (source.pod.ips.length === 0 || !matchesSelector(source.pod.labels, input.selector)) continue;
    const id = `${source.cluster}/${source.namespace}/${source.pod.name}`;
    matching.push({ source, id, local: networkOf(input.networks, source.cluster) === targetNetwork });
  }
  // The same pod twice (a caller bug) is kept once, deterministically: the greatest uid.
  matching.sort((a, b) => compare(a.id, b.id) || compare(b.source.pod.uid, a.source.pod.uid));
  const unique = matching.filter((s, i) => i === 0 || s.id !== matching[i - 1]?.id);
  const skipped: SkippedPod[] = [];
  const owned = unique.filter((s) => {
    if (isStatefulSetPod(s.source.pod.controller)) return true;
    skipped.push({ pod: s.id, controller: s.source.pod.controller ?? null });
    return false;
  });
  const { kept, conflicts } = resolveHostnames(owned, input.target, hostnameOf, input.members);
  return { sources: kept, skipped, conflicts };
}

/** The sources the target publishes (also routing/routed.ts): see `selectSources`. */
export function matchingSources(input: Omit<DesiredInput, 'vips'>): Source[] {
  return selectSources(input).sources;
}

function vipIdentity(target: TargetRef, source: SourcePod): VipIdentity {
  return { gns: target.gns, cluster: source.cluster, namespace: source.namespace, pod: source.pod.name };
}

/**
 * The identities that need a VIP before `desiredSlices` can publish them: matching,
 * IP-bearing source pods that are not on the target's network. Sorted by identity key.
 */
export function vipIdentitiesNeeded(input: Omit<DesiredInput, 'vips'>): VipIdentity[] {
  return matchingSources(input)
    .filter((s) => !s.local)
    .map((s) => vipIdentity(input.target, s.source));
}

/** The resolved ports of a pod, in service order; a named targetPort the pod lacks is left out. */
export function resolvePorts(ports: readonly ServicePort[], containerPorts: readonly ContainerPort[]): EndpointPort[] {
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
  // Groups by address type, then by resolved ports (Kubernetes slices by both).
  const groups4 = new Map<string, Group>();
  const groups6 = new Map<string, Group>();
  const missingVips: VipIdentity[] = [];
  const selection = selectSources(input);
  // Ports resolve per pod only when some targetPort is a name; otherwise once for all.
  const named = service.ports.some((p) => typeof p.targetPort === 'string');
  const shared = named ? undefined : resolvePorts(service.ports, []);
  const sharedKey = portsKey(shared ?? []);

  for (const { source, id, local } of selection.sources) {
    const { pod } = source;
    const addresses: string[] = [];
    if (local) {
      let v4 = false;
      let v6 = false;
      for (const ip of pod.ips) {
        const family = familyOf(ip);
        if ((family === 'IPv4' ? v4 : v6) || !families.has(family)) continue;
        if (family === 'IPv4') v4 = true;
        else v6 = true;
        addresses.push(ip);
      }
    } else {
      const vip = input.vips.get(`${target.gns}/${id}`); // = identityKey(vipIdentity(target, source))
      if (vip === undefined) missingVips.push(vipIdentity(target, source));
      else addresses.push(vip);
    }
    if (addresses.length === 0) continue;

    const hostname = hostnameOf(source);
    const ports = shared ?? resolvePorts(service.ports, pod.ports);
    const pk = shared === undefined ? portsKey(ports) : sharedKey;
    const ready = service.publishNotReadyAddresses || (pod.ready && !pod.terminating);
    const conditions = CONDITIONS[(ready ? 4 : 0) + (pod.ready ? 2 : 0) + (pod.terminating ? 1 : 0)] as EndpointConditions;
    const sameCluster = source.cluster === target.cluster;
    for (const address of addresses) {
      const endpoint: { -readonly [K in keyof Endpoint]: Endpoint[K] } = { addresses: [address], conditions };
      if (hostname !== undefined) endpoint.hostname = hostname;
      if (sameCluster) {
        endpoint.targetRef = { kind: 'Pod', namespace: source.namespace, name: pod.name, uid: pod.uid };
        if (pod.nodeName !== undefined) endpoint.nodeName = pod.nodeName;
      }
      const addressType = familyOf(address);
      const byPorts = addressType === 'IPv4' ? groups4 : groups6;
      let group = byPorts.get(pk);
      if (group === undefined) {
        group = { addressType, ports, key: `${addressType}\u0002${pk}`, endpoints: [] };
        byPorts.set(pk, group);
      }
      group.endpoints.push(endpoint);
    }
  }

  const labels = {
    [LABEL_SERVICE_NAME]: service.name, [LABEL_MANAGED_BY]: MANAGED_BY, [LABEL_GNS]: target.gns,
    [LABEL_INSTALLATION]: input.installation ?? DEFAULT_INSTALLATION,
  };
  const ownerReferences = [
    { apiVersion: 'v1', kind: 'Service', name: service.name, uid: service.uid, controller: true, blockOwnerDeletion: true },
  ] as const;
  const slices: Slice[] = [];
  // Sources are visited in identity order, so each group's endpoints are already sorted.
  for (const group of [...groups4.values(), ...groups6.values()].sort((a, b) => compare(a.key, b.key))) {
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
  return { slices, conflicts: selection.conflicts, skipped: selection.skipped, missingVips };
}
