// One cluster's object storage: objects by storage and key, a resourceVersion counter that
// increases per cluster, and a history of changes that watches replay from, bounded by count
// and by age (a watch from a resourceVersion whose successors were forgotten gets 410 Gone).
import type { KubeObject } from './objects.ts';
import { objectKey } from './objects.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: WatchEventType;
  readonly storage: string;
  /** The object after the change (for DELETED: as deleted, with the deletion's resourceVersion). */
  readonly object: KubeObject;
  /** The object before the change (MODIFIED and DELETED). */
  readonly previous?: KubeObject;
  readonly rv: number;
  /** Serialized watch lines, cached per resource definition so N watchers cost one stringify. */
  readonly lines: Map<string, Buffer>;
}

export type StoreListener = (event: StoreEvent) => void;

export class ObjectStore {
  private rv = 0;
  private readonly buckets = new Map<string, Map<string, KubeObject>>();
  private readonly history: (StoreEvent | undefined)[];
  /** When each history entry was stored (ms), parallel to `history`. */
  private readonly times: number[];
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private head = 0;
  private count = 0;
  /** Watches from a resourceVersion below this get 410 Gone. */
  private compactedRv = 0;
  private readonly listeners = new Set<StoreListener>();

  /** `maxAgeMs`: changes older than this are forgotten too (Infinity: by count only). */
  constructor(historySize: number, maxAgeMs = Number.POSITIVE_INFINITY, now: () => number = Date.now) {
    this.history = new Array<StoreEvent | undefined>(Math.max(1, historySize));
    this.times = new Array<number>(this.history.length).fill(0);
    this.maxAgeMs = maxAgeMs;
    this.now = now;
  }

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch may start from. */
  get oldestWatchableRv(): number {
    this.expire();
    return this.compactedRv;
  }

  nextRv(): number {
    this.rv += 1;
    return this.rv;
  }

  bucket(storage: string): Map<string, KubeObject> {
    let b = this.buckets.get(storage);
    if (!b) {
      b = new Map();
      this.buckets.set(storage, b);
    }
    return b;
  }

  get(storage: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.buckets.get(storage)?.get(objectKey(namespace, name));
  }

  /** All objects of a storage, optionally of one namespace, sorted by namespace then name. */
  list(storage: string, namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const obj of this.bucket(storage).values()) {
      if (namespace === undefined || obj.metadata.namespace === namespace) out.push(obj);
    }
    return out.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  /** Stores `object` (its metadata.resourceVersion already set from nextRv()) and tells watchers. */
  put(storage: string, object: KubeObject, rv: number): void {
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const bucket = this.bucket(storage);
    const previous = bucket.get(key);
    bucket.set(key, object);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', storage, object, ...(previous ? { previous } : {}), rv, lines: new Map() });
  }

  remove(storage: string, object: KubeObject, rv: number): void {
    const key = objectKey(object.metadata.namespace, object.metadata.name ?? '');
    const bucket = this.bucket(storage);
    const previous = bucket.get(key);
    if (!previous) return;
    bucket.delete(key);
    this.emit({ type: 'DELETED', storage, object, previous, rv, lines: new Map() });
  }

  /** Events newer than `rv` still in the history, oldest first; undefined when `rv` fell out of it. */
  since(rv: number): StoreEvent[] | undefined {
    this.expire();
    if (rv < this.compactedRv) return undefined;
    const out: StoreEvent[] = [];
    const size = this.history.length;
    for (let i = 0; i < this.count; i++) {
      const ev = this.history[(this.head - this.count + i + size) % size];
      if (ev && ev.rv > rv) out.push(ev);
    }
    return out;
  }

  /** Forgets the whole history: every watch from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history.fill(undefined);
    this.count = 0;
  }

  /** Forgets the changes older than maxAgeMs (oldest first). */
  private expire(): void {
    if (this.maxAgeMs === Number.POSITIVE_INFINITY) return;
    const size = this.history.length;
    const cutoff = this.now() - this.maxAgeMs;
    while (this.count > 0) {
      const oldest = (this.head - this.count + size) % size;
      if (this.times[oldest]! >= cutoff) break;
      const ev = this.history[oldest];
      if (ev) this.compactedRv = ev.rv;
      this.history[oldest] = undefined;
      this.count--;
    }
  }

  subscribe(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: StoreEvent): void {
    const size = this.history.length;
    if (this.count === size) {
      const evicted = this.history[this.head];
      if (evicted) this.compactedRv = evicted.rv;
    } else this.count++;
    this.history[this.head] = event;
    this.times[this.head] = this.now();
    this.head = (this.head + 1) % size;
    // The serialized lines serve the watchers of this turn; replays re-serialize (keeps the history small).
    setImmediate(() => event.lines.clear());
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (error) {
        // A broken watcher or controller must not fail the write that is already stored.
        process.emitWarning(`simulated cluster: a listener failed on ${event.type} ${event.storage}: ${(error as Error).message}`);
      }
    }
  }
}
