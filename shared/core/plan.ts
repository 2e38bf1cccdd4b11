// Desired vs existing EndpointSlices → the minimum of writes (docs/adr/0006-slice-naming-and-planning.md).
// Only slices with our managed-by label are ever updated or deleted; only the fields that
// matter are compared; an existing slice is reused before anything is created; creates get
// deterministic names, so a retried create meets 409 AlreadyExists instead of duplicating.
import { sha256Hex } from './hash.ts';
import type { AddressType, Endpoint, EndpointPort, OwnerReference, Slice } from './types.ts';
import { LABEL_GNS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY } from './types.ts';

export interface SlicePlan {
  /** New slices, each with a deterministic `name`. */
  readonly create: readonly Slice[];
  /** Desired content under an existing slice's name and resourceVersion (other labels and annotations kept). */
  readonly update: readonly Slice[];
  /** Owned slices no longer needed. */
  readonly delete: readonly Slice[];
}

/** The labels gns-sync sets and compares; labels others add to our slices are left alone. */
const OUR_LABELS = [LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_GNS] as const;

/** Whether gns-sync owns a slice (its managed-by label): the only slices it ever changes. */
export function isOwned(slice: Slice): boolean {
  return slice.labels[LABEL_MANAGED_BY] === MANAGED_BY;
}

const portKey = (p: EndpointPort): unknown[] => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? null];

const endpointKey = (e: Endpoint): unknown[] => [
  e.addresses,
  e.hostname ?? null,
  e.conditions.ready ?? null,
  e.conditions.serving ?? null,
  e.conditions.terminating ?? null,
  e.targetRef === undefined ? null : [e.targetRef.kind, e.targetRef.namespace, e.targetRef.name, e.targetRef.uid],
  e.nodeName ?? null,
];

const ownerKey = (o: OwnerReference): unknown[] => [o.apiVersion, o.kind, o.name, o.uid, o.controller ?? false, o.blockOwnerDeletion ?? false];

/** The ports of a slice as a comparable string. */
export function portsKey(ports: readonly EndpointPort[] | null | undefined): string {
  return JSON.stringify((ports ?? []).map(portKey));
}

/**
 * The content of a slice that matters, as a comparable string: addressType, endpoints,
 * ports, our labels and owner references. Fields the API server or others add (zone,
 * hints, other labels, annotations) do not count, so they never cause a write.
 */
export function contentKey(slice: Slice): string {
  return JSON.stringify([
    slice.addressType,
    (slice.endpoints ?? []).map(endpointKey),
    (slice.ports ?? []).map(portKey),
    OUR_LABELS.map((k) => slice.labels[k] ?? null),
    (slice.ownerReferences ?? []).map(ownerKey),
  ]);
}

const MAX_NAME = 253;

/**
 * The deterministic name of the `index`-th desired slice with this address type and ports
 * of a Service: `<service>-gns-<10 hex>`, a DNS-1123 subdomain of at most 253 characters.
 * `attempt` > 0 gives alternatives when a name is taken.
 */
export function sliceName(service: string, addressType: AddressType, ports: string, index: number, attempt = 0): string {
  const hash = sha256Hex(`${service}|${addressType}|${ports}|${index}${attempt > 0 ? `|${attempt}` : ''}`).slice(0, 10);
  const prefix = service.slice(0, MAX_NAME - 15).replace(/[-.]+$/, '');
  return `${prefix}-gns-${hash}`;
}

const byName = (a: Slice, b: Slice): number => ((a.name ?? '') < (b.name ?? '') ? -1 : (a.name ?? '') > (b.name ?? '') ? 1 : 0);

function asUpdate(desired: Slice, existing: Slice): Slice {
  const update: { -readonly [K in keyof Slice]: Slice[K] } = {
    ...desired,
    labels: { ...existing.labels, ...desired.labels },
  };
  if (existing.name !== undefined) update.name = existing.name;
  if (existing.resourceVersion !== undefined) update.resourceVersion = existing.resourceVersion;
  if (existing.annotations !== undefined) update.annotations = existing.annotations;
  return update;
}

/**
 * The writes that turn `existing` (the slices listed for the target Service) into `desired`
 * (desiredSlices' output, in its order). Identical content → no operation.
 */
export function planSlices(desired: readonly Slice[], existing: readonly Slice[]): SlicePlan {
  const owned = existing.filter(isOwned).sort(byName);
  const free = new Set(owned);
  const match = new Array<Slice | undefined>(desired.length);

  // Slot names: the index of each desired slice among those with its address type and ports.
  const counters = new Map<string, number>();
  const slots = desired.map((d) => {
    const pk = portsKey(d.ports);
    const group = `${d.addressType}|${pk}`;
    const index = counters.get(group) ?? 0;
    counters.set(group, index + 1);
    return { service: d.labels[LABEL_SERVICE_NAME] ?? d.ownerReferences[0]?.name ?? 'endpoints', pk, index };
  });

  // 1. Identical content: nothing to write.
  const desiredKeys = desired.map(contentKey);
  const existingKeys = new Map<Slice, string>();
  const byContent = new Map<string, Slice[]>();
  for (const e of owned) {
    const key = contentKey(e);
    existingKeys.set(e, key);
    const list = byContent.get(key);
    if (list === undefined) byContent.set(key, [e]);
    else list.push(e);
  }
  desired.forEach((_, i) => {
    const e = byContent.get(desiredKeys[i] ?? '')?.find((s) => free.has(s));
    if (e !== undefined) {
      match[i] = e;
      free.delete(e);
    }
  });

  // 2. The slice already under this slot's name (a create whose response was lost, say).
  const ownedByName = new Map(owned.map((e) => [e.name, e]));
  desired.forEach((d, i) => {
    if (match[i] !== undefined) return;
    const slot = slots[i];
    const e = slot === undefined ? undefined : ownedByName.get(sliceName(slot.service, d.addressType, slot.pk, slot.index));
    if (e !== undefined && free.has(e) && e.addressType === d.addressType) {
      match[i] = e;
      free.delete(e);
    }
  });

  // 3. Any free owned slice of the same address type, same ports first (addressType is immutable).
  desired.forEach((d, i) => {
    if (match[i] !== undefined) return;
    const candidates = [...free].filter((e) => e.addressType === d.addressType);
    const e = candidates.find((c) => portsKey(c.ports) === slots[i]?.pk) ?? candidates[0];
    if (e !== undefined) {
      match[i] = e;
      free.delete(e);
    }
  });

  const create: Slice[] = [];
  const update: Slice[] = [];
  const taken = new Set(existing.map((e) => e.name));
  desired.forEach((d, i) => {
    const e = match[i];
    if (e !== undefined) {
      if (existingKeys.get(e) !== desiredKeys[i]) update.push(asUpdate(d, e));
      return;
    }
    const slot = slots[i] ?? { service: 'endpoints', pk: '[]', index: i };
    let attempt = 0;
    let name = sliceName(slot.service, d.addressType, slot.pk, slot.index);
    while (taken.has(name)) name = sliceName(slot.service, d.addressType, slot.pk, slot.index, ++attempt);
    taken.add(name);
    create.push({ ...d, name });
  });
  return { create, update, delete: [...free].sort(byName) };
}
