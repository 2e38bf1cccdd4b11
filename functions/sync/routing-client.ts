// The target's half of routing: istio (docs/adr/0013-routing-through-istio.md). After the
// slices, the sync writes one client ServiceEntry per VIP endpoint in the target's Istio config
// cluster, warns when routing cannot work, and names the gateway-entry writers to run
// (GNS, source cluster) — those are written by their own serialized writer, never here.
import type { DesiredInput } from '../../shared/core/desired.ts';
import { desiredClientEntries } from '../../shared/core/routing/entries.ts';
import { keptEntryNames, keptIdentities, restartGraceMs } from '../../shared/core/routing/keep.ts';
import type { ReturningSource } from '../../shared/core/routing/keep.ts';
import { gatewaysOfNetwork, networkMismatches } from '../../shared/core/routing/gateways.ts';
import { routedPods } from '../../shared/core/routing/routed.ts';
import { LABEL_ISTIO_NETWORK, LABEL_ROUTING, LABEL_ROUTING_MANAGED_BY, LABEL_TARGET, LABEL_TARGET_CLUSTER } from '../../shared/core/routing/types.ts';
import type { RoutingKey } from '../../shared/core/routing/types.ts';
import { LABEL_GNS, MANAGED_BY } from '../../shared/core/types.ts';
import type { ClusterInfo, TargetRef } from '../../shared/core/types.ts';
import { IstioApiMissingError } from '../../shared/errors.ts';
import type { RoutingApis } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { applyEntries } from './routing-apply.ts';
import { istioViews } from './routing-views.ts';

export interface RoutingDeps {
  readonly apis: RoutingApis;
}

export interface TargetRouting {
  readonly writes: number;
  /** Warning lines `Reason: message` for the target. */
  readonly warnings: readonly string[];
  /** The gateway-entry writers this target's sources concern. */
  readonly keys: readonly RoutingKey[];
}

const NONE: TargetRouting = { writes: 0, warnings: [], keys: [] };

export const isIstio = (topology: TopologyIndex): boolean => topology.topology.routing === 'istio';

function clusterInfo(topology: TopologyIndex, name: string): ClusterInfo {
  return topology.topology.clusters.find((c) => c.name === name) ?? { name, network: topology.networks.get(name) ?? name };
}

export const configClusterOf = (topology: TopologyIndex, cluster: string): string => clusterInfo(topology, cluster).istioConfigCluster ?? cluster;

/** The selector of a target's client entries. */
export const clientSelector = (target: TargetRef): Record<string, string> => ({
  [LABEL_ROUTING_MANAGED_BY]: MANAGED_BY,
  [LABEL_ROUTING]: 'client',
  [LABEL_GNS]: target.gns,
  [LABEL_TARGET]: target.name,
  [LABEL_TARGET_CLUSTER]: target.cluster,
});

/** The writers of every member cluster of the GNS on another network than the target's. */
export function routingKeysOf(topology: TopologyIndex, target: TargetRef): RoutingKey[] {
  const network = topology.networks.get(target.cluster) ?? target.cluster;
  const clusters = new Set(topology.membersOf(target.gns).map((m) => m.cluster));
  return [...clusters].filter((c) => (topology.networks.get(c) ?? c) !== network).sort().map((cluster) => ({ gns: target.gns, cluster }));
}

/**
 * Client entries of a valid target, with its routing warnings. `incomplete`: the GNS is not complete in the store (only additions).
 * `returning`: the GNS's pods absent with a returning tombstone: their existing entries are kept for a grace (docs/adr/0019).
 */
export async function routeTarget(deps: RoutingDeps, topology: TopologyIndex, input: DesiredInput, serviceUid: string, now: number, log: Log, incomplete = false, returning: readonly ReturningSource[] = []): Promise<TargetRouting> {
  if (!isIstio(topology)) return NONE;
  const { target } = input;
  const keys = routingKeysOf(topology, target);
  const routed = routedPods(input);
  const warnings: string[] = [];
  const unsupported = [...new Set(routed.flatMap((r) => r.unsupported))].sort();
  if (unsupported.length > 0) {
    warnings.push(`RoutingPortUnsupported: ports ${unsupported.join(', ')} are published but not routed through Istio's east-west gateways (TCP only)`);
  }

  const configCluster = configClusterOf(topology, target.cluster);
  const { installation } = topology;
  const desired = desiredClientEntries({ target, serviceUid, configCluster, routed, installation });
  // A restarting pod's entries stay as they are (no pod IP in them): present without an IP, or away and returning.
  const keep = keptEntryNames({ target, installation }, keptIdentities({ ...input, returning, now, graceMs: restartGraceMs(topology.topology.vipReleaseAfterMs) }));
  let writes = 0;
  try {
    const api = await deps.apis.get(configCluster);
    const applied = await applyEntries(api, desired, () => api.listServiceEntries(clientSelector(target), target.namespace), { installation, incomplete, keep });
    writes = applied.writes;
    if (applied.blocked.length > 0) {
      warnings.push(`RoutingNameTaken: ServiceEntry ${applied.blocked.map((e) => `${e.namespace}/${e.name}`).join(', ')} in ${configCluster} exists and is not this gns-sync installation's; those pods are not routed`);
    }
  } catch (error) {
    if (!(error instanceof IstioApiMissingError)) throw error;
    warnings.push(`RoutingCrdMissing: cluster ${configCluster} (the Istio config cluster of ${target.cluster}) does not serve networking.istio.io/v1 ServiceEntries: remote pods' VIPs are not routed here`);
  }

  // Warnings about the networks of the routed pods: a gateway for each, and network names.
  const networks = [...new Set(routed.map((r) => r.network))].sort();
  if (networks.length > 0) {
    const clusters = topology.topology.clusters.filter((c) => networks.includes(c.network) || c.name === target.cluster);
    const views = await istioViews(deps.apis, clusters.map((c) => c.name), now, log);
    for (const network of networks) {
      const onNetwork = clusters.filter((c) => c.network === network);
      if (onNetwork.some((c) => !c.eastWestGateway && !views.has(c.name))) continue; // unknown: no claim
      if (gatewaysOfNetwork(onNetwork, network, views).length === 0) {
        warnings.push(`RoutingNoGateway: no east-west gateway for network ${network}: no Service labelled ${LABEL_ISTIO_NETWORK}=${network} with a load-balancer address in ${onNetwork.map((c) => c.name).join(', ')} (and no eastWestGateway in the config); its pods' VIPs route nowhere from here`);
      }
    }
    for (const c of clusters) warnings.push(...networkMismatches(c, views.get(c.name)));
  }
  return { writes, warnings: [...new Set(warnings)], keys };
}

/** Removes a target's client entries (Service gone, invalid, no longer a member, routing none). */
export async function unrouteTarget(deps: RoutingDeps, topology: TopologyIndex, target: TargetRef): Promise<TargetRouting> {
  const configCluster = configClusterOf(topology, target.cluster);
  try {
    const api = await deps.apis.get(configCluster);
    const applied = await applyEntries(api, [], () => api.listServiceEntries(clientSelector(target), target.namespace), { installation: topology.installation });
    return { writes: applied.writes, warnings: [], keys: isIstio(topology) ? routingKeysOf(topology, target) : [] };
  } catch (error) {
    if (error instanceof IstioApiMissingError) return { ...NONE, keys: isIstio(topology) ? routingKeysOf(topology, target) : [] };
    throw error;
  }
}
