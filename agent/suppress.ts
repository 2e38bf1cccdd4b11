// What the agent last published per object (its projection, as canonical JSON, and its
// last-change version). An update whose projection is unchanged publishes nothing; the
// versions kept here are the ones a namespace snapshot carries (docs/adr/0002).
import { canonicalJson } from '../shared/core/canonical-json.ts';
import type { Hlc, PodRecord, ServiceRecord } from '../shared/core/types.ts';

export type Projection = { readonly kind: 'pod'; readonly record: PodRecord } | { readonly kind: 'service'; readonly record: ServiceRecord };

export interface LedgerEntry {
  readonly projection: Projection;
  readonly canonical: string;
  /** The version of the last change; absent until this agent publishes (a standby stamps nothing). */
  readonly v?: Hlc;
}

/** `pod/<name>` or `service/<name>`, the key of the stored state. */
export const keyOf = (projection: Projection): string => `${projection.kind}/${projection.record.name}`;

/** The objects of one namespace as last projected. */
export class Ledger {
  readonly #entries = new Map<string, LedgerEntry>();

  /**
   * Records a projection. Returns true when it differs from the one held (or is new): then
   * the entry's version is `version()` (undefined for a standby). Unchanged: nothing happens.
   */
  observe(projection: Projection, version: () => Hlc | undefined): boolean {
    const key = keyOf(projection);
    const canonical = canonicalJson(projection.record);
    const held = this.#entries.get(key);
    if (held !== undefined && held.canonical === canonical) return false;
    const v = version();
    this.#entries.set(key, v === undefined ? { projection, canonical } : { projection, canonical, v });
    return true;
  }

  /** Forgets a key; returns what was held (undefined: nothing was published for it). */
  remove(key: string): LedgerEntry | undefined {
    const held = this.#entries.get(key);
    this.#entries.delete(key);
    return held;
  }

  get(key: string): LedgerEntry | undefined {
    return this.#entries.get(key);
  }

  /**
   * Makes the ledger equal to `current` (key → projection, e.g. from the informer caches):
   * new or changed projections get `version()`, absent keys are removed. Returns whether anything changed.
   */
  reconcile(current: ReadonlyMap<string, Projection>, version: () => Hlc | undefined): boolean {
    let changed = false;
    for (const key of [...this.#entries.keys()]) {
      if (!current.has(key)) {
        this.#entries.delete(key);
        changed = true;
      }
    }
    for (const projection of current.values()) changed = this.observe(projection, version) || changed;
    return changed;
  }

  /** Gives every entry without a version the version `v` (a new publisher's first snapshot). */
  stampMissing(v: Hlc): void {
    for (const [key, entry] of this.#entries) {
      if (entry.v === undefined) this.#entries.set(key, { ...entry, v });
    }
  }

  /** Drops every version: a standby becoming the publisher restamps everything (its versions were never issued). */
  clearVersions(): void {
    for (const [key, entry] of this.#entries) this.#entries.set(key, { projection: entry.projection, canonical: entry.canonical });
  }

  entries(): IterableIterator<[string, LedgerEntry]> {
    return this.#entries.entries();
  }

  get size(): number {
    return this.#entries.size;
  }
}
