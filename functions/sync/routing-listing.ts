// Where gns-sync looks for its ServiceEntries in an Istio config cluster, without a cluster-wide
// list (docs/adr/0018-inventory.md): the namespaces the cluster's inventory records for
// ServiceEntries (every create and update records its namespace first), plus those the caller
// is about to write to. One namespaced list each; the writer's grants are namespaced only.
import { KIND_SERVICEENTRIES } from '../../shared/core/inventory.ts';
import type { ServiceEntry } from '../../shared/core/routing/types.ts';
import type { InventoryRead, RoutingApi } from '../../shared/ports.ts';

export interface EntryNamespaces {
  /** The inventory as read before the listing (the preconditions of a forget). */
  readonly inventory: InventoryRead;
  /** The inventoried namespaces and `extra`, sorted. */
  readonly namespaces: readonly string[];
}

export async function entryNamespaces(api: RoutingApi, extra: Iterable<string>): Promise<EntryNamespaces> {
  const inventory = await api.inventory.read();
  return { inventory, namespaces: [...new Set([...(inventory.kinds.get(KIND_SERVICEENTRIES) ?? []), ...extra])].sort() };
}

/** The entries carrying every label of `selector`, namespace by namespace (namespace → its entries). */
export async function listEntriesIn(api: RoutingApi, selector: Readonly<Record<string, string>>, namespaces: readonly string[]): Promise<Map<string, readonly ServiceEntry[]>> {
  const lists = await Promise.all(namespaces.map(async (ns) => [ns, await api.listServiceEntries(selector, ns)] as const));
  return new Map(lists);
}

/** The entries of `selector` in the inventoried namespaces and `extra`. */
export async function listRecordedEntries(api: RoutingApi, selector: Readonly<Record<string, string>>, extra: Iterable<string>): Promise<ServiceEntry[]> {
  const { namespaces } = await entryNamespaces(api, extra);
  return [...(await listEntriesIn(api, selector, namespaces)).values()].flat();
}
