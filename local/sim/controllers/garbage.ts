// The garbage collector (pkg/controller/garbagecollector, Kubernetes v1.33), reduced to what
// it does to objects:
// - a dependent whose owners are all absent — deleted, or never there with that uid (a stale or
//   wrong uid: the owner is looked up by kind, namespace and name, and a different uid counts as
//   absent) — is deleted in the background; one with an owner still there loses only the
//   dangling references;
// - an owner deleted with propagationPolicy Foreground (`foregroundDeletion` finalizer) has its
//   dependents deleted first (those with blockOwnerDeletion in the foreground too) and goes once
//   no dependent with blockOwnerDeletion is left;
// - an owner deleted with propagationPolicy Orphan (`orphan` finalizer) has its references
//   removed from its dependents, then goes.
import type { KubeObject, OwnerReference } from '../api/objects.ts';
import { clone, objectKey } from '../api/objects.ts';
import { FOREGROUND, ORPHAN } from '../api/deletion.ts';
import type { Registry } from '../api/registry.ts';
import type { ResourceDef } from '../api/resources.ts';
import { customResources } from '../api/crd.ts';
import { RESOURCES } from '../api/resources.ts';
import type { ObjectStore } from '../api/store.ts';
import { ApiError } from '../api/status.ts';
import type { StoreEvent } from '../api/store.ts';
import { WorkQueue } from './work-queue.ts';

/** How long the collector waits before looking at a new reference (the real one is asynchronous too). */
const VERIFY_DELAY_MS = 50;

function defOfStorage(storage: string, store: ObjectStore): ResourceDef | undefined {
  return RESOURCES.find((d) => d.storage === storage && d.group !== 'events.k8s.io') ?? customResources(store).find((d) => d.storage === storage);
}

function defOfReference(ref: OwnerReference, store: ObjectStore): ResourceDef | undefined {
  const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/') as [string, string] : ['', ref.apiVersion];
  return RESOURCES.find((d) => d.group === group && d.version === version && d.kind === ref.kind) ?? customResources(store).find((d) => d.group === group && d.version === version && d.kind === ref.kind);
}

export class GarbageCollector {
  private readonly registry: Registry;
  /** Dependents to verify, as `storage|namespace/name`. */
  private readonly dependents: WorkQueue;
  /** Owners being deleted with a GC finalizer, as `storage|namespace/name`. */
  private readonly owners: WorkQueue;
  private unsubscribe = (): void => {};

  constructor(registry: Registry) {
    this.registry = registry;
    this.dependents = new WorkQueue((key) => this.verifyDependent(key));
    this.owners = new WorkQueue((key) => this.finishOwner(key));
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
  }

  stop(): void {
    this.unsubscribe();
    this.dependents.stop();
    this.owners.stop();
  }

  private onEvent(ev: StoreEvent): void {
    const meta = ev.object.metadata;
    if (ev.type === 'DELETED') {
      // Its dependents lost an owner; an owner waiting for it (foreground) may now go.
      for (const { def, obj } of this.registry.dependentsOf(ev.object)) this.dependents.add(`${def.storage}|${objectKey(obj.metadata.namespace, obj.metadata.name ?? '')}`);
      for (const ref of meta.ownerReferences ?? []) {
        const def = defOfReference(ref, this.registry.store);
        if (def) this.owners.add(`${def.storage}|${objectKey(def.namespaced ? meta.namespace : undefined, ref.name)}`);
      }
      return;
    }
    const key = `${ev.storage}|${objectKey(meta.namespace, meta.name ?? '')}`;
    const refsChanged = ev.type === 'ADDED' || JSON.stringify(ev.previous?.metadata.ownerReferences) !== JSON.stringify(meta.ownerReferences);
    if (meta.ownerReferences && meta.ownerReferences.length > 0 && refsChanged) this.dependents.addAfter(key, VERIFY_DELAY_MS);
    if (meta.deletionTimestamp && meta.finalizers?.some((f) => f === FOREGROUND || f === ORPHAN)) this.owners.add(key);
  }

  private lookup(key: string): { def: ResourceDef; obj: KubeObject } | undefined {
    const [storage, nsName] = key.split('|') as [string, string];
    const def = defOfStorage(storage, this.registry.store);
    if (!def) return undefined;
    const slash = nsName.indexOf('/');
    const namespace = slash >= 0 ? nsName.slice(0, slash) : undefined;
    const obj = this.registry.store.get(storage, namespace, slash >= 0 ? nsName.slice(slash + 1) : nsName);
    return obj ? { def, obj } : undefined;
  }

  /** Whether the owner a reference names exists with that uid; unknown kinds count as present (nothing to verify). */
  private ownerPresent(dependent: KubeObject, ref: OwnerReference): boolean {
    const def = defOfReference(ref, this.registry.store);
    if (!def) return true;
    const owner = this.registry.store.get(def.storage, def.namespaced ? dependent.metadata.namespace : undefined, ref.name);
    return owner !== undefined && owner.metadata.uid === ref.uid;
  }

  private verifyDependent(key: string): void {
    const found = this.lookup(key);
    if (!found) return;
    const { def, obj } = found;
    const refs = obj.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const present = refs.filter((r) => this.ownerPresent(obj, r));
    if (present.length === refs.length) return;
    if (present.length === 0) {
      // The owner waiting in the foreground asked for its blocking dependents to go in the foreground too.
      if (!obj.metadata.deletionTimestamp) this.deleteQuietly(def, obj, 'Background');
      return;
    }
    const next = clone(obj);
    next.metadata.ownerReferences = present;
    this.registry.writeRaw(def, next);
  }

  private finishOwner(key: string): void {
    const found = this.lookup(key);
    if (!found || !found.obj.metadata.deletionTimestamp) return;
    const { def, obj } = found;
    const finalizers = obj.metadata.finalizers ?? [];
    if (finalizers.includes(ORPHAN)) {
      for (const d of this.registry.dependentsOf(obj)) {
        const next = clone(d.obj);
        next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter((r) => r.uid !== obj.metadata.uid);
        if (next.metadata.ownerReferences.length === 0) delete next.metadata.ownerReferences;
        this.registry.writeRaw(d.def, next);
      }
      this.removeFinalizer(def, obj, ORPHAN);
      return;
    }
    if (!finalizers.includes(FOREGROUND)) return;
    let blocking = 0;
    for (const d of this.registry.dependentsOf(obj)) {
      const ref = d.obj.metadata.ownerReferences?.find((r) => r.uid === obj.metadata.uid);
      const blocks = ref?.blockOwnerDeletion === true;
      if (blocks) blocking++;
      if (!d.obj.metadata.deletionTimestamp) this.deleteQuietly(d.def, d.obj, blocks ? 'Foreground' : 'Background');
    }
    if (blocking === 0) this.removeFinalizer(def, obj, FOREGROUND);
  }

  private removeFinalizer(def: ResourceDef, obj: KubeObject, finalizer: string): void {
    const next = clone(obj);
    next.metadata.finalizers = (obj.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    this.registry.update(def, obj.metadata.namespace, obj.metadata.name ?? '', next, { internal: true });
  }

  private deleteQuietly(def: ResourceDef, obj: KubeObject, policy: 'Foreground' | 'Background'): void {
    try {
      this.registry.delete(def, obj.metadata.namespace, obj.metadata.name ?? '', { propagationPolicy: policy, preconditions: { uid: obj.metadata.uid ?? '' } });
    } catch (error) {
      // Gone already, or replaced by a new object of that name (uid precondition): not ours to delete.
      if (!(error instanceof ApiError && (error.code === 404 || error.code === 409))) throw error;
    }
  }
}
