// Garbage collection and namespace deletion: dependents of a deleted owner go (background
// propagation), and a deleted namespace shows Terminating while its contents are removed,
// then disappears, as the namespace controller does.
import type { KubeObject } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { RESOURCES, findResource } from '../api/resources.ts';
import type { StoreEvent } from '../api/store.ts';
import { ApiError } from '../api/status.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;

export class GarbageCollector {
  private readonly registry: Registry;
  private readonly terminatingDelayMs: number;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly finishing = new Set<string>();
  private unsubscribe = (): void => {};

  constructor(registry: Registry, terminatingDelayMs: number) {
    this.registry = registry;
    this.terminatingDelayMs = terminatingDelayMs;
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
  }

  stop(): void {
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.type === 'DELETED') {
      setImmediate(() => this.collectDependents(ev.object));
      return;
    }
    if (ev.storage === 'namespaces' && ev.object.metadata.deletionTimestamp && !this.finishing.has(ev.object.metadata.uid ?? '')) {
      this.finishing.add(ev.object.metadata.uid ?? '');
      const t = setTimeout(() => {
        this.timers.delete(t);
        this.finishNamespace(ev.object);
      }, this.terminatingDelayMs);
      this.timers.add(t);
    }
  }

  private collectDependents(owner: KubeObject): void {
    for (const { def, obj } of this.registry.dependentsOf(owner)) {
      // Another owner still alive keeps it (Kubernetes removes only the dangling reference).
      const others = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid);
      try {
        if (others.length > 0) {
          this.registry.writeRaw(def, { ...obj, metadata: { ...obj.metadata, ownerReferences: others } });
        } else this.registry.delete(def, obj.metadata.namespace, obj.metadata.name ?? '');
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    }
  }

  private finishNamespace(ns: KubeObject): void {
    const name = ns.metadata.name ?? '';
    const seen = new Set<string>();
    for (const def of RESOURCES) {
      if (!def.namespaced || seen.has(def.storage)) continue;
      seen.add(def.storage);
      for (const obj of this.registry.store.list(def.storage, name)) this.registry.removeNow(def, obj);
    }
    const current = this.registry.store.get('namespaces', undefined, name);
    this.finishing.delete(ns.metadata.uid ?? '');
    if (current && current.metadata.uid === ns.metadata.uid) this.registry.removeNow(NAMESPACES, current);
  }
}
