// The verbs of the API server over one cluster's store: get, list, create, update, patch,
// delete, deletecollection, with defaulting, validation, preconditions and status/scale
// subresources. The HTTP layer and the in-process controllers both go through here.
import { randomUUID } from 'node:crypto';
import { customErrors, customResources, isCustomDef, presentCustom } from './crd.ts';
import { applyDefaults } from './defaults.ts';
import { planDeletion } from './deletion.ts';
import { eventFromCore, eventToCore } from './events-conversion.ts';
import type { KubeObject } from './objects.ts';
import { clone, isPlainObject, jsonEqual, membersEqual, timestamp } from './objects.ts';
import type { PatchType } from './patch.ts';
import { applyPatch } from './patch.ts';
import type { ResourceDef } from './resources.ts';
import { apiVersionOf, findResource, RESOURCES } from './resources.ts';
import type { FieldRequirement, LabelSelector } from './selectors.ts';
import { labelSelectorText, matchesFields, matchesLabels } from './selectors.ts';
import type { FieldError } from './status.ts';
import { alreadyExists, ApiError, badRequest, conflict, fieldErr, forbidden, invalid, notFound } from './status.ts';
import type { ObjectStore } from './store.ts';
import { kindErrors, metadataErrors } from './validation.ts';

export interface WriteOptions {
  readonly dryRun?: boolean;
  readonly subresource?: 'status' | 'scale';
  /** In-process controllers: skip the update restrictions users have (e.g. pod spec). */
  readonly internal?: boolean;
  /** PATCH: decodes the patched object (a Scale for the scale subresource) as the server's types would (local/sim/api/strict.ts). */
  readonly decodePatched?: (patched: unknown, kind: string) => void;
}

export interface DeleteOptions {
  readonly dryRun?: boolean;
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  /** Seconds of grace for pods (0 = at once). Undefined: the pod's own terminationGracePeriodSeconds (docs/adr/0011-simulated-clusters.md). */
  readonly gracePeriodSeconds?: number;
}

/** Per-kind hooks the cluster supplies: address allocation and similar admission steps. */
export interface RegistryHooks {
  /** Before a create is stored (after validation): may fill fields (clusterIP) or throw. */
  beforeCreate?(def: ResourceDef, obj: KubeObject): void;
  /** After an object is gone for good. */
  afterDelete?(def: ResourceDef, obj: KubeObject): void;
}

const CORE_STATUS_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'status']);
/** Kinds whose strategy tracks metadata.generation. */
const WITH_GENERATION = new Set(['pods', 'statefulsets', 'endpointslices']);

export class Registry {
  readonly store: ObjectStore;
  private readonly now: () => number;
  private readonly hooks: RegistryHooks;

  constructor(store: ObjectStore, now: () => number, hooks: RegistryHooks = {}) {
    this.store = store;
    this.now = now;
    this.hooks = hooks;
  }

  /** The stored object shown as `def`'s version (same object for a resource's own storage). */
  present(def: ResourceDef, stored: KubeObject): KubeObject {
    if (def.group === 'events.k8s.io') return eventFromCore(stored);
    if (isCustomDef(def)) return presentCustom(def, stored);
    return stored;
  }

  private toStorage(def: ResourceDef, obj: KubeObject): KubeObject {
    if (def.group === 'events.k8s.io') return eventToCore(obj);
    return obj;
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject {
    const found = this.store.get(def.storage, def.namespaced ? namespace : undefined, name);
    if (!found) throw notFound(def, name);
    return this.present(def, found);
  }

  find(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.store.get(def.storage, def.namespaced ? namespace : undefined, name);
    return found ? this.present(def, found) : undefined;
  }

  list(def: ResourceDef, namespace?: string, labels: LabelSelector = [], fields: readonly FieldRequirement[] = []): { items: KubeObject[]; resourceVersion: string } {
    const items: KubeObject[] = [];
    for (const stored of this.store.list(def.storage, def.namespaced ? namespace : undefined)) {
      const obj = this.present(def, stored);
      if (matchesLabels(labels, obj.metadata.labels) && matchesFields(fields, obj)) items.push(obj);
    }
    return { items, resourceVersion: String(this.store.resourceVersion) };
  }

  private checkNamespace(def: ResourceDef, namespace: string | undefined, name: string): void {
    if (!def.namespaced) return;
    const ns = this.store.get('namespaces', undefined, namespace ?? '');
    if (!ns) throw notFound(findResource('', 'v1', 'namespaces')!, namespace ?? '');
    if (ns.metadata.deletionTimestamp) {
      throw forbidden(def, name, `unable to create new content in namespace ${namespace} because it is being terminated`);
    }
  }

  private validate(def: ResourceDef, obj: KubeObject, old?: KubeObject): void {
    const errors: FieldError[] = [...metadataErrors(def, obj), ...kindErrors(def, obj, old), ...customErrors(def, obj)];
    if (errors.length > 0) throw invalid(def, obj.metadata.name ?? '', errors);
  }

  private typeCheck(def: ResourceDef, body: unknown): KubeObject {
    if (!isPlainObject(body)) throw badRequest(`the body of the request must be a JSON object describing a ${def.kind}`);
    const obj = clone(body) as KubeObject;
    if (obj.apiVersion !== undefined && obj.apiVersion !== apiVersionOf(def)) {
      throw badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${apiVersionOf(def)})`);
    }
    if (obj.kind !== undefined && obj.kind !== def.kind) {
      throw badRequest(`the kind in the data (${String(obj.kind)}) does not match the expected kind (${def.kind})`);
    }
    if (obj.metadata !== undefined && !isPlainObject(obj.metadata)) throw badRequest('metadata must be an object');
    obj.apiVersion = apiVersionOf(def);
    obj.kind = def.kind;
    obj.metadata = isPlainObject(obj.metadata) ? obj.metadata : {};
    return obj;
  }

  create(def: ResourceDef, namespace: string | undefined, body: unknown, opts: WriteOptions = {}): KubeObject {
    const obj = this.typeCheck(def, body);
    const meta = obj.metadata;
    if (def.namespaced) {
      if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    this.checkNamespace(def, namespace, meta.name ?? '');
    for (const key of ['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields']) delete meta[key];
    meta.uid = randomUUID();
    meta.creationTimestamp = timestamp(this.now());
    if (WITH_GENERATION.has(def.plural) || isCustomDef(def)) meta.generation = 1;
    else delete meta.generation;
    // Status is not settable on create for resources with a status subresource.
    if (def.hasStatus && !opts.internal) delete obj.status;
    applyDefaults(def, obj);
    this.validate(def, obj);
    if (this.store.get(def.storage, meta.namespace, meta.name ?? '')) throw alreadyExists(def, meta.name ?? '');
    if (opts.dryRun) return this.present(def, obj);
    this.hooks.beforeCreate?.(def, obj);
    const stored = this.toStorage(def, obj);
    const rv = this.store.nextRv();
    stored.metadata.resourceVersion = String(rv);
    this.store.put(def.storage, stored, rv);
    return this.present(def, stored);
  }

  update(def: ResourceDef, namespace: string | undefined, name: string, body: unknown, opts: WriteOptions = {}): KubeObject {
    const old = this.get(def, namespace, name);
    if (opts.subresource === 'scale') return this.updateScale(def, old, body, opts);
    const obj = this.typeCheck(def, body);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name) {
      throw badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
    }
    if (def.namespaced && obj.metadata.namespace !== undefined && obj.metadata.namespace !== '' && obj.metadata.namespace !== namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    // The API server takes a client's update's metadata.uid as a precondition (rest.DefaultUpdatedObjectInfo).
    const uid = obj.metadata.uid;
    if (!opts.internal && uid !== undefined && uid !== '' && uid !== old.metadata.uid) {
      throw conflict(def, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`);
    }
    const wanted = obj.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== old.metadata.resourceVersion) throw conflict(def, name);
    return this.commitUpdate(def, old, obj, opts);
  }

  patch(def: ResourceDef, namespace: string | undefined, name: string, type: PatchType, patch: unknown, opts: WriteOptions = {}): KubeObject {
    const old = this.get(def, namespace, name);
    if (opts.subresource === 'scale') {
      const patched = applyPatch(type, scaleOf(def, old), patch, 'Scale');
      opts.decodePatched?.(patched, 'Scale');
      return this.updateScale(def, old, patched, opts);
    }
    // The patch functions never modify their target (they copy what they change).
    const patched = applyPatch(type, old, patch, def.kind);
    opts.decodePatched?.(patched, def.kind);
    if (!isPlainObject(patched)) throw badRequest('the patch turned the object into something that is not an object');
    const obj = this.typeCheck(def, patched);
    if (obj.metadata.name !== name) throw invalid(def, name, [fieldErr.invalid('metadata.name', obj.metadata.name ?? '', 'field is immutable')]);
    const wanted = obj.metadata.resourceVersion;
    if (wanted !== undefined && wanted !== '' && wanted !== old.metadata.resourceVersion) throw conflict(def, name);
    return this.commitUpdate(def, old, obj, opts);
  }

  private updateScale(def: ResourceDef, old: KubeObject, body: unknown, opts: WriteOptions): KubeObject {
    if (!def.subresources.includes('scale')) throw notFound(def, old.metadata.name ?? '');
    if (!isPlainObject(body)) throw badRequest('the body of the request must be a Scale object');
    const meta = isPlainObject(body.metadata) ? body.metadata : {};
    if (typeof meta.resourceVersion === 'string' && meta.resourceVersion !== '' && meta.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(def, old.metadata.name ?? '');
    }
    const replicas = isPlainObject(body.spec) ? body.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw new ApiError(422, 'Invalid', `Scale.autoscaling "${old.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`, {
        name: old.metadata.name ?? '', group: 'autoscaling', kind: 'Scale',
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`, field: 'spec.replicas' }],
      });
    }
    const next = clone(old);
    (next.spec as Record<string, unknown>).replicas = replicas;
    const updated = this.commitUpdate(def, old, next, { ...opts, subresource: undefined });
    return scaleOf(def, updated);
  }

  /** Stores `obj` as the new version of `old`; a no-op update writes nothing (same resourceVersion). */
  private commitUpdate(def: ResourceDef, old: KubeObject, input: KubeObject, opts: WriteOptions): KubeObject {
    let obj = input;
    if (opts.subresource === 'status') {
      obj = { ...clone(old), status: clone(input.status) } as KubeObject;
    } else if (def.hasStatus && !opts.internal) {
      obj.status = clone(old.status);
    }
    const meta = obj.metadata;
    meta.uid = old.metadata.uid;
    meta.creationTimestamp = old.metadata.creationTimestamp;
    if (old.metadata.generation !== undefined) meta.generation = old.metadata.generation;
    else delete meta.generation;
    if (def.namespaced) meta.namespace = old.metadata.namespace;
    if (old.metadata.deletionTimestamp) {
      meta.deletionTimestamp = old.metadata.deletionTimestamp;
      if (old.metadata.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = old.metadata.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    delete meta.managedFields;
    if (def.plural === 'namespaces') meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name ?? '' };
    applyDefaults(def, obj);
    this.validate(def, obj, opts.internal ? undefined : old);
    if (old.metadata.generation !== undefined && !specEqual(old, obj)) meta.generation = old.metadata.generation + 1;
    meta.resourceVersion = old.metadata.resourceVersion;
    if (jsonEqual(obj, old)) return old;
    if (opts.dryRun) return obj;
    // Finalizers gone from an object being deleted: now it goes.
    if (meta.deletionTimestamp && (meta.finalizers ?? []).length === 0 && def.plural !== 'namespaces' && (meta.deletionGracePeriodSeconds ?? 0) === 0) {
      this.removeNow(def, obj);
      return obj;
    }
    const stored = this.toStorage(def, obj);
    const rv = this.store.nextRv();
    stored.metadata.resourceVersion = String(rv);
    this.store.put(def.storage, stored, rv);
    return this.present(def, stored);
  }

  delete(def: ResourceDef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): KubeObject {
    const old = this.get(def, namespace, name);
    const pre = opts.preconditions;
    if (pre?.uid && pre.uid !== old.metadata.uid) {
      throw conflict(def, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${old.metadata.uid}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(def, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    }
    const step = planDeletion(def, old, opts, this.now());
    if (opts.dryRun) return step.action === 'write' ? step.object : old;
    if (step.action === 'keep') return old;
    if (step.action === 'write') {
      const written = this.writeRaw(def, step.object);
      return step.thenRemove ? this.removeNow(def, written) : written;
    }
    return this.removeNow(def, old);
  }

  /** Removes an object for good (pods after grace, namespaces once empty). */
  removeNow(def: ResourceDef, obj: KubeObject): KubeObject {
    const rv = this.store.nextRv();
    const stored = clone(this.toStorage(def, obj));
    stored.metadata.resourceVersion = String(rv);
    this.store.remove(def.storage, stored, rv);
    this.hooks.afterDelete?.(def, stored);
    return this.present(def, stored);
  }

  /** Writes an already-complete object (controllers' metadata changes), bumping resourceVersion. */
  writeRaw(def: ResourceDef, obj: KubeObject): KubeObject {
    const stored = this.toStorage(def, obj);
    const rv = this.store.nextRv();
    stored.metadata.resourceVersion = String(rv);
    this.store.put(def.storage, stored, rv);
    return this.present(def, stored);
  }

  deleteCollection(def: ResourceDef, namespace: string | undefined, labels: LabelSelector, fields: readonly FieldRequirement[], opts: DeleteOptions = {}): KubeObject[] {
    const { items } = this.list(def, namespace, labels, fields);
    const out: KubeObject[] = [];
    for (const item of items) {
      try {
        out.push(this.delete(def, item.metadata.namespace, item.metadata.name ?? '', opts));
      } catch (error) {
        if (!(error instanceof ApiError && error.code === 404)) throw error;
      }
    }
    return out;
  }

  /** Objects (any resource) that name `owner` in their ownerReferences. */
  dependentsOf(owner: KubeObject): { def: ResourceDef; obj: KubeObject }[] {
    const uid = owner.metadata.uid;
    const out: { def: ResourceDef; obj: KubeObject }[] = [];
    const seen = new Set<string>();
    for (const def of [...RESOURCES, ...customResources(this.store)]) {
      if (seen.has(def.storage)) continue;
      seen.add(def.storage);
      for (const obj of this.store.bucket(def.storage).values()) {
        if (obj.metadata.ownerReferences?.some((r) => r.uid === uid)) out.push({ def, obj });
      }
    }
    return out;
  }
}

function specEqual(a: KubeObject, b: KubeObject): boolean {
  return membersEqual(a, b, CORE_STATUS_KEYS);
}

/** The autoscaling/v1 Scale of a scalable object. */
export function scaleOf(def: ResourceDef, obj: KubeObject): KubeObject {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const status = isPlainObject(obj.status) ? obj.status : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: labelSelectorText(spec.selector) },
  };
}

const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** Five characters as the API server appends to generateName. */
export function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return out;
}
