// The inventory's upkeep after the reconcile listed one kind's namespaces in a cluster
// (docs/adr/0018-inventory.md), the same rule for the slices (./leftovers.ts) and the
// ServiceEntries (./routing-inventory.ts): namespaces the config writes to that hold objects
// the inventory does not list yet (written before it existed) are recorded; namespaces it no
// longer writes to that held none when listed are forgotten, against the inventory as read
// before the listing (a record made meanwhile makes the forget wait for the next run).
import { describeError } from '../../shared/errors.ts';
import type { Inventory, InventoryRead } from '../../shared/ports.ts';
import type { Log } from '../log.ts';

/** One kind's listing: objects per namespace when listed, the inventory read before, the namespaces the config writes to. */
export interface KindListing {
  readonly counts: ReadonlyMap<string, number>;
  readonly inventory: InventoryRead;
  readonly kept: ReadonlySet<string>;
}

/** The lines a kind's upkeep logs. */
export interface TidyWords {
  /** The info line for a recorded pre-inventory namespace. */
  readonly recorded: string;
  /** After "namespace NS" / "clean namespaces" in the failure lines ('' or e.g. ' (ServiceEntries)'). */
  readonly failureNote: string;
  /** The info line once clean namespaces left the inventory. */
  readonly clean: string;
}

/** The namespaces the inventory records for `kind`. */
export const recordedOf = (listing: KindListing, kind: string): ReadonlySet<string> => listing.inventory.kinds.get(kind) ?? new Set<string>();

/** Records the kept namespaces holding objects that the inventory does not list. Failures go to `errors`. */
export async function recordUnlisted(inventory: Inventory, kind: string, cluster: string, listing: KindListing, words: TidyWords, errors: string[], log: Log): Promise<void> {
  const recorded = recordedOf(listing, kind);
  for (const [ns, n] of listing.counts) {
    if (n === 0 || recorded.has(ns) || !listing.kept.has(ns)) continue;
    try {
      await inventory.record(kind, ns);
      log.info(words.recorded, { cluster, namespace: ns });
    } catch (error) {
      errors.push(`cluster ${cluster}: recording namespace ${ns}${words.failureNote} in the inventory failed: ${describeError(error)}`);
    }
  }
}

/** Forgets `clean` (recorded, no longer kept, none held when listed). Failures go to `errors`. */
export async function forgetClean(inventory: Inventory, kind: string, cluster: string, listing: KindListing, clean: readonly string[], words: TidyWords, errors: string[], log: Log): Promise<void> {
  if (clean.length === 0) return;
  try {
    if (await inventory.forget(kind, clean, listing.inventory)) log.info(words.clean, { cluster, namespaces: clean });
  } catch (error) {
    errors.push(`cluster ${cluster}: forgetting clean namespaces${words.failureNote} in the inventory failed: ${describeError(error)}`);
  }
}
