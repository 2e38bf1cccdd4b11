// Desired ServiceEntries against those found (docs/adr/0013-routing-through-istio.md), like
// the slices' plan (docs/adr/0007): only objects carrying our managed-by label and this
// installation's label (none: the default installation's; docs/adr/0015) are ever updated or
// deleted; only what we set is compared (labels we set, owner references, spec),
// so fields Istio or others add (status, other labels, annotations) never cause a write.
import { canonicalJson } from '../canonical-json.ts';
import { belongsTo, DEFAULT_INSTALLATION } from '../installation.ts';
import { MANAGED_BY } from '../types.ts';
import { LABEL_ROUTING_MANAGED_BY } from './types.ts';
import type { ServiceEntry } from './types.ts';

export interface EntryPlan {
  readonly create: readonly ServiceEntry[];
  /** Desired content with the existing object's uid and resourceVersion (a concurrent write gets 409). */
  readonly update: readonly ServiceEntry[];
  readonly delete: readonly ServiceEntry[];
}

/** Whether this installation owns an entry: managed by gns-sync and labelled as this installation's (unlabelled: the default one's). */
export const isOwnedEntry = (e: Pick<ServiceEntry, 'labels'>, installation: string = DEFAULT_INSTALLATION): boolean =>
  e.labels[LABEL_ROUTING_MANAGED_BY] === MANAGED_BY && belongsTo(e.labels, installation);

const where = (e: ServiceEntry): string => `${e.cluster}\u0000${e.namespace}\u0000${e.name}`;

/** The found object's uid and resourceVersion: an update or delete is conditional on both (docs/adr/0015). */
const preconditionsOf = (e: ServiceEntry): Pick<ServiceEntry, 'uid' | 'resourceVersion'> => ({
  ...(e.uid !== undefined ? { uid: e.uid } : {}),
  ...(e.resourceVersion !== undefined ? { resourceVersion: e.resourceVersion } : {}),
});

/** Whether `existing` already holds everything `desired` sets. */
export function sameEntry(desired: ServiceEntry, existing: ServiceEntry): boolean {
  for (const [k, v] of Object.entries(desired.labels)) if (existing.labels[k] !== v) return false;
  const owners = (e: ServiceEntry) => canonicalJson(e.ownerReferences.map((o) => [o.apiVersion, o.kind, o.name, o.uid]).sort());
  return owners(desired) === owners(existing) && canonicalJson(desired.spec) === canonicalJson(existing.spec);
}

/**
 * The writes that turn `existing` (everything found in this writer's scope) into `desired`.
 * An existing object we do not own under a desired name is left alone and not created over
 * (the create would meet 409 and the next sync would try again): it is reported in `blocked`.
 */
export function planEntries(desired: readonly ServiceEntry[], existing: readonly ServiceEntry[], installation: string = DEFAULT_INSTALLATION): EntryPlan & { readonly blocked: readonly ServiceEntry[] } {
  const found = new Map(existing.map((e) => [where(e), e]));
  const wanted = new Set(desired.map(where));
  const create: ServiceEntry[] = [];
  const update: ServiceEntry[] = [];
  const blocked: ServiceEntry[] = [];
  for (const d of desired) {
    const e = found.get(where(d));
    if (e === undefined) create.push(d);
    else if (!isOwnedEntry(e, installation)) blocked.push(d);
    else if (!sameEntry(d, e)) {
      update.push({ ...d, labels: { ...e.labels, ...d.labels }, ...preconditionsOf(e) });
    }
  }
  const del = existing.filter((e) => isOwnedEntry(e, installation) && !wanted.has(where(e)));
  return { create, update, delete: del, blocked };
}

export const planWrites = (plan: EntryPlan): number => plan.create.length + plan.update.length + plan.delete.length;
