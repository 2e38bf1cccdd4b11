// The scheduled reconcile (docs/design.md §4): drift repair and housekeeping.
//   1. enqueue every target (annotated Service) of every GNS: each sync repairs its drift;
//   2. mark as gone every allocated VIP identity that no valid target of its GNS needs any
//      more (its pod vanished, stopped matching, moved onto the target's network, or the target
//      changed selector, became invalid or was deleted): the complete pass — syncs only notice
//      pods that disappear while they watch (a needed identity's next `ensure` clears its
//      mark, so flaps keep their VIP);
//      The identities of a GNS removed from the config are marked gone too (found by the
//      release's read of the pool), so its VIPs are released unless it comes back in time;
//   3. delete our slices in namespaces that are no longer members of a GNS (a member removed
//      from the config: found through the cluster's inventory, leftovers.ts, no cluster-wide
//      list), forget from the inventory the removed members that hold none any more, and enqueue the Service of any other slice of ours that is no target
//      any more (its annotation removed while the sync that would have cleaned up was lost):
//      step 1 only sees visible targets, and that sync deletes our slices of a gone target;
//   4. release what step 2 marked long enough ago — except a VIP some cluster still publishes
//      (listed in step 3, or last recorded for a cluster that could not be listed or left the
//      config: published.ts), which waits until no target publishes it.
// While a GNS is not complete in the store's incarnation, step 2 skips it and step 3 deletes
// nothing (docs/adr/0014-store-completeness.md).
// One broken cluster or GNS is collected, not thrown over the others; when anything failed,
// the reconcile throws at the end (after doing everything else) so the schedule retries.
import { vipIdentitiesNeeded } from '../../shared/core/desired.ts';
import { podsWithoutIp } from '../../shared/core/routing/keep.ts';
import { identityKey, parseIdentityKey, targetKey } from '../../shared/core/identity.ts';
import { validateTarget } from '../../shared/core/target.ts';
import { LABEL_GNS, LABEL_SERVICE_NAME } from '../../shared/core/types.ts';
import type { MemberRef, ServiceRecord, SourcePod, TargetRef, VipIdentity } from '../../shared/core/types.ts';
import { RetryableError, describeError } from '../../shared/errors.ts';
import type { PoolCounts } from '../../shared/core/pool-usage.ts';
import type { ClusterApis, IncarnationStore, PublishedVipsStore, StateStore, SyncQueue, VipAllocator } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import { silentLog } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { loadSources } from '../sync/sources.ts';
import { DEFAULT_AGENT_LEASE, handBackAll } from '../handback.ts';
import type { AgentLeaseRef } from '../handback.ts';
import { handbacks, incompleteGns } from './completeness.ts';
import { addressesOf, heldAddresses } from './published.ts';
import { listOwnSlices, tidyInventory } from './leftovers.ts';
import { byIdentityKey } from '../sync/vips.ts';
import { sweepRouting } from './routing-sweep.ts';
import type { RoutingSweepDeps } from './routing-sweep.ts';

export interface ReconcileDeps {
  readonly topology: TopologyIndex;
  readonly store: StateStore;
  readonly queue: SyncQueue;
  readonly vips: VipAllocator;
  readonly clusters: ClusterApis;
  readonly log?: Log;
  /**
   * The store's incarnation (docs/adr/0014-store-completeness.md): a GNS not complete in it
   * gets no VIP identity marked gone, and while any GNS is incomplete no orphan slice is
   * deleted. Undefined: the store counts as complete.
   */
  readonly incarnation?: IncarnationStore;
  /**
   * What each cluster was last seen publishing: the release holds those VIPs (ADR 4). Undefined:
   * only this run's listings count, and nothing is released when a cluster could not be listed.
   */
  readonly published?: PublishedVipsStore;
  /** Where the agents keep their Lease (the hand-back channel, functions/handback.ts); false: none. */
  readonly agentLease?: AgentLeaseRef | false;
  /**
   * The Istio config clusters, for the routing sweep (routing-sweep.ts) — also with routing: none,
   * so entries left by a switch from istio are removed. Absent: no sweep.
   */
  readonly routing?: RoutingSweepDeps['routing'];
}

export interface ReconcileResult {
  readonly enqueued: number;
  readonly markedGone: number;
  readonly released: number;
  readonly orphanSlicesDeleted: number;
  /** ServiceEntries the config no longer wants, deleted by the routing sweep (absent: no sweep). */
  readonly routingEntriesDeleted?: number;
  /** One line per failed part (a GNS, a cluster, the release). */
  readonly errors: readonly string[];
  /** The configured pool's addresses held and in quarantine, from the release's pool read (absent: not read). Metrics: functions/metrics.ts. */
  readonly pool?: PoolCounts;
}

interface GnsTarget {
  readonly target: TargetRef;
  readonly service: ServiceRecord;
}

/** The annotated Services (valid or not) of every member of a GNS: one query per member. */
async function targetsOf(deps: ReconcileDeps, gns: string): Promise<GnsTarget[]> {
  const perMember = await Promise.all(
    deps.topology.membersOf(gns).map(async (m) =>
      (await deps.store.servicesOf(m.cluster, m.namespace)).map((service) => ({ target: { gns, cluster: m.cluster, namespace: m.namespace, name: service.name }, service })),
    ),
  );
  return perMember.flat();
}

/**
 * The identity keys (`gns/cluster/namespace/pod`) that some valid target of the GNS needs a
 * VIP for: the union of `vipIdentitiesNeeded` over its targets, and of the remote pods waiting
 * for an IP they would publish (`podsWithoutIp`: their VIP stays bound). Pure.
 */
export function identitiesInUse(
  targets: readonly GnsTarget[],
  sources: readonly SourcePod[],
  networks: ReadonlyMap<string, string>,
  vipFamily: 4 | 6,
  members?: readonly MemberRef[],
): Set<string> {
  const inUse = new Set<string>();
  for (const { target, service } of targets) {
    const validation = validateTarget(service);
    if (!validation.ok) continue;
    const input = { target, service, selector: validation.selector, sources, networks, vipFamily, ...(members ? { members } : {}) };
    for (const id of vipIdentitiesNeeded(input)) inUse.add(identityKey(id));
    // A pod waiting for its IP (Pending, restarting) keeps its VIP: its client entries stay too (ADR 19).
    for (const id of podsWithoutIp(input)) inUse.add(identityKey(id));
  }
  return inUse;
}

/** Allocated identities of the GNS that no valid target needs (reuses the targets already loaded). */
async function goneIdentities(deps: ReconcileDeps, gns: string, targets: Promise<GnsTarget[]>): Promise<VipIdentity[]> {
  const [allocated, sources, loaded] = await Promise.all([deps.vips.listGns(gns), loadSources(deps.store, deps.topology.membersOf(gns)), targets]);
  // The members in config order, as the sync passes them: the same hostname winners (publishable.ts).
  const inUse = identitiesInUse(loaded, sources, deps.topology.networks, deps.topology.vipFamily, deps.topology.membersOf(gns));
  return [...byIdentityKey(gns, allocated).keys()].filter((k) => !inUse.has(k)).map(parseIdentityKey);
}

/** `onResult` sees the result even when a part failed (before the throw): the metrics of what was read. */
export async function reconcile(deps: ReconcileDeps, now: number, onResult?: (result: ReconcileResult) => void): Promise<ReconcileResult> {
  const log = deps.log ?? silentLog;
  const errors: string[] = [];
  let poolCounts: PoolCounts | undefined;
  let enqueued = 0;
  let markedGone = 0;
  /** GNS → the keys of its targets, for each GNS whose targets were read. */
  const known = new Map<string, ReadonlySet<string>>();
  // GNSs not complete in the store's incarnation (all of them when it cannot be read).
  const { incomplete, view } = await incompleteGns(deps, now, errors, log);
  // Every agent learns the incarnation (a new one: resnapshot) and its cluster's floor.
  if (view !== undefined && deps.agentLease !== false) {
    const clusters = deps.topology.topology.clusters.map((c) => c.name);
    await handBackAll(deps.clusters, handbacks(view, clusters), deps.agentLease ?? DEFAULT_AGENT_LEASE, log);
  }

  await Promise.all(
    deps.topology.gnsNames.map(async (gns) => {
      const loading = targetsOf(deps, gns);
      try {
        const targets = (await loading).map((t) => t.target);
        known.set(gns, new Set(targets.map(targetKey)));
        if (targets.length > 0) await deps.queue.enqueue(targets, `reconcile:${now}`);
        enqueued += targets.length;
      } catch (error) {
        errors.push(`GNS ${gns}: enqueueing its targets failed: ${describeError(error)}`);
      }
      if (incomplete.has(gns)) return;
      try {
        // Nothing is marked unless the targets, the pods and the VIPs were all read.
        const gone = await goneIdentities(deps, gns, loading);
        if (gone.length > 0) await deps.vips.markGone(gone, now);
        markedGone += gone.length;
      } catch (error) {
        errors.push(`GNS ${gns}: marking gone VIP identities failed: ${describeError(error)}`);
      }
    }),
  );

  let orphanSlicesDeleted = 0;
  /** What each configured cluster publishes now (undefined: it could not be listed). */
  const listed = new Map<string, ReadonlySet<string> | undefined>();
  await Promise.all(
    deps.topology.topology.clusters.map(async ({ name: cluster }) => {
      listed.set(cluster, undefined);
      try {
        const api = await deps.clusters.get(cluster);
        // Only this installation's slices, in the member and inventoried namespaces (leftovers.ts).
        const listing = await listOwnSlices(api, cluster, deps.topology);
        const managed = listing.managed;
        const isOrphan = (s: (typeof managed)[number]) => deps.topology.gnsOf(cluster, s.namespace) === undefined || !deps.topology.gnsNames.includes(s.labels[LABEL_GNS] ?? '');
        // While the store is being rebuilt, nothing is an orphan (ADR 14).
        const orphans = incomplete.size > 0 ? [] : managed.filter(isOrphan);
        await Promise.all(orphans.map((s) => (s.name ? api.deleteSlice(s) : Promise.resolve())));
        orphanSlicesDeleted += orphans.length;
        listed.set(cluster, addressesOf(managed.filter((s) => !orphans.includes(s))));
        if (orphans.length > 0) log.info('deleted slices of namespaces in no GNS', { cluster, slices: orphans.map((s) => `${s.namespace}/${s.name}`) });
        await tidyInventory(api, cluster, listing, new Set(orphans.map((s) => s.namespace)), errors, log);
        // Our slices of a Service that is no target (any more): its sync deletes them.
        const stale = new Map<string, TargetRef>();
        for (const s of managed) {
          const gns = deps.topology.gnsOf(cluster, s.namespace);
          const name = s.labels[LABEL_SERVICE_NAME];
          const targets = gns === undefined ? undefined : known.get(gns);
          if (isOrphan(s) || gns === undefined || name === undefined || targets === undefined) continue;
          const target = { gns, cluster, namespace: s.namespace, name };
          if (!targets.has(targetKey(target))) stale.set(targetKey(target), target);
        }
        if (stale.size > 0) {
          await deps.queue.enqueue([...stale.values()], `reconcile:${now}`);
          enqueued += stale.size;
          log.info('enqueued Services that are no targets but keep our slices', { cluster, targets: [...stale.keys()] });
        }
      } catch (error) {
        errors.push(`cluster ${cluster}: removing orphan slices failed: ${describeError(error)}`);
      }
    }),
  );

  // The routing objects' leftovers and drift (ADR 13); nothing deleted while the store is incomplete (ADR 14).
  const enqueuedTargets = new Set([...known.values()].flatMap((keys) => [...keys]));
  const swept = await sweepRouting(deps, { mayDelete: incomplete.size === 0, enqueued: enqueuedTargets, now }, errors, log);
  enqueued += swept.enqueued;

  // Nothing is released while some target may still publish it (ADR 4, "Published VIPs").
  const published = await heldAddresses(deps.published, listed, now, errors, log);
  let released = 0;
  if (published !== undefined) try {
    // The release's pool read also finds the identities of GNSs removed from the config.
    released = await deps.vips.releaseExpired(now, {
      configuredGns: deps.topology.gnsNames,
      published,
      onPoolRead: (counts) => { poolCounts = counts; },
      onUnconfiguredMarked: (ids) => {
        markedGone += ids.length;
        log.info('marked gone the VIP identities of GNSs removed from the config', { gns: [...new Set(ids.map((id) => id.gns))].sort(), identities: ids.length });
      },
    });
  } catch (error) {
    errors.push(`releasing expired VIPs failed: ${describeError(error)}`);
  }

  const result: ReconcileResult = { enqueued, markedGone, released, orphanSlicesDeleted, ...(deps.routing ? { routingEntriesDeleted: swept.deleted } : {}), errors, ...(poolCounts ? { pool: poolCounts } : {}) };
  log.info('reconciled', { enqueued, markedGone, released, orphanSlicesDeleted, errors: errors.length });
  onResult?.(result);
  if (errors.length > 0) {
    for (const e of errors) log.error(e);
    throw new RetryableError(`reconcile: ${errors.length} part(s) failed (${errors[0]}); the rest was done, the schedule runs it again`);
  }
  return result;
}
