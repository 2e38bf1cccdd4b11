// Slices of a target that another controller manages. Taking the selector off an existing
// Service (the common way to make a target) leaves the EndpointSlice controller's slices in
// place: Kubernetes' controller stops managing a Service without a selector but does not delete
// what it made (pkg/controller/endpointslice syncService, v1.33). Clients then get those stale
// endpoints next to gns-sync's; gns-sync never touches a slice it does not own, so it says how
// to remove them.
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY } from '../../shared/core/types.ts';
import type { Slice, TargetRef } from '../../shared/core/types.ts';

/**
 * One Warning line (`Reason: message`) when slices of the target are managed by someone else;
 * none otherwise. Slices of gns-sync itself (another installation's, docs/adr/0015-installation-identity.md) are not
 * foreign: that installation publishes them, and the command below must never remove them.
 */
export function foreignSliceWarnings(target: TargetRef, existing: readonly Slice[]): string[] {
  const foreign = existing.filter((s) => s.labels[LABEL_MANAGED_BY] !== MANAGED_BY).sort((a, b) => (a.name ?? '').localeCompare(b.name ?? ''));
  if (foreign.length === 0) return [];
  const managers = [...new Set(foreign.map((s) => s.labels[LABEL_MANAGED_BY] ?? ''))].sort();
  const names = foreign.map((s) => s.name ?? '?').join(', ');
  const by = managers.map((m) => (m === '' ? 'no managed-by label' : m)).join(', ');
  const commands = managers.map((m) => (m === ''
    ? `kubectl -n ${target.namespace} delete endpointslice ${foreign.filter((s) => s.labels[LABEL_MANAGED_BY] === undefined).map((s) => s.name ?? '?').join(' ')}`
    : `kubectl -n ${target.namespace} delete endpointslice -l ${LABEL_SERVICE_NAME}=${target.name},${LABEL_MANAGED_BY}=${m}`));
  return [
    `ForeignEndpointSlices: ${foreign.length} EndpointSlice(s) of this Service are managed by ${by} (${names}), not by gns-sync: clients get their endpoints too, ` +
    `and they stay after the selector is removed. gns-sync leaves them alone; if they are stale, remove them: ${commands.join('; ')}`,
  ];
}
