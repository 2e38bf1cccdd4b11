// What a DELETE does to an object, as the API server's generic registry decides it
// (staging/src/k8s.io/apiserver/pkg/registry/rest/delete.go `BeforeDelete` and
// pkg/registry/generic/registry/store.go `Delete`, Kubernetes v1.33):
// - pods are deleted gracefully (pkg/registry/core/pod/strategy.go `CheckGracefulDelete`): the
//   request's gracePeriodSeconds, else the pod's spec.terminationGracePeriodSeconds (defaulted
//   to 30); 0 when the pod is not scheduled or already terminal. A grace > 0 sets
//   deletionTimestamp = now + grace and deletionGracePeriodSeconds; the kubelet removes the pod.
// - a second delete may only shorten a pending grace; with finalizers the object stays
//   (deletionTimestamp set, grace 0) until they are gone.
// - propagationPolicy Foreground/Orphan add the `foregroundDeletion`/`orphan` finalizer (the
//   garbage collector then deletes/orphans the dependents and removes it); Background removes them.
// - namespaces: the first delete marks the namespace Terminating; the namespace controller
//   empties it and removes its `kubernetes` finalizer; a delete while that finalizer is pending is 409.
import type { KubeObject } from './objects.ts';
import { clone, isPlainObject, timestamp } from './objects.ts';
import type { ResourceDef } from './resources.ts';
import { conflict } from './status.ts';

export const FOREGROUND = 'foregroundDeletion';
export const ORPHAN = 'orphan';

export interface DeletionRequest {
  readonly propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  /** Undefined: the object's own default (a pod's terminationGracePeriodSeconds). */
  readonly gracePeriodSeconds?: number;
}

/**
 * `remove`: gone now; `write`: store `object` (deletion in progress) and, with `thenRemove`,
 * remove it right after (a pending grace cut to 0: watchers see the update, then the deletion);
 * `keep`: nothing changes.
 */
export type DeletionStep = { readonly action: 'remove' } | { readonly action: 'write'; readonly object: KubeObject; readonly thenRemove?: boolean } | { readonly action: 'keep' };

/** The grace a pod's deletion gets (CheckGracefulDelete). */
export function podGraceSeconds(pod: KubeObject, requested: number | undefined): number {
  const spec = isPlainObject(pod.spec) ? pod.spec : {};
  const status = isPlainObject(pod.status) ? pod.status : {};
  let period = requested ?? (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 0);
  if (typeof spec.nodeName !== 'string' || spec.nodeName === '') period = 0;
  if (status.phase === 'Failed' || status.phase === 'Succeeded') period = 0;
  if (period < 0) period = 1;
  return period;
}

/** The finalizers after a delete with `policy` (deletionFinalizersForGarbageCollection). */
function finalizersFor(current: readonly string[], policy: DeletionRequest['propagationPolicy']): string[] {
  if (policy === undefined) return [...current];
  const rest = current.filter((f) => f !== FOREGROUND && f !== ORPHAN);
  if (policy === 'Foreground') return [...rest, FOREGROUND];
  if (policy === 'Orphan') return [...rest, ORPHAN];
  return rest;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function planDeletion(def: ResourceDef, old: KubeObject, req: DeletionRequest, nowMs: number): DeletionStep {
  const meta = old.metadata;
  if (def.plural === 'namespaces') return planNamespaceDeletion(def, old, nowMs);
  const finalizers = meta.finalizers ?? [];
  const wanted = finalizersFor(finalizers, req.propagationPolicy);
  if (meta.deletionTimestamp) {
    const pending = meta.deletionGracePeriodSeconds ?? 0;
    if (pending > 0) {
      // Graceful deletion pending: only a shorter grace changes anything (finalizers stay as they are).
      const requested = req.gracePeriodSeconds;
      if (requested === undefined || requested >= pending) return { action: 'keep' };
      const next = clone(old);
      next.metadata.deletionTimestamp = timestamp(Date.parse(meta.deletionTimestamp) - pending * 1000 + Math.max(0, requested) * 1000);
      next.metadata.deletionGracePeriodSeconds = Math.max(0, requested);
      return { action: 'write', object: next, thenRemove: requested <= 0 && finalizers.length === 0 };
    }
    if (wanted.length === 0) return { action: 'remove' };
    if (sameList(wanted, finalizers)) return { action: 'keep' };
    const next = clone(old);
    next.metadata.finalizers = wanted;
    return { action: 'write', object: next };
  }
  const grace = def.plural === 'pods' ? podGraceSeconds(old, req.gracePeriodSeconds) : 0;
  if (grace === 0 && wanted.length === 0) return { action: 'remove' };
  const next = clone(old);
  next.metadata.deletionTimestamp = timestamp(nowMs + grace * 1000);
  next.metadata.deletionGracePeriodSeconds = grace;
  if (wanted.length > 0) next.metadata.finalizers = wanted;
  else delete next.metadata.finalizers;
  // The first deletion bumps metadata.generation where the kind tracks it (BeforeDelete, markAsDeleting).
  if (typeof meta.generation === 'number') next.metadata.generation = meta.generation + 1;
  return { action: 'write', object: next };
}

function planNamespaceDeletion(def: ResourceDef, old: KubeObject, nowMs: number): DeletionStep {
  const spec = isPlainObject(old.spec) ? old.spec : {};
  const specFinalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  if (!old.metadata.deletionTimestamp) {
    const next = clone(old);
    next.metadata.deletionTimestamp = timestamp(nowMs);
    next.metadata.deletionGracePeriodSeconds = 0;
    next.status = { ...(isPlainObject(next.status) ? next.status : {}), phase: 'Terminating' };
    return { action: 'write', object: next };
  }
  if (specFinalizers.length > 0) {
    throw conflict(def, old.metadata.name ?? '', 'The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.');
  }
  return (old.metadata.finalizers ?? []).length === 0 ? { action: 'remove' } : { action: 'keep' };
}
