// An index over the topology (clusters, global namespaces) for the functions: which GNS a
// member namespace belongs to, the members of a GNS, each cluster's network. Built once per
// container from the config; pure lookups after that.
import { parseCidr } from '../shared/core/cidr.ts';
import { DEFAULT_INSTALLATION } from '../shared/core/installation.ts';
import type { IpFamily } from '../shared/core/cidr.ts';
import type { MemberRef, TargetRef } from '../shared/core/types.ts';
import type { Topology } from '../shared/ports.ts';

export interface TopologyIndex {
  readonly topology: Topology;
  /** The installation's identity (the topology's, else the default): it touches only objects labelled so. */
  readonly installation: string;
  /** The GNS a member namespace belongs to, or undefined (not a member: its events are ignored). */
  gnsOf(cluster: string, namespace: string): string | undefined;
  /** The members of a GNS (empty for an unknown GNS). */
  membersOf(gns: string): readonly MemberRef[];
  /** Cluster → network name (default: the cluster's own name). */
  readonly networks: ReadonlyMap<string, string>;
  readonly gnsNames: readonly string[];
  /** The address family of the VIP pool: VIP slices are of this family. */
  readonly vipFamily: IpFamily;
  /** Whether a target still lies in a member of its GNS (a removed member's targets are not). */
  isMemberTarget(target: TargetRef): boolean;
}

export function indexTopology(topology: Topology): TopologyIndex {
  const gnsByMember = new Map<string, string>();
  const members = new Map<string, readonly MemberRef[]>();
  for (const gns of topology.globalNamespaces) {
    members.set(gns.name, gns.members);
    for (const m of gns.members) gnsByMember.set(`${m.cluster}/${m.namespace}`, gns.name);
  }
  const networks = new Map(topology.clusters.map((c) => [c.name, c.network || c.name] as const));
  const vipFamily = parseCidr(topology.vipPool).family;
  return {
    topology,
    installation: topology.installation ?? DEFAULT_INSTALLATION,
    gnsOf: (cluster, namespace) => gnsByMember.get(`${cluster}/${namespace}`),
    membersOf: (gns) => members.get(gns) ?? [],
    networks,
    gnsNames: topology.globalNamespaces.map((g) => g.name),
    vipFamily,
    isMemberTarget: (t) => gnsByMember.get(`${t.cluster}/${t.namespace}`) === t.gns,
  };
}
