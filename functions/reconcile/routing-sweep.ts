// The reconcile's part of routing (docs/adr/0013-routing-through-istio.md): what the slices get
// from steps 1 and 3, for the ServiceEntries. In every Istio config cluster it lists the entries
// this installation owns (its managed-by and installation labels; ADR 15) — in the namespaces
// its inventory records and those the config writes to, never cluster-wide (ADR 18,
// ./routing-inventory.ts) — and deletes, with
// their uid/resourceVersion preconditions, those no configuration wants any more:
//   - every entry when `routing` is `none` (switched off);
//   - an entry of a GNS removed from the config;
//   - a client entry whose target namespace is no longer a member of its GNS, whose target
//     cluster's Istio config cluster is another now, or whose source cluster left the GNS or
//     shares the target's network;
//   - a gateway entry whose source cluster left the GNS, or in a config cluster no cluster of
//     the source's network reads any more.
// Everything finer (a pod gone, a port changed, drift) is the writers' job: with routing: istio
// the reconcile enqueues every gateway-entry writer (GNS, member cluster), and every target (step
// 1) — a client entry of a target it did not enqueue (its Service's annotation removed while the
// sync was lost) has its target enqueued too. While any GNS is incomplete in the store, or the
// incarnation cannot be read, nothing is deleted (ADR 14). A cluster without Istio's CRDs has no
// entries; with routing: none a cluster that refuses the list (the grants went with routing) is
// skipped with a log line: nothing gns-sync wrote can be left there that it could delete.
import { LABEL_ROUTING, LABEL_ROUTING_MANAGED_BY, LABEL_SOURCE_CLUSTER, LABEL_TARGET, LABEL_TARGET_CLUSTER } from '../../shared/core/routing/types.ts';
import type { RoutingKey, ServiceEntry } from '../../shared/core/routing/types.ts';
import { targetKey } from '../../shared/core/identity.ts';
import { LABEL_GNS, MANAGED_BY } from '../../shared/core/types.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import { FinalError, IstioApiMissingError, describeError } from '../../shared/errors.ts';
import type { RoutingApis, SyncQueue } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { listOwnEntries, tidyEntryInventory } from './routing-inventory.ts';

export interface RoutingSweepDeps {
  readonly topology: TopologyIndex;
  readonly queue: SyncQueue;
  /** The Istio config clusters; absent: no sweep (a deployment that never routed). */
  readonly routing?: { readonly apis: RoutingApis };
}

export interface RoutingSweepResult {
  readonly deleted: number;
  readonly enqueued: number;
}

const OWNED = { [LABEL_ROUTING_MANAGED_BY]: MANAGED_BY };

/** Why an entry this installation owns is no longer wanted by the config (undefined: it may be; its writer decides). */
export function leftoverReason(topology: TopologyIndex, cluster: string, e: ServiceEntry): string | undefined {
  if (topology.topology.routing !== 'istio') return 'routing is none';
  const gns = e.labels[LABEL_GNS] ?? '';
  if (!topology.gnsNames.includes(gns)) return `GNS ${gns || '(none)'} is not in the config`;
  const members = topology.membersOf(gns);
  const networkOf = (c: string) => topology.networks.get(c) ?? c;
  const configOf = (c: string) => topology.topology.clusters.find((x) => x.name === c)?.istioConfigCluster ?? c;
  const source = e.labels[LABEL_SOURCE_CLUSTER] ?? '';
  if (!members.some((m) => m.cluster === source)) return `source cluster ${source || '(none)'} is no member of GNS ${gns}`;
  const kind = e.labels[LABEL_ROUTING];
  if (kind === 'client') {
    const target = e.labels[LABEL_TARGET_CLUSTER] ?? '';
    if (!members.some((m) => m.cluster === target && m.namespace === e.namespace)) return `${target}/${e.namespace} is no member of GNS ${gns}`;
    if (configOf(target) !== cluster) return `the Istio config cluster of ${target} is ${configOf(target)}`;
    if (networkOf(target) === networkOf(source)) return `${target} and ${source} share a network (pod IPs, no routing)`;
    return undefined;
  }
  if (kind === 'gateway') {
    const readers = topology.topology.clusters.filter((c) => networkOf(c.name) === networkOf(source) && configOf(c.name) === cluster);
    if (readers.length === 0) return `no cluster of network ${networkOf(source)} reads its Istio config from ${cluster}`;
    return undefined;
  }
  return undefined;
}

export async function sweepRouting(deps: RoutingSweepDeps, options: { readonly mayDelete: boolean; readonly enqueued: ReadonlySet<string>; readonly now: number }, errors: string[], log: Log): Promise<RoutingSweepResult> {
  const { topology } = deps;
  if (!deps.routing) return { deleted: 0, enqueued: 0 };
  const istio = topology.topology.routing === 'istio';
  const configClusters = [...new Set(topology.topology.clusters.map((c) => c.istioConfigCluster ?? c.name))].sort();
  let deleted = 0;
  const stale = new Map<string, TargetRef>();
  await Promise.all(configClusters.map(async (cluster) => {
    try {
      const api = await deps.routing!.apis.get(cluster);
      // Only the inventoried namespaces and those the config writes to (docs/adr/0018): no cluster-wide list.
      const listing = await listOwnEntries(api, cluster, topology, OWNED);
      const owned = listing.owned;
      const leftovers = owned.map((e) => ({ e, why: leftoverReason(topology, cluster, e) })).filter((x) => x.why !== undefined);
      if (options.mayDelete) {
        for (const { e } of leftovers) await api.deleteServiceEntry(e);
        deleted += leftovers.length;
        if (leftovers.length > 0) log.info('deleted ServiceEntries the config no longer wants', { cluster, entries: leftovers.map(({ e, why }) => `${e.namespace}/${e.name}: ${why}`) });
      } else if (leftovers.length > 0) {
        log.warn('ServiceEntries the config no longer wants are kept while the store is incomplete (ADR 14)', { cluster, entries: leftovers.length });
      }
      for (const e of owned) {
        if (e.labels[LABEL_ROUTING] !== 'client' || leftovers.some((l) => l.e === e)) continue;
        const target = { gns: e.labels[LABEL_GNS] ?? '', cluster: e.labels[LABEL_TARGET_CLUSTER] ?? '', namespace: e.namespace, name: e.labels[LABEL_TARGET] ?? '' };
        if (target.name !== '' && !options.enqueued.has(targetKey(target))) stale.set(targetKey(target), target);
      }
      await tidyEntryInventory(api, cluster, listing, errors, log);
    } catch (error) {
      if (error instanceof IstioApiMissingError) return;
      if (!istio && error instanceof FinalError) {
        log.info('routing is none and this cluster refuses the ServiceEntry list (no grants): nothing to sweep there', { cluster, error: describeError(error) });
        return;
      }
      errors.push(`cluster ${cluster}: sweeping ServiceEntries failed: ${describeError(error)}`);
    }
  }));

  let enqueued = 0;
  if (stale.size > 0) {
    await deps.queue.enqueue([...stale.values()], `reconcile:${options.now}`);
    enqueued += stale.size;
    log.info('enqueued targets that are no targets but keep client ServiceEntries', { targets: [...stale.keys()] });
  }
  // Every gateway-entry writer runs: it repairs drift and removes what its pods no longer need.
  if (istio && deps.queue.enqueueRouting) {
    const keys: RoutingKey[] = topology.gnsNames.flatMap((gns) => [...new Set(topology.membersOf(gns).map((m) => m.cluster))].sort().map((cluster) => ({ gns, cluster })));
    if (keys.length > 0) {
      try {
        await deps.queue.enqueueRouting(keys, `reconcile:${options.now}`);
        enqueued += keys.length;
      } catch (error) {
        errors.push(`enqueueing the gateway-entry writers failed: ${describeError(error)}`);
      }
    }
  }
  return { deleted, enqueued };
}
