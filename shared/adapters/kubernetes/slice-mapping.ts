// EndpointSlices between the Kubernetes API shape (V1EndpointSlice) and the core's `Slice`.
// Lossless for every field gns-sync writes, so reading back what we wrote compares equal and
// an unchanged sync plans nothing. Fields we never write are dropped on the way in.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { AddressType, Endpoint, EndpointPort, OwnerReference, Protocol, Slice } from '../../core/types.ts';

const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);
const protocolOf = (p: string | undefined): Protocol => (p && PROTOCOLS.has(p) ? (p as Protocol) : 'TCP');

export function fromKubeSlice(k: V1EndpointSlice, fallbackNamespace: string): Slice {
  const meta = k.metadata ?? {};
  const endpoints: Endpoint[] = (k.endpoints ?? []).map((e) => {
    const c = e.conditions ?? {};
    return {
      addresses: [...e.addresses],
      ...(e.hostname ? { hostname: e.hostname } : {}),
      // Unset conditions mean "unknown"; Kubernetes consumers read unknown ready as ready.
      conditions: { ready: c.ready ?? true, serving: c.serving ?? c.ready ?? true, terminating: c.terminating ?? false },
      ...(e.targetRef?.kind === 'Pod' && e.targetRef.name
        ? { targetRef: { kind: 'Pod' as const, namespace: e.targetRef.namespace ?? '', name: e.targetRef.name, uid: e.targetRef.uid ?? '' } }
        : {}),
      ...(e.nodeName ? { nodeName: e.nodeName } : {}),
    };
  });
  const ports: EndpointPort[] = (k.ports ?? []).map((p) => ({
    name: p.name ?? '',
    port: p.port ?? 0,
    protocol: protocolOf(p.protocol),
    ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
  }));
  // Only controller references to a Service can be ours; anything else reads as "no owner",
  // so a slice of ours whose owner reference was tampered with plans an update.
  const ownerReferences: OwnerReference[] = (meta.ownerReferences ?? [])
    .filter((o) => o.apiVersion === 'v1' && o.kind === 'Service' && o.controller === true && o.blockOwnerDeletion === true)
    .map((o) => ({ apiVersion: 'v1', kind: 'Service', name: o.name, uid: o.uid, controller: true, blockOwnerDeletion: true }));
  return {
    ...(meta.name ? { name: meta.name } : {}),
    namespace: meta.namespace ?? fallbackNamespace,
    labels: { ...(meta.labels ?? {}) },
    ...(meta.annotations && Object.keys(meta.annotations).length > 0 ? { annotations: { ...meta.annotations } } : {}),
    ownerReferences,
    addressType: k.addressType as AddressType,
    endpoints,
    ports,
    ...(meta.resourceVersion ? { resourceVersion: meta.resourceVersion } : {}),
    ...(meta.uid ? { uid: meta.uid } : {}),
  };
}

/**
 * The API object for a create (no name: `generateName` from the service label) or an update
 * (name and resourceVersion: the update fails with 409 when the slice changed meanwhile).
 */
export function toKubeSlice(s: Slice): V1EndpointSlice {
  const service = s.labels['kubernetes.io/service-name'] ?? 'gns-sync';
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      ...(s.name ? { name: s.name } : { generateName: `${service.slice(0, 50)}-gns-` }),
      namespace: s.namespace,
      labels: { ...s.labels },
      ...(s.annotations ? { annotations: { ...s.annotations } } : {}),
      ownerReferences: s.ownerReferences.map((o) => ({ ...o })),
      // An update carries both preconditions: the API server refuses it (409) when the slice
      // changed (resourceVersion) or was deleted and recreated under its name (uid).
      ...(s.resourceVersion ? { resourceVersion: s.resourceVersion } : {}),
      ...(s.uid ? { uid: s.uid } : {}),
    },
    addressType: s.addressType,
    endpoints: s.endpoints.map((e) => ({
      addresses: [...e.addresses],
      ...(e.hostname !== undefined ? { hostname: e.hostname } : {}),
      conditions: { ready: e.conditions.ready, serving: e.conditions.serving, terminating: e.conditions.terminating },
      ...(e.targetRef ? { targetRef: { ...e.targetRef } } : {}),
      ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
    })),
    ports: s.ports.map((p) => ({ ...p })),
  };
}
