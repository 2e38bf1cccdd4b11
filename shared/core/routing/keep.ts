// A restart keeps the pod's client entries (docs/adr/0019-a-restart-keeps-its-routing.md). A
// client entry carries the VIP, the per-pod host, the ports and the source network — never the
// pod IP — so nothing in it changes when a pod restarts. While the pod is away it is kept as it
// is (not deleted, not rewritten):
//   - a pod present without an IP yet (Pending, or terminal before its deletion): selected,
//     controlled by a StatefulSet, on another network than the target;
//   - a pod absent whose agent said it returns (its StatefulSet still wants the ordinal), for a
//     grace period from when the deletion was observed.
// Only an entry that exists is kept; nothing is created for such a pod. A pod that does not
// return (scale-down), or that stays away longer than the grace, loses its entries at the next
// sync, as do all entries of a Service deleted, a member or a GNS removed (those paths never
// consult the keep set). Pure: `now` is an argument.
import { identityKey } from '../identity.ts';
import { isStatefulSetPod } from '../publishable.ts';
import { matchesSelector } from '../target.ts';
import type { DesiredInput } from '../desired.ts';
import { DEFAULT_INSTALLATION } from '../installation.ts';
import type { ReturningPod } from '../returning.ts';
import type { VipIdentity } from '../types.ts';
import { entryName } from './entries.ts';
import { isOwnedEntry } from './plan.ts';
import type { ServiceEntry } from './types.ts';

/** How long an absent returning pod keeps its client entries at most (capped by the VIP release: `restartGraceMs`). */
export const RESTART_GRACE_MS = 10 * 60_000;

/**
 * The grace for a returning pod: RESTART_GRACE_MS, but at most half of `vipReleaseAfter`, so a
 * kept entry never outlives its VIP's binding (the sync marks the identity gone when its pod
 * leaves; the VIP is released `vipReleaseAfter` later), even with the agent's clock ahead.
 */
export const restartGraceMs = (vipReleaseAfterMs: number): number => Math.max(0, Math.min(RESTART_GRACE_MS, Math.floor(vipReleaseAfterMs / 2)));

/** A returning absence in one member. */
export interface ReturningSource {
  readonly cluster: string;
  readonly namespace: string;
  readonly pod: ReturningPod;
}

export interface KeepInput extends Omit<DesiredInput, 'vips' | 'vipFamily'> {
  /** Pods absent with a returning tombstone, in the GNS's members. */
  readonly returning: readonly ReturningSource[];
  readonly now: number;
  readonly graceMs: number;
}

const networkOf = (networks: ReadonlyMap<string, string>, cluster: string): string => networks.get(cluster) ?? cluster;

/**
 * The remote pods present without an IP that the target would publish once they have one:
 * selected, controlled by a StatefulSet (or unknown: a v1 record), on another network. Sorted
 * by identity key. Their VIPs stay bound (the reconcile counts them in use).
 */
export function podsWithoutIp(input: Omit<KeepInput, 'returning' | 'now' | 'graceMs'>): VipIdentity[] {
  const targetNetwork = networkOf(input.networks, input.target.cluster);
  const out: VipIdentity[] = [];
  for (const { cluster, namespace, pod } of input.sources) {
    if (pod.ips.length > 0 || networkOf(input.networks, cluster) === targetNetwork) continue;
    if (!matchesSelector(pod.labels, input.selector) || !isStatefulSetPod(pod.controller)) continue;
    out.push({ gns: input.target.gns, cluster, namespace, pod: pod.name });
  }
  return out.sort((a, b) => (identityKey(a) < identityKey(b) ? -1 : identityKey(a) > identityKey(b) ? 1 : 0));
}

/**
 * The identities whose existing client entries the target keeps: remote pods present without an
 * IP, and remote pods absent with a returning tombstone younger than the grace (a deletion
 * observed "in the future" of `now`, a clock ahead, counts from `now`).
 */
export function keptIdentities(input: KeepInput): VipIdentity[] {
  const targetNetwork = networkOf(input.networks, input.target.cluster);
  const present = new Set(input.sources.map((s) => `${s.cluster}/${s.namespace}/${s.pod.name}`));
  const out = podsWithoutIp(input);
  for (const { cluster, namespace, pod } of input.returning) {
    if (present.has(`${cluster}/${namespace}/${pod.name}`) || networkOf(input.networks, cluster) === targetNetwork) continue;
    if (input.now - pod.since >= input.graceMs) continue;
    out.push({ gns: input.target.gns, cluster, namespace, pod: pod.name });
  }
  return out;
}

/** The names of the target's client entries for `identities` (as `desiredClientEntries` names them). */
export function keptEntryNames(input: Pick<KeepInput, 'target'> & { readonly installation?: string }, identities: readonly VipIdentity[]): Set<string> {
  const { target } = input;
  const installation = input.installation ?? DEFAULT_INSTALLATION;
  return new Set(identities.map((id) => entryName('client', [target.gns, target.cluster, target.namespace, target.name, id.cluster, id.namespace, id.pod], installation)));
}

const where = (e: ServiceEntry): string => `${e.cluster}\u0000${e.namespace}\u0000${e.name}`;

/**
 * What to publish: `desired`, plus each owned `existing` entry named in `keep` that is not
 * desired, exactly as it is. Planned against `existing`, a kept entry costs no write.
 */
export function withKept(desired: readonly ServiceEntry[], existing: readonly ServiceEntry[], keep: ReadonlySet<string>, installation?: string): ServiceEntry[] {
  if (keep.size === 0) return [...desired];
  const wanted = new Set(desired.map(where));
  const kept = existing.filter((e) => keep.has(e.name) && !wanted.has(where(e)) && isOwnedEntry(e, installation));
  return [...desired, ...kept];
}
