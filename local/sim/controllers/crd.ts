// The apiextensions controllers of a simulated cluster: a CustomResourceDefinition is marked
// NamesAccepted and Established (with acceptedNames and storedVersions), and when one is
// deleted its custom objects go with it, as the API server's cleanup finalizer does.
import type { KubeObject } from '../api/objects.ts';
import { clone, isPlainObject, timestamp } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { findResource } from '../api/resources.ts';
import type { StoreEvent } from '../api/store.ts';
import { CRD_STORAGE } from '../api/crd.ts';
import { WorkQueue } from './work-queue.ts';

const CRDS = findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;

export class CrdController {
  private readonly registry: Registry;
  private readonly queue: WorkQueue;
  /** Storages of deleted definitions, by definition name. */
  private readonly removed = new Map<string, string>();
  private unsubscribe = (): void => {};

  constructor(registry: Registry) {
    this.registry = registry;
    this.queue = new WorkQueue((name) => this.sync(name));
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
    for (const crd of this.registry.store.bucket(CRD_STORAGE).values()) this.queue.add(crd.metadata.name ?? '');
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.storage !== CRD_STORAGE) return;
    const name = ev.object.metadata.name ?? '';
    if (ev.type === 'DELETED') {
      const spec = isPlainObject(ev.object.spec) ? ev.object.spec : {};
      const names = isPlainObject(spec.names) ? spec.names : {};
      this.removed.set(name, `${String(names.plural ?? '')}.${String(spec.group ?? '')}`);
    }
    this.queue.add(name);
  }

  private sync(name: string): void {
    const crd = this.registry.store.get(CRD_STORAGE, undefined, name);
    const storage = this.removed.get(name);
    if (!crd && storage !== undefined) {
      this.removed.delete(name);
      this.removeObjects(storage);
      return;
    }
    if (crd) this.establish(crd);
  }

  private removeObjects(storage: string): void {
    const bucket = this.registry.store.bucket(storage);
    const def = { ...CRDS, storage, namespaced: true };
    for (const obj of [...bucket.values()]) this.registry.removeNow(def, obj);
  }

  private establish(crd: KubeObject): void {
    const spec = isPlainObject(crd.spec) ? crd.spec : {};
    const status = isPlainObject(crd.status) ? crd.status : {};
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isPlainObject) : [];
    const storageVersion = versions.find((v) => v.storage === true)?.name;
    const stored = Array.isArray(status.storedVersions) ? status.storedVersions.filter((v): v is string => typeof v === 'string') : [];
    const storedVersions = storageVersion === undefined || stored.includes(String(storageVersion)) ? stored : [...stored, String(storageVersion)];
    const conditions = Array.isArray(status.conditions) ? status.conditions.filter(isPlainObject) : [];
    const established = conditions.some((c) => c.type === 'Established' && c.status === 'True');
    if (established && JSON.stringify(status.acceptedNames) === JSON.stringify(spec.names) && storedVersions.length === stored.length) return;
    const now = timestamp(Date.now());
    const next = clone(crd);
    next.status = {
      conditions: [
        { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found', lastTransitionTime: now },
        { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted', lastTransitionTime: now },
      ],
      acceptedNames: clone(spec.names),
      storedVersions,
    };
    this.registry.update(CRDS, undefined, crd.metadata.name ?? '', next, { subresource: 'status', internal: true });
  }
}
