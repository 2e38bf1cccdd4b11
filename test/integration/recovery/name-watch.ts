// Watches the names published by fake clusters continuously: after every slice write it
// compares each watched target's endpoints (hostname → addresses) with a baseline, and records
// every name that disappeared or changed address — at any moment, not only at the end.
import type { FakeCluster, FakeClusters } from '../../unit/functions/fakes.ts';

export interface WatchedTarget {
  readonly cluster: string;
  readonly namespace: string;
  readonly service: string;
}

export interface NameWatch {
  /** One line per name lost or changed, with the write after which it was seen. */
  readonly violations: string[];
  /** Names that may now leave (a pod really deleted, once the store is complete again). */
  allowRemoval(hostname: string): void;
  /** The current names of a target: hostname → addresses. */
  names(target: WatchedTarget): Map<string, string>;
  stop(): void;
}

function namesOf(cluster: FakeCluster, t: WatchedTarget): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of cluster.endpointsOf(t.namespace, t.service)) {
    const i = line.indexOf('=');
    out.set(line.slice(0, i), line.slice(i + 1));
  }
  return out;
}

export function watchNames(clusters: FakeClusters, targets: readonly WatchedTarget[]): NameWatch {
  const baseline = new Map(targets.map((t) => [t, namesOf(clusters.cluster(t.cluster), t)] as const));
  const allowed = new Set<string>();
  const violations: string[] = [];
  const restores: (() => void)[] = [];
  const check = (what: string) => {
    for (const [t, before] of baseline) {
      const now = namesOf(clusters.cluster(t.cluster), t);
      for (const [hostname, address] of before) {
        if (allowed.has(hostname)) continue;
        const current = now.get(hostname);
        if (current === undefined) violations.push(`${t.cluster}/${t.namespace}/${t.service}: ${hostname} removed after ${what}`);
        else if (current !== address) violations.push(`${t.cluster}/${t.namespace}/${t.service}: ${hostname} ${address} → ${current} after ${what}`);
      }
    }
  };
  for (const [name, cluster] of clusters.clusters) {
    for (const method of ['createSlice', 'updateSlice', 'deleteSlice'] as const) {
      const original = cluster[method].bind(cluster) as (...args: unknown[]) => Promise<unknown>;
      (cluster as unknown as Record<string, unknown>)[method] = async (...args: unknown[]) => {
        const result = await original(...args);
        check(`${method} in ${name}`);
        return result;
      };
      restores.push(() => { delete (cluster as unknown as Record<string, unknown>)[method]; });
    }
  }
  return {
    violations,
    allowRemoval: (hostname) => void allowed.add(hostname),
    names: (t) => namesOf(clusters.cluster(t.cluster), t),
    stop: () => { for (const r of restores) r(); },
  };
}
