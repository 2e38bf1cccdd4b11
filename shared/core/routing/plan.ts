// Desired ServiceEntries against those found (docs/adr/0013-routing-through-istio.md), like
// the slices' plan (docs/adr/0007): only objects carrying our managed-by label are ever
// updated or deleted; only what we set is compared (labels we set, owner references, spec),
// so fields Istio or others add (status, other labels, annotations) never cause a write.
import { canonicalJson } from '../canonical-json.ts';
import { MANAGED_BY } from '../types.ts';
import { LABEL_ROUTING_MANAGED_BY } from './types.ts';
import type { ServiceEntry } from './types.ts';

export interface EntryPlan {
  readonly create: readonly ServiceEntry[];
  /** Desired content with the existing object's resourceVersion (a concurrent write gets 409). */
  readonly update: readonly ServiceEntry[];
  readonly delete: readonly ServiceEntry[];
}

export const isOwnedEntry = (e: Pick<ServiceEntry, 'labels'>): boolean => e.labels[LABEL_ROUTING_MANAGED_BY] === MANAGED_BY;

const where = (e: ServiceEntry): string => `${e.cluster}\u0000${e.namespace}\u0000${e.name}`;

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
export function planEntries(desired: readonly ServiceEntry[], existing: readonly ServiceEntry[]): EntryPlan & { readonly blocked: readonly ServiceEntry[] } {
  const found = new Map(existing.map((e) => [where(e), e]));
  const wanted = new Set(desired.map(where));
  const create: ServiceEntry[] = [];
  const update: ServiceEntry[] = [];
  const blocked: ServiceEntry[] = [];
  for (const d of desired) {
    const e = found.get(where(d));
    if (e === undefined) create.push(d);
    else if (!isOwnedEntry(e)) blocked.push(d);
    else if (!sameEntry(d, e)) {
      update.push({ ...d, labels: { ...e.labels, ...d.labels }, ...(e.resourceVersion !== undefined ? { resourceVersion: e.resourceVersion } : {}) });
    }
  }
  const del = existing.filter((e) => isOwnedEntry(e) && !wanted.has(where(e)));
  return { create, update, delete: del, blocked };
}

export const planWrites = (plan: EntryPlan): number => plan.create.length + plan.update.length + plan.delete.length;
