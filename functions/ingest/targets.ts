// The targets of a GNS (valid annotated Services in its members, with their selectors) and
// which of them an event affects.
//
// The per-GNS index is cached per container, which saves one query per member on every pod
// event. It is keyed by the GNS's targets version (docs/adr/0008-function-costs-and-caches.md):
// a counter in the table that the ingest bumps after merging any Service change of the GNS, and
// reads once per batch after the batch's merges. A cached index is reused only while that
// version is unchanged, so another container's new (or changed, or deleted) target is seen by
// the next batch here. `maxAgeMs` is a backstop only (0 disables the cache).
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
  /**
   * The targets of a GNS whose targets version is `version`: the cached index when it was
   * loaded at that version, else loaded now (after the version was read). An unknown version
   * (undefined) always loads and caches nothing.
   */
  targetsOf(gns: string, version: number | undefined): Promise<readonly GnsTarget[]>;
}

/** How long an index may be reused while its version is unchanged (a backstop: the version decides). */
export const DEFAULT_TARGET_CACHE_MS = 60_000;

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

interface Cached {
  readonly version: number;
  readonly at: number;
  readonly targets: Promise<GnsTarget[]>;
}

export function cachedTargetIndex(store: StateStore, topology: TopologyIndex, clock: Clock, maxAgeMs = DEFAULT_TARGET_CACHE_MS): TargetIndex {
  const cache = new Map<string, Cached>();
  return {
    targetsOf(gns, version) {
      const now = clock.now();
      const hit = cache.get(gns);
      if (version !== undefined && hit?.version === version && now - hit.at < maxAgeMs) return hit.targets;
      const targets = loadTargets(store, topology, gns);
      // Never replace an index of a newer version (two batches of one container in flight).
      if (version !== undefined && maxAgeMs > 0 && (hit === undefined || hit.version <= version)) {
        cache.set(gns, { version, at: now, targets });
        targets.catch(() => {
          if (cache.get(gns)?.targets === targets) cache.delete(gns);
        });
      }
      return targets;
    },
  };
}

/** Targets whose selector matches any of the label sets (a pod's labels before and after). */
export function matchingTargets(targets: readonly GnsTarget[], labelSets: readonly Readonly<Record<string, string>>[]): TargetRef[] {
  return targets.filter((t) => labelSets.some((labels) => matchesSelector(labels, t.selector))).map((t) => t.ref);
}
