// The scheduled reconcile (DESIGN.md §4): drift repair and housekeeping.
//   1. enqueue every target (annotated Service) of every GNS: each sync repairs its drift;
//   2. mark VIP identities whose pods are visible nowhere as gone (the complete pass; syncs
//      only notice pods that disappear while they watch), then release the VIPs gone longer
//      than the grace period;
//   3. delete our slices in namespaces that are no longer members of a GNS (a member removed
//      from the config).
// One broken cluster or GNS is collected, not thrown over the others; when anything failed,
// the reconcile throws at the end (after doing everything else) so the schedule retries.
import { parseIdentityKey } from '../../shared/core/identity.ts';
import { LABEL_GNS } from '../../shared/core/types.ts';
import type { TargetRef, VipIdentity } from '../../shared/core/types.ts';
import { RetryableError, describeError } from '../../shared/errors.ts';
import type { ClusterApis, StateStore, SyncQueue, VipAllocator } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import { silentLog } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { loadSources } from '../sync/sources.ts';
import { byIdentityKey } from '../sync/vips.ts';

export interface ReconcileDeps {
  readonly topology: TopologyIndex;
  readonly store: StateStore;
  readonly queue: SyncQueue;
  readonly vips: VipAllocator;
  readonly clusters: ClusterApis;
  readonly log?: Log;
}

export interface ReconcileResult {
  readonly enqueued: number;
  readonly markedGone: number;
  readonly released: number;
  readonly orphanSlicesDeleted: number;
  /** One line per failed part (a GNS, a cluster, the release). */
  readonly errors: readonly string[];
}

async function targetsOf(deps: ReconcileDeps, gns: string): Promise<TargetRef[]> {
  const perMember = await Promise.all(
    deps.topology.membersOf(gns).map(async (m) =>
      (await deps.store.servicesOf(m.cluster, m.namespace)).map((s) => ({ gns, cluster: m.cluster, namespace: m.namespace, name: s.name })),
    ),
  );
  return perMember.flat();
}

async function goneIdentities(deps: ReconcileDeps, gns: string): Promise<VipIdentity[]> {
  const [allocated, sources] = await Promise.all([deps.vips.listGns(gns), loadSources(deps.store, deps.topology.membersOf(gns))]);
  const present = new Set(sources.map((s) => `${gns}/${s.cluster}/${s.namespace}/${s.pod.name}`));
  return [...byIdentityKey(gns, allocated).keys()].filter((k) => !present.has(k)).map(parseIdentityKey);
}

export async function reconcile(deps: ReconcileDeps, now: number): Promise<ReconcileResult> {
  const log = deps.log ?? silentLog;
  const errors: string[] = [];
  let enqueued = 0;
  let markedGone = 0;

  await Promise.all(
    deps.topology.gnsNames.map(async (gns) => {
      try {
        const targets = await targetsOf(deps, gns);
        if (targets.length > 0) await deps.queue.enqueue(targets, `reconcile:${now}`);
        enqueued += targets.length;
      } catch (error) {
        errors.push(`GNS ${gns}: enqueueing its targets failed: ${describeError(error)}`);
      }
      try {
        const gone = await goneIdentities(deps, gns);
        if (gone.length > 0) await deps.vips.markGone(gone, now);
        markedGone += gone.length;
      } catch (error) {
        errors.push(`GNS ${gns}: marking gone VIP identities failed: ${describeError(error)}`);
      }
    }),
  );

  let released = 0;
  try {
    released = await deps.vips.releaseExpired(now);
  } catch (error) {
    errors.push(`releasing expired VIPs failed: ${describeError(error)}`);
  }

  let orphanSlicesDeleted = 0;
  await Promise.all(
    deps.topology.topology.clusters.map(async ({ name: cluster }) => {
      try {
        const api = await deps.clusters.get(cluster);
        const orphans = (await api.listManagedSlices()).filter((s) => deps.topology.gnsOf(cluster, s.namespace) === undefined || !deps.topology.gnsNames.includes(s.labels[LABEL_GNS] ?? ''));
        await Promise.all(orphans.map((s) => (s.name ? api.deleteSlice(s.namespace, s.name) : Promise.resolve())));
        orphanSlicesDeleted += orphans.length;
        if (orphans.length > 0) log.info('deleted slices of namespaces in no GNS', { cluster, slices: orphans.map((s) => `${s.namespace}/${s.name}`) });
      } catch (error) {
        errors.push(`cluster ${cluster}: removing orphan slices failed: ${describeError(error)}`);
      }
    }),
  );

  const result = { enqueued, markedGone, released, orphanSlicesDeleted, errors };
  log.info('reconciled', { enqueued, markedGone, released, orphanSlicesDeleted, errors: errors.length });
  if (errors.length > 0) {
    for (const e of errors) log.error(e);
    throw new RetryableError(`reconcile: ${errors.length} part(s) failed (${errors[0]}); the rest was done, the schedule runs it again`);
  }
  return result;
}
