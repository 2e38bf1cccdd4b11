// Which VIPs some target still publishes, for the release (docs/adr/0004-vip-allocation.md,
// "Published VIPs"). The reconcile lists the slices gns-sync manages in every configured cluster
// anyway; each cluster's addresses are recorded (written only when they changed), and the
// release holds every address that any record shows: the fresh listing of a cluster that
// answered, the last record of one that did not (down, credentials expired: its slices still
// answer DNS there), and the record of a cluster that left the config while its slices may
// remain. Without a store of records, a cluster that could not be listed holds everything back.
import { describeError } from '../../shared/errors.ts';
import type { PublishedVipsStore } from '../../shared/ports.ts';
import type { Slice } from '../../shared/core/types.ts';
import type { Log } from '../log.ts';

/** Every address of every endpoint of the slices. */
export function addressesOf(slices: readonly Slice[]): Set<string> {
  return new Set(slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)));
}

const same = (a: ReadonlySet<string>, b: ReadonlySet<string> | undefined) => b !== undefined && a.size === b.size && [...a].every((x) => b.has(x));

/**
 * The addresses to hold, or undefined when the release must wait (what some cluster publishes
 * is unknown). `listed`: each configured cluster's addresses, undefined when it could not be listed.
 */
export async function heldAddresses(
  store: PublishedVipsStore | undefined,
  listed: ReadonlyMap<string, ReadonlySet<string> | undefined>,
  now: number,
  errors: string[],
  log: Log,
): Promise<ReadonlySet<string> | undefined> {
  const held = new Set<string>();
  const unlisted = [...listed].filter(([, a]) => a === undefined).map(([c]) => c);
  for (const addresses of listed.values()) for (const a of addresses ?? []) held.add(a);
  if (store === undefined) {
    if (unlisted.length === 0) return held;
    log.warn('VIPs are not released this run: what these clusters publish is unknown', { clusters: unlisted });
    return undefined;
  }
  let records: Map<string, ReadonlySet<string>>;
  try {
    records = await store.read();
  } catch (error) {
    errors.push(`reading the VIPs published per cluster failed (nothing released this run): ${describeError(error)}`);
    return undefined;
  }
  await Promise.all([...listed].map(async ([cluster, addresses]) => {
    if (addresses === undefined || same(addresses, records.get(cluster))) return;
    try {
      await store.write(cluster, addresses, now);
    } catch (error) {
      errors.push(`cluster ${cluster}: recording its published VIPs failed: ${describeError(error)}`);
    }
  }));
  const kept: string[] = [];
  for (const [cluster, addresses] of records) {
    if (listed.get(cluster) !== undefined) continue;
    for (const a of addresses) held.add(a);
    if (addresses.size > 0) kept.push(cluster);
  }
  for (const cluster of unlisted) if (!records.has(cluster)) {
    log.warn('VIPs are not released this run: a cluster that could not be listed has no record of what it publishes', { cluster });
    return undefined;
  }
  const gone = kept.filter((c) => !listed.has(c));
  if (gone.length > 0) log.warn('clusters no longer in the config may still publish VIPs: they stay reserved until the record `published`/<cluster> is deleted (after removing those slices)', { clusters: gone });
  return held;
}
