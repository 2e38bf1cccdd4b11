// The sync use case (docs/design.md §3, §4): one target, level-triggered. Reload the stored state,
// recompute the whole desired state, diff against the target cluster, write the minimum. A
// sync with nothing to do writes nothing to Kubernetes.
//
//   load target Service ─ gone → delete our slices · invalid → Warning, keep our slices as they are
//   load visible pods of every member → VIPs needed → adopt / ensure / mark gone
//   desired slices → list slices → plan → apply (409: re-list, re-plan)
//   Warning events for changed warning conditions → record the target's status
import { vipIdentitiesNeeded, desiredSlices } from '../../shared/core/desired.ts';
import { isUsable } from '../../shared/core/cidr.ts';
import { identityKey, targetKey } from '../../shared/core/identity.ts';
import { ownedBy } from '../../shared/core/plan.ts';
import { validateTarget } from '../../shared/core/target.ts';
import { LABEL_GNS } from '../../shared/core/types.ts';
import type { Slice, TargetRef } from '../../shared/core/types.ts';
import { FinalError, describeError } from '../../shared/errors.ts';
import { guardedSlices } from '../../shared/core/completeness.ts';
import type { ClusterApi, ClusterApis, Clock, IncarnationStore, StateStore, TargetStatus, TargetStatusStore, VipAllocator, VipMove } from '../../shared/ports.ts';
import type { AgentLeaseRef } from '../handback.ts';
import type { Log } from '../log.ts';
import { silentLog } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { applySlices } from './apply.ts';
import { freshSources, incompleteWarning, syncGuard } from './completeness.ts';
import { invalidTargetLine, keepLastValidState } from './invalid.ts';
import type { SyncMemo } from './memo.ts';
import { newSyncMemo } from './memo.ts';
import { loadReturning, loadSources } from './sources.ts';
import { rememberSlices, takeSlices } from './slice-memory.ts';
import { foreignSliceWarnings } from './foreign-slices.ts';
import { overlapLine, podAddresses, poolOverlaps } from '../../shared/core/pool-overlap.ts';
import { conflictWarning, skippedWarning } from './publish-warnings.ts';
import { vipStep } from './vips.ts';
import { isIstio, routeTarget, unrouteTarget } from './routing-client.ts';
import type { RoutingDeps } from './routing-client.ts';
import type { RoutingKey } from '../../shared/core/routing/types.ts';

export interface SyncDeps {
  readonly topology: TopologyIndex;
  readonly store: StateStore;
  readonly vips: VipAllocator;
  readonly statuses: TargetStatusStore;
  readonly clusters: ClusterApis;
  /** Measures the duration of a sync (ms); defaults to the `now` passed in (duration 0). */
  readonly clock?: Clock;
  readonly log?: Log;
  /** Re-plans after 409 conflicts before the sync fails (and the queue retries it). Default 3. */
  readonly maxReplans?: number;
  /** Per-container memory (see memo.ts); one per deps by default. */
  readonly memo?: SyncMemo;
  /** routing: istio — the Istio config clusters (docs/adr/0013-routing-through-istio.md); absent: no routing objects. */
  readonly routing?: RoutingDeps;
  /**
   * The store's incarnation: until every member of the GNS is complete in it, published
   * endpoints are kept (docs/adr/0014-store-completeness.md). Undefined: the store counts as complete.
   */
  readonly incarnation?: IncarnationStore;
  /** Where the agents keep their Lease, to ask them for snapshots (functions/handback.ts); false: never. */
  readonly agentLease?: AgentLeaseRef | false;
  /**
   * Whether this target's sync may plan against the slices this container last wrote instead of
   * listing them (slice-memory.ts); default never. The batch allows it for pod events' messages.
   */
  readonly slicesFromMemory?: (target: TargetRef) => boolean;
}

/** `kept`: the target's Service is not in an incomplete store; its published slices were left as they are. */
export type SyncAction = 'synced' | 'invalid' | 'deleted' | 'not-a-member' | 'kept';

export interface SyncOutcome {
  readonly target: TargetRef;
  readonly action: SyncAction;
  /** Endpoints published (over all slices). */
  readonly endpoints: number;
  /** VIPs used by the published endpoints. */
  readonly vips: number;
  /** Writes to Kubernetes: slice creates, updates, deletes and events. */
  readonly writes: number;
  readonly replans: number;
  /** The warning conditions of this sync (one line each). */
  readonly warnings: readonly string[];
  /** Remote pods still without a VIP (pool exhausted). */
  readonly missingVips: number;
  readonly ms: number;
  /** routing: istio — the gateway-entry writers to run after this sync (batch.ts enqueues them). */
  readonly routingKeys?: readonly RoutingKey[];
}

/**
 * The status is written when what it shows changes (endpoints, VIPs, error, warnings) and
 * otherwise at most once per this interval: "last sync" is then at most this stale, and a
 * pod change that only moves an address costs no status write (DynamoDB writes are the bill).
 * `writes` is that of the last recorded sync.
 */
export const STATUS_HEARTBEAT_MS = 60_000;

function sameStatus(a: TargetStatus, b: TargetStatus): boolean {
  return (
    a.endpoints === b.endpoints &&
    a.vips === b.vips &&
    a.lastError === b.lastError &&
    (a.warnings ?? []).join('\n') === (b.warnings ?? []).join('\n')
  );
}

const memos = new WeakMap<SyncDeps, SyncMemo>();
/** The per-container memory of these deps: `deps.memo`, or one kept for the deps object. */
export function memoOf(deps: SyncDeps): SyncMemo {
  if (deps.memo) return deps.memo;
  let memo = memos.get(deps);
  if (!memo) {
    memo = newSyncMemo();
    memos.set(deps, memo);
  }
  return memo;
}

/** The reason (Kubernetes event reason) and message of a warning line `Reason: message`. */
function splitWarning(line: string): { reason: string; message: string } {
  const i = line.indexOf(': ');
  return i < 0 ? { reason: 'GnsSyncWarning', message: line } : { reason: line.slice(0, i), message: line.slice(i + 2) };
}

/**
 * Deletes this installation's slices of a Service; returns the writes. `anyGns`: the target's
 * namespace is a member of `target.gns`, so every slice we own there is the target's — also one
 * labelled with a GNS the namespace left (it moved between GNSs). Otherwise only those labelled
 * `target.gns`: the namespace's current GNS may publish there too.
 */
async function deleteOurSlices(api: ClusterApi, target: TargetRef, installation: string, anyGns = true): Promise<number> {
  const existing = await api.listSlices(target.namespace, target.name);
  const owned = ownedBy(installation);
  const ours = existing.filter((s: Slice) => owned(s) && (anyGns || s.labels[LABEL_GNS] === target.gns));
  await Promise.all(ours.map((s) => (s.name ? api.deleteSlice(s) : Promise.resolve())));
  return ours.length;
}

/**
 * Syncs one target at time `now` (ms). Throws RetryableError / ConflictError (the queue
 * retries) after recording the failure in the target's status; returns the outcome otherwise.
 */
export async function syncTarget(deps: SyncDeps, target: TargetRef, now: number): Promise<SyncOutcome> {
  const log = deps.log ?? silentLog;
  const memo = memoOf(deps);
  const key = targetKey(target);
  const started = deps.clock?.now() ?? now;
  const elapsed = () => (deps.clock?.now() ?? now) - started;

  let previous: TargetStatus | undefined = memo.lastStatus.get(key);
  const loadPrevious = async () => (previous ??= await deps.statuses.get(target));

  async function record(status: Omit<TargetStatus, 'target' | 'lastSyncAt'>): Promise<void> {
    const full: TargetStatus = { target, lastSyncAt: now, ...status };
    const last = memo.lastStatus.get(key);
    if (last && now - last.lastSyncAt < STATUS_HEARTBEAT_MS && sameStatus(last, full)) return;
    try {
      await deps.statuses.record(full);
      memo.lastStatus.set(key, full);
    } catch (error) {
      log.warn('could not record the target status', { target: key, error: describeError(error) });
    }
  }

  // Taken out now: only a successful apply puts it back (slice-memory.ts).
  const remembered = takeSlices(memo, target, now);
  try {
    const api = await deps.clusters.get(target.cluster);

    const unroute = async () => (deps.routing && isIstio(deps.topology) ? unrouteTarget(deps.routing, deps.topology, target) : { writes: 0, keys: [] });

    if (!deps.topology.isMemberTarget(target)) {
      const unrouted = await unroute();
      const writes = (await deleteOurSlices(api, target, deps.topology.installation, false)) + unrouted.writes;
      log.info('target is no longer in a member of its GNS: removed our slices', { target: key, writes });
      return { target, action: 'not-a-member', endpoints: 0, vips: 0, writes, replans: 0, warnings: [], missingVips: 0, ms: elapsed(), routingKeys: unrouted.keys };
    }

    const guard = await syncGuard(deps, memo, deps.topology.membersOf(target.gns), now, log);
    const service = await deps.store.service(target.cluster, target.namespace, target.name);
    if (!service && !guard.complete) {
      // Missing from a store being rebuilt is no proof the Service is gone: keep its slices.
      log.info('target not in the incomplete store: its slices are kept', { target: key, waitingFor: guard.missing.map((m) => `${m.cluster}/${m.namespace}`) });
      await record({ endpoints: previous?.endpoints ?? 0, vips: previous?.vips ?? 0, writes: 0, lastError: incompleteWarning(target.gns) });
      return { target, action: 'kept', endpoints: previous?.endpoints ?? 0, vips: previous?.vips ?? 0, writes: 0, replans: 0, warnings: [], missingVips: 0, ms: elapsed() };
    }
    if (!service) {
      const unrouted = await unroute();
      const writes = (await deleteOurSlices(api, target, deps.topology.installation)) + unrouted.writes;
      await record({ endpoints: 0, vips: 0, writes, lastError: 'the target Service is gone' });
      return { target, action: 'deleted', endpoints: 0, vips: 0, writes, replans: 0, warnings: [], missingVips: 0, ms: elapsed(), routingKeys: unrouted.keys };
    }

    const validation = validateTarget(service);
    if (!validation.ok) {
      // Bad input changes nothing that worked: the last valid state (slices, VIPs, routing objects)
      // stays published (invalid.ts).
      const kept = await keepLastValidState(api, deps.vips, target, deps.topology.installation, now);
      const line = invalidTargetLine(validation.message, kept);
      const warned = await warn(api, target, service.uid, [line], await loadPrevious(), log);
      await record({ endpoints: kept.endpoints, vips: kept.vips, writes: warned.events, lastError: splitWarning(line).message, warnings: warned.recorded });
      return { target, action: 'invalid', endpoints: kept.endpoints, vips: kept.vips, writes: warned.events, replans: 0, warnings: [line], missingVips: 0, ms: elapsed() };
    }

    const sources = await loadSources(deps.store, deps.topology.membersOf(target.gns));
    const base = { target, service, selector: validation.selector, sources, members: deps.topology.membersOf(target.gns), networks: deps.topology.networks, vipFamily: deps.topology.vipFamily, installation: deps.topology.installation };
    const needed = vipIdentitiesNeeded(base);
    // An incomplete store keeps what the cluster shows (ADR 14): only a list says what that is.
    const fromMemory = remembered !== undefined && guard.complete && deps.slicesFromMemory?.(target) === true;
    const existing = fromMemory ? remembered : await api.listSlices(target.namespace, target.name);
    const vipResult = await vipStep(deps.vips, memo, log, { target, needed, sources, existing, pool: deps.topology.topology.vipPool, now, incomplete: !guard.complete, installation: deps.topology.installation });
    const desired = desiredSlices({ ...base, vips: vipResult.vips });
    // An incomplete store may only add names: every published endpoint stays as it is (ADR 14).
    //   Names are added only from members that have resnapshotted (a restored backup's pods may be stale).
    const publish = guard.complete ? desired.slices : guardedSlices(desiredSlices({ ...base, sources: freshSources(sources, guard), vips: vipResult.vips }).slices, existing, deps.topology.installation);

    const applied = await applySlices(api, target.namespace, target.name, publish, existing, deps.maxReplans ?? 3, deps.topology.installation);
    rememberSlices(memo, target, applied.slices, now);
    const movedEvents = await announceMoves(api, target, service.uid, vipResult.moves, existing.filter(ownedBy(deps.topology.installation)), publish, deps.topology.topology.vipPool, log);
    const returning = deps.routing && isIstio(deps.topology) ? await loadReturning(deps.store, deps.topology.membersOf(target.gns)) : [];
    const routing = deps.routing ? await routeTarget(deps.routing, deps.topology, { ...base, vips: vipResult.vips }, service.uid, now, log, !guard.complete, returning) : undefined;

    const skipped = skippedWarning(desired.skipped);
    const lines = [...desired.conflicts.map(conflictWarning), ...(skipped ? [skipped] : []), ...foreignSliceWarnings(target, existing)];
    if (vipResult.exhausted) {
      // A stable line (the allocator's message carries counts that move): warned once per change.
      const pool = vipResult.exhausted.pool;
      const outside = needed.filter((id) => { const vip = vipResult.vips.get(identityKey(id)); return vip !== undefined && !isUsable(pool, vip); }).length;
      const kept = outside > 0 ? `, ${outside} keep a VIP outside it (vipPool changed) until there is room to move them` : '';
      lines.push(`VipPoolExhausted: VIP pool ${pool} is exhausted: ${desired.missingVips.length} pod(s) are not published here until addresses are released${kept}; existing endpoints are kept. Widen vipPool in the config.`);
    }
    if (routing) lines.push(...routing.warnings);
    // Pod IPs inside the pool prove that VIPs may collide with them (a target itself is headless).
    const overlap = overlapLine(deps.topology.topology.vipPool, poolOverlaps(deps.topology.topology.vipPool, podAddresses(sources)));
    if (overlap) lines.push(overlap);
    const warned = await warn(api, target, service.uid, lines, lines.length === 0 ? undefined : await loadPrevious(), log);

    const endpoints = publish.reduce((n, s) => n + s.endpoints.length, 0);
    const allocated = new Set(vipResult.vips.values());
    const vipCount = publish.reduce((n, s) => n + s.endpoints.filter((e) => e.addresses.some((a) => allocated.has(a))).length, 0);
    const writes = applied.writes + warned.events + movedEvents + (routing?.writes ?? 0);
    await record({
      endpoints,
      vips: vipCount,
      writes,
      // An incomplete store is said in the status, not as a Warning event: a first start is one too.
      ...(vipResult.exhausted ? { lastError: vipResult.exhausted.message } : !guard.complete ? { lastError: incompleteWarning(target.gns) } : {}),
      warnings: warned.recorded,
    });
    return { target, action: 'synced', endpoints, vips: vipCount, writes, replans: applied.replans, warnings: lines, missingVips: desired.missingVips.length, ms: elapsed(), ...(routing ? { routingKeys: routing.keys } : {}) };
  } catch (error) {
    await record({ endpoints: previous?.endpoints ?? 0, vips: previous?.vips ?? 0, writes: 0, lastError: describeError(error), ...(previous?.warnings ? { warnings: previous.warnings } : {}) });
    if (error instanceof FinalError) log.error('sync failed; not retried', { target: key, error: describeError(error) });
    throw error;
  }
}

/** The addresses of a list of slices. */
function addressesOf(slices: readonly Slice[]): Set<string> {
  return new Set(slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)));
}

/**
 * A Normal event `VipsMoved` on the target when this sync replaced, in its slices, VIPs that
 * were moved into a changed vipPool (docs/adr/0004-vip-allocation.md): once per target, as
 * the old address leaves its slices. Returns the events written (a failed event is logged:
 * the slices are right, and the move shows in the log).
 */
async function announceMoves(
  api: ClusterApi,
  target: TargetRef,
  uid: string,
  moves: readonly VipMove[],
  existing: readonly Slice[],
  desired: readonly Slice[],
  pool: string,
  log: Log,
): Promise<number> {
  if (moves.length === 0) return 0;
  const before = addressesOf(existing.filter((s) => s.labels[LABEL_GNS] === target.gns));
  const after = addressesOf(desired);
  const moved = moves.filter((m) => before.has(m.from) && !after.has(m.from) && after.has(m.to));
  if (moved.length === 0) return 0;
  const shown = moved.slice(0, 5).map((m) => `${m.identity.cluster}/${m.identity.namespace}/${m.identity.pod} ${m.from} → ${m.to}`);
  const more = moved.length > shown.length ? ` and ${moved.length - shown.length} more` : '';
  const message = `${moved.length} VIP(s) moved into the configured VIP pool ${pool} (vipPool changed): ${shown.join(', ')}${more}; the old addresses are quarantined, then free`;
  try {
    await api.recordEvent({ namespace: target.namespace, name: target.name, uid }, 'Normal', 'VipsMoved', message);
    log.info(message, { target: targetKey(target) });
    return 1;
  } catch (error) {
    log.warn('could not record the VipsMoved event', { target: targetKey(target), message, error: describeError(error) });
    return 0;
  }
}

/**
 * Emits a Warning event for each line that the previous status did not have (once per change,
 * not on every sync). Returns the lines to record: those warned now or before, so a failed
 * event is tried again on the next sync.
 */
async function warn(
  api: ClusterApi,
  target: TargetRef,
  uid: string,
  lines: readonly string[],
  previous: TargetStatus | undefined,
  log: Log,
): Promise<{ events: number; recorded: string[] }> {
  const before = new Set(previous?.warnings ?? []);
  const key = targetKey(target);
  let events = 0;
  const recorded: string[] = [];
  for (const line of lines) {
    if (before.has(line)) {
      recorded.push(line);
      continue;
    }
    const { reason, message } = splitWarning(line);
    try {
      await api.recordEvent({ namespace: target.namespace, name: target.name, uid }, 'Warning', reason, message);
      events++;
      recorded.push(line);
      log.warn(message, { target: key, reason });
    } catch (error) {
      log.warn('could not record a Warning event; will try on the next sync', { target: key, reason, error: describeError(error) });
    }
  }
  return { events, recorded };
}
