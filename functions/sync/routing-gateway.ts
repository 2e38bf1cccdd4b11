// The gateway-entry writer of one (GNS, source cluster) (docs/adr/0013-routing-through-istio.md):
// one serialized writer per key (its own sync-message kind and FIFO group), so targets that
// share a pod's gateway entry never race on it, and a failing source side delays no slice.
// Level-triggered like a target sync: reload the GNS's stored state, recompute every gateway
// entry of the source cluster's routed pods (ports united over the targets on other
// networks), diff against what is labelled ours in the Istio config cluster of every cluster
// of the source network, write the minimum.
import { desiredGatewayEntries } from '../../shared/core/routing/entries.ts';
import { gatewayPlaces } from '../../shared/core/routing/gateways.ts';
import { routedPods } from '../../shared/core/routing/routed.ts';
import { LABEL_ROUTING, LABEL_ROUTING_MANAGED_BY, LABEL_SOURCE_CLUSTER } from '../../shared/core/routing/types.ts';
import type { RoutedPod, RoutingKey, ServiceEntry } from '../../shared/core/routing/types.ts';
import { validateTarget } from '../../shared/core/target.ts';
import { LABEL_GNS, MANAGED_BY } from '../../shared/core/types.ts';
import { IstioApiMissingError, RetryableError, describeError } from '../../shared/errors.ts';
import type { IncarnationStore, StateStore } from '../../shared/ports.ts';
import { completenessOf } from '../../shared/core/completeness.ts';
import { silentLog } from '../log.ts';
import type { Log } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { applyEntries } from './routing-apply.ts';
import type { RoutingDeps } from './routing-client.ts';
import { configClusterOf, isIstio } from './routing-client.ts';
import { listRecordedEntries } from './routing-listing.ts';
import { istioViews } from './routing-views.ts';
import { loadSources } from './sources.ts';

export interface GatewayWriterDeps {
  readonly topology: TopologyIndex;
  readonly store: StateStore;
  readonly routing: RoutingDeps;
  readonly log?: Log;
  /**
   * The store's incarnation: until every member of the GNS is complete in it, gateway entries
   * are only added, never updated or removed (docs/adr/0014). Undefined: the store counts as complete.
   */
  readonly incarnation?: IncarnationStore;
}

export interface GatewayOutcome {
  readonly key: RoutingKey;
  /** Gateway entries desired (over all gateway places). */
  readonly entries: number;
  readonly writes: number;
  /** Config clusters that do not serve ServiceEntries (skipped). */
  readonly missingCrd: readonly string[];
}

export const gatewaySelector = (key: RoutingKey): Record<string, string> => ({
  [LABEL_ROUTING_MANAGED_BY]: MANAGED_BY,
  [LABEL_ROUTING]: 'gateway',
  [LABEL_GNS]: key.gns,
  [LABEL_SOURCE_CLUSTER]: key.cluster,
});

/** The routed pods of the source cluster over every valid target of the GNS on another network. */
async function routedOfSource(deps: GatewayWriterDeps, key: RoutingKey): Promise<RoutedPod[]> {
  const { topology } = deps;
  const members = topology.membersOf(key.gns);
  if (!members.some((m) => m.cluster === key.cluster)) return [];
  const network = topology.networks.get(key.cluster) ?? key.cluster;
  const sources = (await loadSources(deps.store, members.filter((m) => m.cluster === key.cluster))).filter((s) => s.cluster === key.cluster);
  const out: RoutedPod[] = [];
  for (const m of members) {
    if ((topology.networks.get(m.cluster) ?? m.cluster) === network) continue;
    for (const service of await deps.store.servicesOf(m.cluster, m.namespace)) {
      const v = validateTarget(service);
      if (!v.ok) continue;
      const target = { gns: key.gns, cluster: m.cluster, namespace: m.namespace, name: service.name };
      out.push(...routedPods({ target, service, selector: v.selector, sources, networks: topology.networks, vips: new Map(), vipFamily: topology.vipFamily }, { requireVip: false }));
    }
  }
  return out;
}

export async function syncGatewayEntries(deps: GatewayWriterDeps, key: RoutingKey, now: number): Promise<GatewayOutcome> {
  const log = deps.log ?? silentLog;
  const { topology } = deps;
  const network = topology.networks.get(key.cluster) ?? key.cluster;
  const clusters = topology.topology.clusters.filter((c) => c.network === network);
  // Read before the pods: a snapshot merged after this read is honoured at the next run.
  const incomplete = deps.incarnation ? !completenessOf(await deps.incarnation.current(now), topology.membersOf(key.gns)).complete : false;
  const routed = isIstio(topology) ? await routedOfSource(deps, key) : [];
  const views = routed.length > 0 ? await istioViews(deps.routing.apis, clusters.map((c) => c.name), now, log) : new Map();
  const places = gatewayPlaces(clusters, network, views);
  const desired = desiredGatewayEntries({ gns: key.gns, sourceCluster: key.cluster, routed, places, installation: topology.installation });

  // Every config cluster of the network is in scope: an entry left where a gateway was is removed.
  const configClusters = [...new Set([...clusters.map((c) => configClusterOf(topology, c.name)), ...places.map((p) => p.cluster)])].sort();
  let writes = 0;
  const missingCrd: string[] = [];
  const failures: string[] = [];
  for (const cluster of configClusters) {
    const mine = desired.filter((e: ServiceEntry) => e.cluster === cluster);
    try {
      const api = await deps.routing.apis.get(cluster);
      // Where entries were written before (the inventory) and where they go now: no cluster-wide list.
      const list = () => listRecordedEntries(api, gatewaySelector(key), mine.map((e) => e.namespace));
      writes += (await applyEntries(api, mine, list, { installation: topology.installation, incomplete })).writes;
    } catch (error) {
      if (error instanceof IstioApiMissingError) {
        missingCrd.push(cluster);
        continue;
      }
      failures.push(`${cluster}: ${describeError(error)}`);
    }
  }
  if (failures.length > 0) {
    throw new RetryableError(`gateway entries of ${key.gns}/${key.cluster}: ${failures.join('; ')}`);
  }
  log.debug('gateway entries synced', { gns: key.gns, cluster: key.cluster, entries: desired.length, writes, ...(incomplete ? { incomplete } : {}) });
  return { key, entries: desired.length, writes, missingCrd };
}
