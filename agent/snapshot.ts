// A namespace snapshot (docs/adr/0002): every key present in the namespace at version `v`,
// and every record with its own last-change version (≤ v). Built from the informer caches:
// they are reconciled into the ledger first, so the snapshot is exactly what the caches hold.
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import type { Hlc } from '../shared/core/types.ts';
import { DETAIL_TYPES } from '../shared/schemas/events.ts';
import type { GnsEvent, NamespaceSnapshot } from '../shared/schemas/events.ts';
import { projectPod, projectService } from './project.ts';
import { keyOf } from './suppress.ts';
import type { Ledger, Projection } from './suppress.ts';

/** key → projection of what the caches hold (Services without a selector annotation are absent). */
export function projectionsOf(pods: readonly V1Pod[], services: readonly V1Service[]): Map<string, Projection> {
  const out = new Map<string, Projection>();
  for (const pod of pods) {
    const projection: Projection = { kind: 'pod', record: projectPod(pod) };
    out.set(keyOf(projection), projection);
  }
  for (const service of services) {
    const record = projectService(service);
    if (record === null) continue;
    const projection: Projection = { kind: 'service', record };
    out.set(keyOf(projection), projection);
  }
  return out;
}

const byName = <T extends { readonly record: { readonly name: string } }>(a: T, b: T): number =>
  a.record.name < b.record.name ? -1 : a.record.name > b.record.name ? 1 : 0;

/**
 * The snapshot of a ledger at version `v`. Entries without a version (never published by this
 * agent: its first snapshot) are stamped with `v` in the ledger first, so later snapshots
 * carry the same version for an unchanged record. `observedAt`: when the list was taken
 * (ms since the epoch; event contract v2).
 */
export function buildSnapshot(scope: { readonly cluster: string; readonly namespace: string; readonly observedAt: number }, v: Hlc, ledger: Ledger): NamespaceSnapshot {
  ledger.stampMissing(v);
  const keys: string[] = [];
  const pods: NamespaceSnapshot['pods'][number][] = [];
  const services: NamespaceSnapshot['services'][number][] = [];
  for (const [key, entry] of ledger.entries()) {
    keys.push(key);
    const version = entry.v ?? v;
    if (entry.projection.kind === 'pod') pods.push({ v: version, record: { ...entry.projection.record } as NamespaceSnapshot['pods'][number]['record'] });
    else services.push({ v: version, record: { ...entry.projection.record } as NamespaceSnapshot['services'][number]['record'] });
  }
  keys.sort();
  pods.sort(byName);
  services.sort(byName);
  return { cluster: scope.cluster, namespace: scope.namespace, v, observedAt: scope.observedAt, snapshotId: v, part: 1, parts: 1, keys, pods, services };
}

export const snapshotEvent = (detail: NamespaceSnapshot): GnsEvent => ({ type: DETAIL_TYPES.snapshot, detail });
