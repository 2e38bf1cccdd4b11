// The targets of a GNS (valid annotated Services in its members, with their selectors) and
// which of them an event affects.
//
// The per-GNS index is cached for a few seconds per container, which saves one query per
// member on every pod event. This is safe because a target's own Service events always
// enqueue that target (whatever the cache says), and a sync reloads all pods: a new target,
// or a target whose selector changed, starts from the full state. This container also drops
// its cached index of a GNS whenever it merges a Service change of that GNS. What remains is
// a window of at most `ttlMs` in which another container, still holding the old index, may
// not enqueue a just-created target for a pod change: the scheduled reconcile repairs that
// (set `ttlMs` to 0 to disable the cache).
import { matchesSelector, validateTarget } from '../../shared/core/target.ts';
import type { Selector } from '../../shared/core/selector.ts';
import type { TargetRef } from '../../shared/core/types.ts';
import type { Clock, StateStore } from '../../shared/ports.ts';
import type { TopologyIndex } from '../topology.ts';

export interface GnsTarget {
  readonly ref: TargetRef;
  readonly selector: Selector;
}

export interface TargetIndex {
  targetsOf(gns: string): Promise<readonly GnsTarget[]>;
  invalidate(gns: string): void;
}

export const DEFAULT_TARGET_CACHE_MS = 5_000;

export async function loadTargets(store: StateStore, topology: TopologyIndex, gns: string): Promise<GnsTarget[]> {
  const perMember = await Promise.all(
    topology.membersOf(gns).map(async (m) => {
      const services = await store.servicesOf(m.cluster, m.namespace);
      const out: GnsTarget[] = [];
      for (const service of services) {
        const v = validateTarget(service);
        if (v.ok) out.push({ ref: { gns, cluster: m.cluster, namespace: m.namespace, name: service.name }, selector: v.selector });
      }
      return out;
    }),
  );
  return perMember.flat();
}

export function cachedTargetIndex(store: StateStore, topology: TopologyIndex, clock: Clock, ttlMs = DEFAULT_TARGET_CACHE_MS): TargetIndex {
  const cache = new Map<string, { readonly at: number; readonly targets: Promise<GnsTarget[]> }>();
  return {
    targetsOf(gns) {
      const now = clock.now();
      const hit = cache.get(gns);
      if (hit && now - hit.at < ttlMs) return hit.targets;
      const targets = loadTargets(store, topology, gns);
      if (ttlMs > 0) {
        cache.set(gns, { at: now, targets });
        targets.catch(() => {
          if (cache.get(gns)?.targets === targets) cache.delete(gns);
        });
      }
      return targets;
    },
    invalidate: (gns) => void cache.delete(gns),
  };
}

/** Targets whose selector matches any of the label sets (a pod's labels before and after). */
export function matchingTargets(targets: readonly GnsTarget[], labelSets: readonly Readonly<Record<string, string>>[]): TargetRef[] {
  return targets.filter((t) => labelSets.some((labels) => matchesSelector(labels, t.selector))).map((t) => t.ref);
}
