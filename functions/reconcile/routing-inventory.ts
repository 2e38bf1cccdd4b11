// The routing sweep's inventory (docs/adr/0018-inventory.md), as the slices' (./leftovers.ts):
// in an Istio config cluster it lists the namespaces the inventory records for ServiceEntries
// and those the current config writes entries to, one namespaced list each. Afterwards it
// records namespaces the config writes to that hold entries the inventory does not list yet
// (written before it existed), and forgets namespaces the config no longer writes to that held
// none of this installation's entries when listed (entries deleted this run: at the next run).
import { ISTIO_SYSTEM } from '../../shared/core/routing/gateways.ts';
import { isOwnedEntry } from '../../shared/core/routing/plan.ts';
import type { ServiceEntry } from '../../shared/core/routing/types.ts';
import { KIND_SERVICEENTRIES } from '../../shared/core/inventory.ts';
import type { InventoryRead, RoutingApi } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import { entryNamespaces, listEntriesIn } from '../sync/routing-listing.ts';
import type { TopologyIndex } from '../topology.ts';
import { forgetClean, recordUnlisted, recordedOf } from './inventory-tidy.ts';
import type { TidyWords } from './inventory-tidy.ts';

export interface OwnEntries {
  /** This installation's entries in the namespaces listed. */
  readonly owned: readonly ServiceEntry[];
  /** Namespace → how many of them it held when listed. */
  readonly counts: ReadonlyMap<string, number>;
  readonly inventory: InventoryRead;
  /** The namespaces the config writes entries to in this cluster. */
  readonly written: ReadonlySet<string>;
}

/**
 * The namespaces where the config writes entries in config cluster `cluster` (routing: istio):
 * the member namespaces of the clusters that read their Istio config from it (client entries),
 * and istio-system when any does (the east-west gateway's entries).
 */
export function writtenNamespaces(topology: TopologyIndex, cluster: string): Set<string> {
  if (topology.topology.routing !== 'istio') return new Set();
  const readers = new Set(topology.topology.clusters.filter((c) => (c.istioConfigCluster ?? c.name) === cluster).map((c) => c.name));
  if (readers.size === 0) return new Set();
  const members = topology.topology.globalNamespaces.flatMap((g) => g.members).filter((m) => readers.has(m.cluster)).map((m) => m.namespace);
  return new Set([...members, ISTIO_SYSTEM]);
}

export async function listOwnEntries(api: RoutingApi, cluster: string, topology: TopologyIndex, selector: Readonly<Record<string, string>>): Promise<OwnEntries> {
  const written = writtenNamespaces(topology, cluster);
  const { inventory, namespaces } = await entryNamespaces(api, written);
  const lists = await listEntriesIn(api, selector, namespaces);
  const owned = new Map([...lists].map(([ns, entries]) => [ns, entries.filter((e) => isOwnedEntry(e, topology.installation))] as const));
  return { owned: [...owned.values()].flat(), counts: new Map([...owned].map(([ns, es]) => [ns, es.length])), inventory, written };
}

/** Records pre-inventory namespaces the config writes to; forgets clean ones it no longer writes to. Failures go to `errors`. */
export async function tidyEntryInventory(api: RoutingApi, cluster: string, listing: OwnEntries, errors: string[], log: Log): Promise<void> {
  const kind = { ...listing, kept: listing.written };
  await recordUnlisted(api.inventory, KIND_SERVICEENTRIES, cluster, kind, ENTRY_WORDS, errors, log);
  const clean = [...recordedOf(kind, KIND_SERVICEENTRIES)].filter((ns) => !listing.written.has(ns) && listing.counts.get(ns) === 0).sort();
  await forgetClean(api.inventory, KIND_SERVICEENTRIES, cluster, kind, clean, ENTRY_WORDS, errors, log);
}

const ENTRY_WORDS: TidyWords = {
  recorded: 'recorded in the inventory a namespace holding ServiceEntries written before it existed',
  failureNote: ' (ServiceEntries)',
  clean: "namespaces clean: they hold none of this installation's ServiceEntries and left its inventory; the writer's grants there may go",
};
