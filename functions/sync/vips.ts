// The VIP step of a sync: adopt VIPs that the target's slices already show (a rebuild from
// an empty table keeps every VIP), get or allocate the VIP of each remote source pod (moving
// VIPs left outside a changed vipPool into it), and mark identities whose pods went away
// (released after the grace period).
import { isUsable } from '../../shared/core/cidr.ts';
import { isDns1123Label } from '../../shared/core/desired.ts';
import { identityKey } from '../../shared/core/identity.ts';
import { ownedBy } from '../../shared/core/plan.ts';
import { DEFAULT_INSTALLATION } from '../../shared/core/installation.ts';
import type { Slice, SourcePod, TargetRef, VipIdentity } from '../../shared/core/types.ts';
import { PoolExhaustedError } from '../../shared/errors.ts';
import type { VipAllocator, VipMove } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import type { SyncMemo } from './memo.ts';

/**
 * A VIP map keyed by the core's identity key (`gns/cluster/namespace/pod`), whatever the
 * allocator keyed it by (`listGns` documents `cluster/namespace/pod` within one GNS).
 */
export function byIdentityKey(gns: string, map: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, vip] of map) out.set(key.split('/').length === 3 ? `${gns}/${key}` : key, vip);
  return out;
}

/** The hostname each source pod publishes, by identity key: the rule of `desiredSlices` (spec.hostname when a DNS-1123 label). */
export function publishedHostnames(gns: string, sources: readonly SourcePod[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { cluster, namespace, pod } of sources) {
    if (pod.hostname !== undefined && isDns1123Label(pod.hostname)) out.set(`${gns}/${cluster}/${namespace}/${pod.name}`, pod.hostname);
  }
  return out;
}

/**
 * (identity, VIP) pairs read back from the target's own slices, for the identities the
 * allocator does not know. An endpoint names its pod only through the hostname the pod
 * publishes (`hostnames`, by identity key; not the pod name: pod `foo` may publish `bar`), so
 * a VIP is adopted only when exactly one needed identity publishes that hostname, and the
 * address is a usable pool address not known to belong to another identity.
 */
export function adoptable(
  existing: readonly Slice[],
  missing: readonly VipIdentity[],
  needed: readonly VipIdentity[],
  known: ReadonlyMap<string, string>,
  pool: string,
  hostnames: ReadonlyMap<string, string>,
  installation: string = DEFAULT_INSTALLATION,
): { identity: VipIdentity; vip: string }[] {
  const owned = ownedBy(installation);
  const count = new Map<string, number>();
  for (const id of needed) {
    const hostname = hostnames.get(identityKey(id));
    if (hostname !== undefined) count.set(hostname, (count.get(hostname) ?? 0) + 1);
  }
  const missingByHostname = new Map<string, VipIdentity>();
  for (const id of missing) {
    const hostname = hostnames.get(identityKey(id));
    if (hostname !== undefined && count.get(hostname) === 1) missingByHostname.set(hostname, id);
  }
  const taken = new Set(known.values());
  const out: { identity: VipIdentity; vip: string }[] = [];
  for (const slice of existing) {
    if (!owned(slice)) continue;
    for (const e of slice.endpoints) {
      if (e.hostname === undefined || e.targetRef !== undefined) continue;
      const identity = missingByHostname.get(e.hostname);
      const vip = e.addresses[0];
      if (!identity || vip === undefined || taken.has(vip) || !isUsable(pool, vip)) continue;
      out.push({ identity, vip });
      taken.add(vip);
      missingByHostname.delete(e.hostname);
    }
  }
  return out;
}

export interface VipStepInput {
  readonly target: TargetRef;
  readonly needed: readonly VipIdentity[];
  readonly sources: readonly SourcePod[];
  readonly existing: readonly Slice[];
  readonly pool: string;
  readonly now: number;
  /**
   * The store is incomplete (docs/adr/0014-store-completeness.md): adopt from the target's
   * slices on every sync, with a fresh read of the GNS's VIPs (a pod may just have become
   * visible; its binding may just have been lost), and mark nothing gone.
   */
  readonly incomplete?: boolean;
  /** Only this installation's slices are adopted from (default: the default installation). */
  readonly installation?: string;
}

export interface VipStepResult {
  /** VIPs by identity key. */
  readonly vips: ReadonlyMap<string, string>;
  /** Set when the pool could not serve every identity: existing VIPs are still used. */
  readonly exhausted?: PoolExhaustedError;
  readonly adopted: number;
  readonly markedGone: number;
  /** Identities whose VIP was moved into the configured pool (now or earlier; see `VipAllocator.ensure`). */
  readonly moves: readonly VipMove[];
}

/** Adopts the VIPs the target's slices show for identities the allocator lacks; returns how many. */
async function adopt(allocator: VipAllocator, memo: SyncMemo, log: Log, input: VipStepInput, tkey: string): Promise<number> {
  const { target, needed, now } = input;
  // An incomplete store: a fresh read of the GNS's bindings (a pod may just have become visible).
  if (input.incomplete) memo.knownVips.delete(target.gns);
  let knownP = memo.knownVips.get(target.gns);
  if (!knownP) {
    knownP = allocator.listGns(target.gns).then((m) => byIdentityKey(target.gns, m));
    memo.knownVips.set(target.gns, knownP);
    knownP.catch(() => memo.knownVips.delete(target.gns));
  }
  const known = await knownP;
  const missing = needed.filter((id) => !known.has(identityKey(id)));
  const entries = missing.length === 0 ? [] : adoptable(input.existing, missing, needed, known, input.pool, publishedHostnames(target.gns, input.sources), input.installation);
  if (entries.length > 0) {
    await allocator.adopt(entries, now);
    log.info('adopted VIPs from the target slices', { target: tkey, adopted: entries.length });
  }
  if (input.incomplete) memo.knownVips.delete(target.gns);
  else {
    // The next target of the GNS knows what this one adopted (an address held by another
    // identity was not bound: that identity gets a fresh VIP at `ensure` all the same).
    if (entries.length > 0) memo.knownVips.set(target.gns, Promise.resolve(new Map([...known, ...entries.map((e) => [identityKey(e.identity), e.vip] as const)])));
    memo.adoptionChecked.add(tkey);
  }
  return entries.length;
}

export async function vipStep(allocator: VipAllocator, memo: SyncMemo, log: Log, input: VipStepInput): Promise<VipStepResult> {
  const { target, needed, now } = input;
  const tkey = `${target.gns}/${target.cluster}/${target.namespace}/${target.name}`;
  let adopted = 0;

  // 1. Adoption, once per target per container (every sync while the store is incomplete),
  //    and only for identities the allocator lacks; always before anything is allocated.
  //    The targets of one GNS adopt one after the other: they publish the same pods, and a
  //    batch syncs them side by side — each would otherwise claim and bind the same VIPs.
  if (needed.length > 0 && (input.incomplete || !memo.adoptionChecked.has(tkey))) {
    const before = memo.adopting.get(target.gns) ?? Promise.resolve();
    const mine = before.catch(() => undefined).then(() => adopt(allocator, memo, log, input, tkey));
    memo.adopting.set(target.gns, mine);
    try {
      adopted = await mine;
    } finally {
      if (memo.adopting.get(target.gns) === mine) memo.adopting.delete(target.gns);
    }
  }

  // 2. Get or allocate. An exhausted pool keeps what is allocated: new endpoints wait.
  let vips: ReadonlyMap<string, string>;
  let exhausted: PoolExhaustedError | undefined;
  const moves: VipMove[] = [];
  if (needed.length === 0) {
    vips = new Map();
  } else {
    try {
      vips = byIdentityKey(target.gns, await allocator.ensure(needed, now, (move) => moves.push(move)));
    } catch (error) {
      if (!(error instanceof PoolExhaustedError)) throw error;
      exhausted = error;
      vips = byIdentityKey(target.gns, await allocator.listGns(target.gns));
    }
  }

  // 3. Identities this target needed last time whose pod is no longer visible in any member:
  //    marked gone (once per container). A pod visible nowhere is needed by no target, so this
  //    early mark is always right; an identity this target stopped needing while its pod still
  //    runs (selector, labels, network) may be needed by another target, which only the
  //    reconcile knows: its complete pass marks every identity no valid target needs.
  const present = new Set(input.sources.map((s) => `${target.gns}/${s.cluster}/${s.namespace}/${s.pod.name}`));
  const neededKeys = new Set(needed.map(identityKey));
  for (const key of neededKeys) memo.markedGone.delete(key);
  const gone: VipIdentity[] = [];
  // An incomplete store does not show every pod: nothing is marked gone from it.
  for (const key of input.incomplete ? [] : memo.lastNeeded.get(tkey) ?? []) {
    if (present.has(key) || memo.markedGone.has(key)) continue;
    const [gns = '', cluster = '', namespace = '', pod = ''] = key.split('/');
    gone.push({ gns, cluster, namespace, pod });
  }
  if (gone.length > 0) {
    await allocator.markGone(gone, now);
    for (const id of gone) memo.markedGone.add(identityKey(id));
  }
  memo.lastNeeded.set(tkey, neededKeys);

  return { vips, ...(exhausted ? { exhausted } : {}), adopted, markedGone: gone.length, moves };
}
