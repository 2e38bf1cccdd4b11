// The desired ServiceEntries (docs/adr/0013-routing-through-istio.md), pure functions of
// what the sync computed: a target's client entries, and the gateway entries of one GNS's
// pods in one source cluster. Deterministic names and content: the same input gives equal
// objects, so an unchanged state plans zero writes (plan.ts).
import { canonicalJson } from '../canonical-json.ts';
import { sha256Hex } from '../hash.ts';
import { DEFAULT_INSTALLATION, LABEL_INSTALLATION } from '../installation.ts';
import { LABEL_GNS, MANAGED_BY } from '../types.ts';
import type { TargetRef, VipIdentity } from '../types.ts';
import { routingHost } from './host.ts';
import {
  LABEL_ISTIO_AUTOALLOCATE, LABEL_ISTIO_TLS_MODE, LABEL_ROUTING, LABEL_ROUTING_MANAGED_BY, LABEL_SOURCE_CLUSTER, LABEL_SOURCE_NAMESPACE,
  LABEL_SOURCE_POD, LABEL_TARGET, LABEL_TARGET_CLUSTER,
} from './types.ts';
import type { EntryOwner, EntryPort, GatewayPlace, RoutedPod, ServiceEntry } from './types.ts';

const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const TLS = { [LABEL_ISTIO_TLS_MODE]: 'istio' } as const;

/**
 * `gnsc-`/`gnsg-` + 16 hex of the canonical JSON of the parts. Another installation's names
 * hash its name in too (docs/adr/0015-installation-identity.md), so two installations routing
 * the same pods never race for one name; the default installation's names are unchanged.
 */
export const entryName = (kind: 'client' | 'gateway', parts: readonly string[], installation: string = DEFAULT_INSTALLATION): string =>
  `gns${kind === 'client' ? 'c' : 'g'}-${sha256Hex(canonicalJson([kind, ...parts, ...(installation === DEFAULT_INSTALLATION ? [] : [{ installation }])])).slice(0, 16)}`;

const toPorts = (numbers: readonly number[]): EntryPort[] => numbers.map((number) => ({ number, name: `tcp-${number}`, protocol: 'TCP' }));

function sourceLabels(id: VipIdentity): Record<string, string> {
  const labels: Record<string, string> = { [LABEL_SOURCE_CLUSTER]: id.cluster, [LABEL_SOURCE_NAMESPACE]: id.namespace };
  if (id.pod.length <= 63 && LABEL_VALUE_RE.test(id.pod)) labels[LABEL_SOURCE_POD] = id.pod;
  return labels;
}

export interface ClientEntriesInput {
  readonly target: TargetRef;
  readonly serviceUid: string;
  /** The target cluster's Istio config cluster. */
  readonly configCluster: string;
  readonly routed: readonly RoutedPod[];
  /** The installation writing the entries (its label goes on each); default `default`. */
  readonly installation?: string;
}

/** One client entry per routed pod with a TCP port, in the target's namespace of its config cluster. */
export function desiredClientEntries(input: ClientEntriesInput): ServiceEntry[] {
  const { target } = input;
  const installation = input.installation ?? DEFAULT_INSTALLATION;
  const owners: EntryOwner[] = input.configCluster === target.cluster ? [{ apiVersion: 'v1', kind: 'Service', name: target.name, uid: input.serviceUid }] : [];
  return input.routed
    .filter((r): r is RoutedPod & { vip: string } => r.ports.length > 0 && r.vip !== undefined)
    .map((r): ServiceEntry => ({
      cluster: input.configCluster,
      namespace: target.namespace,
      name: entryName('client', [target.gns, target.cluster, target.namespace, target.name, r.identity.cluster, r.identity.namespace, r.identity.pod], installation),
      labels: {
        [LABEL_ROUTING_MANAGED_BY]: MANAGED_BY,
        [LABEL_GNS]: target.gns,
        [LABEL_ROUTING]: 'client',
        [LABEL_TARGET]: target.name,
        [LABEL_TARGET_CLUSTER]: target.cluster,
        ...sourceLabels(r.identity),
        [LABEL_INSTALLATION]: installation,
      },
      ownerReferences: owners,
      spec: {
        hosts: [routingHost(r.identity)],
        addresses: [r.vip],
        ports: toPorts(r.ports),
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        exportTo: ['.'],
        endpoints: [{ network: r.network, labels: TLS }],
      },
    }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export interface GatewayEntriesInput {
  readonly gns: string;
  readonly sourceCluster: string;
  /** The routed pods of that source cluster, from every target on another network (a pod may repeat). */
  readonly routed: readonly RoutedPod[];
  /** Where the source network's gateways read config. */
  readonly places: readonly GatewayPlace[];
  /** The installation writing the entries (its label goes on each); default `default`. */
  readonly installation?: string;
}

/** One gateway entry per routed pod of the source cluster and gateway place; ports: the union over targets. */
export function desiredGatewayEntries(input: GatewayEntriesInput): ServiceEntry[] {
  const byPod = new Map<string, { routed: RoutedPod; ports: Set<number> }>();
  for (const r of input.routed) {
    if (r.identity.cluster !== input.sourceCluster || r.identity.gns !== input.gns || r.ports.length === 0) continue;
    const key = `${r.identity.namespace}/${r.identity.pod}`;
    const seen = byPod.get(key);
    if (seen) for (const p of r.ports) seen.ports.add(p);
    else byPod.set(key, { routed: r, ports: new Set(r.ports) });
  }
  const installation = input.installation ?? DEFAULT_INSTALLATION;
  const places = [...new Map(input.places.map((p) => [`${p.cluster}/${p.namespace}`, p])).values()];
  const out: ServiceEntry[] = [];
  for (const { routed: r, ports } of byPod.values()) {
    const name = entryName('gateway', [input.gns, r.identity.cluster, r.identity.namespace, r.identity.pod], installation);
    for (const place of places) {
      out.push({
        cluster: place.cluster,
        namespace: place.namespace,
        name,
        labels: {
          [LABEL_ROUTING_MANAGED_BY]: MANAGED_BY,
          [LABEL_GNS]: input.gns,
          [LABEL_ROUTING]: 'gateway',
          ...sourceLabels(r.identity),
          [LABEL_ISTIO_AUTOALLOCATE]: 'false',
          [LABEL_INSTALLATION]: installation,
        },
        ownerReferences: [],
        spec: {
          hosts: [routingHost(r.identity)],
          ports: toPorts([...ports].sort((a, b) => a - b)),
          location: 'MESH_INTERNAL',
          resolution: 'STATIC',
          exportTo: ['.'],
          endpoints: [{ address: r.podIp, network: r.network, labels: TLS }],
        },
      });
    }
  }
  const key = (e: ServiceEntry) => `${e.cluster}\u0000${e.namespace}\u0000${e.name}`;
  return out.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
