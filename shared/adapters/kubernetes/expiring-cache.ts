// A per-container cache of clients by cluster, each kept for a while (credentials rotate):
// one loader per cluster in flight, a failed load not cached (the next call tries again), and
// `drop` for a client whose credentials were refused (a 401), so the next call loads afresh.
export interface ExpiringCache<T> {
  get(cluster: string): Promise<T>;
  drop(cluster: string): void;
}

export function expiringCache<T>(load: (cluster: string) => Promise<T>, ttlMs: number, clock: () => number): ExpiringCache<T> {
  const entries = new Map<string, { readonly value: Promise<T>; readonly expiresAt: number }>();
  return {
    get(cluster) {
      const now = clock();
      const hit = entries.get(cluster);
      if (hit && hit.expiresAt > now) return hit.value;
      const value = load(cluster);
      entries.set(cluster, { value, expiresAt: now + ttlMs });
      value.catch(() => {
        if (entries.get(cluster)?.value === value) entries.delete(cluster);
      });
      return value;
    },
    drop(cluster) {
      entries.delete(cluster);
    },
  };
}
