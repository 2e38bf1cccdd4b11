// The namespace controller (pkg/controller/namespace/deletion/namespaced_resources_deleter.go,
// Kubernetes v1.33): a namespace marked for deletion has all its content deleted (pods
// gracefully, objects with finalizers kept until their finalizers are gone); while anything
// remains it stays Terminating with the conditions `NamespaceContentRemaining` and
// `NamespaceFinalizersRemaining` saying what; once empty, its `kubernetes` finalizer is removed
// and the namespace goes.
import type { KubeObject } from '../api/objects.ts';
import { clone, isPlainObject, jsonEqual, timestamp } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { customResources } from '../api/crd.ts';
import { RESOURCES, findResource } from '../api/resources.ts';
import { ApiError } from '../api/status.ts';
import type { StoreEvent } from '../api/store.ts';
import { WorkQueue } from './work-queue.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
type Obj = Record<string, unknown>;

/** One storage per namespaced resource (events.k8s.io shares core Events' storage). */
const NAMESPACED = RESOURCES.filter((d, i) => d.namespaced && RESOURCES.findIndex((o) => o.storage === d.storage) === i);

export class NamespaceController {
  private readonly registry: Registry;
  private readonly now: () => number;
  private readonly queue: WorkQueue;
  private unsubscribe = (): void => {};

  constructor(registry: Registry, now: () => number) {
    this.registry = registry;
    this.now = now;
    this.queue = new WorkQueue((name) => this.sync(name));
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.storage === NAMESPACES.storage) {
      if (ev.type !== 'DELETED' && ev.object.metadata.deletionTimestamp) this.queue.add(ev.object.metadata.name ?? '');
      return;
    }
    const ns = ev.object.metadata.namespace;
    if (ns === undefined) return;
    // Content of a terminating namespace changed (gone, or finalizers removed): look again.
    if (this.registry.store.get(NAMESPACES.storage, undefined, ns)?.metadata.deletionTimestamp) this.queue.add(ns);
  }

  private sync(name: string): void {
    const ns = this.registry.find(NAMESPACES, undefined, name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    for (const def of [...NAMESPACED, ...customResources(this.registry.store).filter((d, i, all) => d.namespaced && all.findIndex((o) => o.storage === d.storage) === i)]) {
      for (const obj of this.registry.store.list(def.storage, name)) {
        if (!obj.metadata.deletionTimestamp) {
          try {
            this.registry.delete(def, name, obj.metadata.name ?? '', { propagationPolicy: 'Background' });
          } catch (error) {
            if (!(error instanceof ApiError && error.code === 404)) throw error;
          }
        }
        if (!this.registry.store.get(def.storage, name, obj.metadata.name ?? '')) continue;
        const resource = def.group ? `${def.plural}.${def.group}` : `${def.plural}.`;
        remaining.set(resource, (remaining.get(resource) ?? 0) + 1);
        for (const f of obj.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
      }
    }
    if (remaining.size > 0) {
      this.setConditions(ns, remaining, finalizers);
      return;
    }
    const spec = isPlainObject(ns.spec) ? ns.spec : {};
    if (Array.isArray(spec.finalizers) && spec.finalizers.includes('kubernetes')) {
      const next = clone(ns);
      (next.spec as Obj).finalizers = (spec.finalizers as string[]).filter((f) => f !== 'kubernetes');
      this.registry.writeRaw(NAMESPACES, next);
    }
    const current = this.registry.find(NAMESPACES, undefined, name);
    const left = isPlainObject(current?.spec) ? (current.spec.finalizers as unknown[] | undefined) ?? [] : [];
    // Other spec finalizers (another system's): the namespace waits for them, as in Kubernetes.
    if (current && left.length === 0) this.registry.delete(NAMESPACES, undefined, name);
  }

  private setConditions(ns: KubeObject, remaining: ReadonlyMap<string, number>, finalizers: ReadonlyMap<string, number>): void {
    const status = isPlainObject(ns.status) ? ns.status : {};
    const old = (status.conditions as Obj[] | undefined) ?? [];
    const now = timestamp(this.now());
    const cond = (type: string, on: boolean, reason: string, message: string): Obj => {
      const prev = old.find((c) => c.type === type);
      const value = on ? 'True' : 'False';
      return { type, status: value, lastTransitionTime: prev?.status === value ? prev.lastTransitionTime : now, reason, message };
    };
    const content = [...remaining].map(([r, n]) => `${r} has ${n} resource instances`).join(', ');
    const pending = [...finalizers].map(([f, n]) => `${f} in ${n} resource instances`).join(', ');
    const conditions = [
      cond('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${content}`),
      finalizers.size > 0
        ? cond('NamespaceFinalizersRemaining', true, 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${pending}`)
        : cond('NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
    ];
    if (jsonEqual(old, conditions)) return;
    const next = clone(ns);
    next.status = { ...status, conditions };
    this.registry.writeRaw(NAMESPACES, next);
  }
}
