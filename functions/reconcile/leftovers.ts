// Where the reconcile looks for this installation's slices in a cluster, without a cluster-wide
// list (docs/adr/0018-inventory.md): the cluster's member namespaces, and every namespace the
// cluster's inventory records for EndpointSlices (a member removed from the config stays there
// until it holds none of the installation's slices). After the orphans are deleted, the
// inventory is tidied: member namespaces holding slices it does not list yet (written before the
// inventory existed) are recorded, and removed members that hold none any more are forgotten —
// the log line that tells the operator the writer's grants there may go.
import { KIND_ENDPOINTSLICES } from '../../shared/core/inventory.ts';
import { ownedBy } from '../../shared/core/plan.ts';
import type { Slice } from '../../shared/core/types.ts';
import type { ClusterApi, InventoryRead } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import type { TopologyIndex } from '../topology.ts';
import { forgetClean, recordUnlisted, recordedOf } from './inventory-tidy.ts';
import type { TidyWords } from './inventory-tidy.ts';

export interface OwnSlices {
  /** The installation's slices in the namespaces listed. */
  readonly managed: readonly Slice[];
  /** Namespace → how many of the installation's slices it held when listed. */
  readonly counts: ReadonlyMap<string, number>;
  /** The inventory as read before the listing (the preconditions of `forget`). */
  readonly inventory: InventoryRead;
  /** The cluster's member namespaces. */
  readonly members: ReadonlySet<string>;
}

/** The member namespaces of a cluster in the config. */
export function memberNamespaces(topology: TopologyIndex, cluster: string): Set<string> {
  return new Set(topology.topology.globalNamespaces.flatMap((g) => g.members).filter((m) => m.cluster === cluster).map((m) => m.namespace));
}

/** The installation's slices in the cluster's member and inventoried namespaces (one list per namespace). */
export async function listOwnSlices(api: ClusterApi, cluster: string, topology: TopologyIndex): Promise<OwnSlices> {
  const inventory = await api.inventory.read();
  const members = memberNamespaces(topology, cluster);
  const namespaces = [...new Set([...members, ...(inventory.kinds.get(KIND_ENDPOINTSLICES) ?? [])])].sort();
  const owned = ownedBy(topology.installation);
  const lists = await Promise.all(namespaces.map(async (ns) => [ns, (await api.listManagedSlices(ns)).filter(owned)] as const));
  return { managed: lists.flatMap(([, slices]) => slices), counts: new Map(lists.map(([ns, slices]) => [ns, slices.length])), inventory, members };
}

/**
 * Records member namespaces that hold slices but are not inventoried; forgets removed members
 * that held none when listed (against the inventory read before the listing: a record made
 * meanwhile makes the forget wait for the next run). Failures go to `errors`.
 */
export async function tidyInventory(api: ClusterApi, cluster: string, listing: OwnSlices, deleted: ReadonlySet<string>, errors: string[], log: Log): Promise<void> {
  const kind = { ...listing, kept: listing.members };
  await recordUnlisted(api.inventory, KIND_ENDPOINTSLICES, cluster, kind, SLICE_WORDS, errors, log);
  const removed = [...recordedOf(kind, KIND_ENDPOINTSLICES)].filter((ns) => !listing.members.has(ns)).sort();
  const clean = removed.filter((ns) => listing.counts.get(ns) === 0);
  const left = removed.filter((ns) => (listing.counts.get(ns) ?? 0) > 0);
  if (left.length > 0) {
    log.warn("namespaces that are no longer members still hold this installation's slices: keep the writer's grants there until the reconcile reports them clean", {
      cluster, namespaces: left, slices: left.map((ns) => `${ns}: ${listing.counts.get(ns)}${deleted.has(ns) ? ' (deleted this run)' : ''}`),
    });
  }
  await forgetClean(api.inventory, KIND_ENDPOINTSLICES, cluster, kind, clean, SLICE_WORDS, errors, log);
}

const SLICE_WORDS: TidyWords = {
  recorded: 'recorded in the inventory a member namespace holding slices written before it existed',
  failureNote: '',
  clean: "namespaces clean: they hold none of this installation's slices and left its inventory; the writer's grants there may go (render the manifests again and delete the old Role and RoleBinding)",
};
