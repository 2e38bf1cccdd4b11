// Desired vs existing EndpointSlices → the minimum of writes (docs/adr/0006-slice-naming-and-planning.md).
// Only slices with our managed-by label are ever updated or deleted; only the fields that
// matter are compared; an existing slice is reused before anything is created; creates get
// deterministic names, so a retried create meets 409 AlreadyExists instead of duplicating.
import { sha256Hex } from './hash.ts';
import { DEFAULT_INSTALLATION, LABEL_INSTALLATION, ownsSlice } from './installation.ts';
import type { AddressType, Endpoint, EndpointPort, OwnerReference, Slice } from './types.ts';
import { LABEL_GNS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from './types.ts';

export interface SlicePlan {
  /** New slices, each with a deterministic `name`. */
  readonly create: readonly Slice[];
  /** Desired content under an existing slice's name and resourceVersion (other labels and annotations kept). */
  readonly update: readonly Slice[];
  /** Owned slices no longer needed. */
  readonly delete: readonly Slice[];
}

/** The labels gns-sync sets and compares; labels others add to our slices are left alone. */
const OUR_LABELS = [LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_GNS, LABEL_INSTALLATION] as const;

/**
 * Whether the default installation of gns-sync owns a slice (managed-by gns-sync and no other
 * installation's label): the only slices it ever changes. `ownedBy` for any installation.
 */
export function isOwned(slice: Slice): boolean {
  return ownsSlice(slice.labels, DEFAULT_INSTALLATION);
}

/** The slices an installation owns: managed-by gns-sync and labelled as its own (unlabelled: the default one's). */
export function ownedBy(installation: string): (slice: Slice) => boolean {
  return (slice) => ownsSlice(slice.labels, installation);
}

/** Append the fields of a port that matter to a flat list of primitives. */
function pushPort(out: unknown[], p: EndpointPort): void {
  out.push(p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? null);
}

/** The ports of a slice as a comparable string. */
export function portsKey(ports: readonly EndpointPort[] | null | undefined): string {
  const out: unknown[] = [];
  for (const p of ports ?? []) pushPort(out, p);
  return JSON.stringify(out);
}

/**
 * The content of a slice that matters, as a comparable string: addressType, endpoints,
 * ports, our labels and owner references. Fields the API server or others add (zone,
 * hints, other labels, annotations) do not count, so they never cause a write. Built as one
 * flat list of primitives (each group prefixed by its length), serialized once: cheap for
 * 100-endpoint slices and unambiguous.
 */
export function contentKey(slice: Slice): string {
  const out: unknown[] = [slice.addressType];
  for (const k of OUR_LABELS) out.push(slice.labels[k] ?? null);
  const owners: readonly OwnerReference[] = slice.ownerReferences ?? [];
  out.push(owners.length);
  for (const o of owners) out.push(o.apiVersion, o.kind, o.name, o.uid, o.controller ?? false, o.blockOwnerDeletion ?? false);
  const ports: readonly EndpointPort[] = slice.ports ?? [];
  out.push(ports.length);
  for (const p of ports) pushPort(out, p);
  const endpoints: readonly Endpoint[] = slice.endpoints ?? [];
  out.push(endpoints.length);
  for (const e of endpoints) {
    out.push(e.addresses.length, ...e.addresses, e.hostname ?? null, e.conditions.ready ?? null, e.conditions.serving ?? null, e.conditions.terminating ?? null);
    const ref = e.targetRef;
    if (ref === undefined) out.push(null);
    else out.push(ref.kind, ref.namespace, ref.name, ref.uid);
    out.push(e.nodeName ?? null);
  }
  return JSON.stringify(out);
}

const samePort = (a: EndpointPort, b: EndpointPort): boolean =>
  (a.name ?? '') === (b.name ?? '') && a.port === b.port && (a.protocol ?? 'TCP') === (b.protocol ?? 'TCP') && a.appProtocol === b.appProtocol;

function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  if (a.hostname !== b.hostname || a.nodeName !== b.nodeName || a.addresses.length !== b.addresses.length) return false;
  for (let i = 0; i < a.addresses.length; i++) if (a.addresses[i] !== b.addresses[i]) return false;
  const ca = a.conditions;
  const cb = b.conditions;
  if (ca.ready !== cb.ready || ca.serving !== cb.serving || ca.terminating !== cb.terminating) return false;
  const ra = a.targetRef;
  const rb = b.targetRef;
  if (ra === undefined || rb === undefined) return ra === rb;
  return ra.kind === rb.kind && ra.namespace === rb.namespace && ra.name === rb.name && ra.uid === rb.uid;
}

function sameList<T>(a: readonly T[] | null | undefined, b: readonly T[] | null | undefined, same: (x: T, y: T) => boolean): boolean {
  const la = a ?? [];
  const lb = b ?? [];
  if (la.length !== lb.length) return false;
  for (let i = 0; i < la.length; i++) if (!same(la[i] as T, lb[i] as T)) return false;
  return true;
}

const sameOwner = (a: OwnerReference, b: OwnerReference): boolean =>
  a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.uid === b.uid &&
  (a.controller ?? false) === (b.controller ?? false) && (a.blockOwnerDeletion ?? false) === (b.blockOwnerDeletion ?? false);

/** Whether two slices have the same content that matters: `contentKey(a) === contentKey(b)`, without serializing. */
export function sameContent(a: Slice, b: Slice): boolean {
  return (
    a.addressType === b.addressType &&
    OUR_LABELS.every((k) => a.labels[k] === b.labels[k]) &&
    sameList(a.ports, b.ports, samePort) &&
    sameList(a.ownerReferences, b.ownerReferences, sameOwner) &&
    sameList(a.endpoints, b.endpoints, sameEndpoint)
  );
}

/** A cheap bucket for slices that may have the same content. */
function fingerprint(s: Slice): string {
  const endpoints = s.endpoints ?? [];
  return `${s.addressType}|${endpoints.length}|${endpoints[0]?.addresses[0] ?? ''}|${endpoints[endpoints.length - 1]?.addresses[0] ?? ''}`;
}

const MAX_NAME = 253;

/**
 * The deterministic name of the `index`-th desired slice with this address type and ports
 * of a Service: `<service>-gns-<10 hex>`, a DNS-1123 subdomain of at most 253 characters.
 * `attempt` > 0 gives alternatives when a name is taken.
 */
export function sliceName(service: string, addressType: AddressType, ports: string, index: number, attempt = 0, installation: string = DEFAULT_INSTALLATION): string {
  // Another installation's slots hash differently, so two installations never race for one name.
  const of = installation === DEFAULT_INSTALLATION ? '' : `|${installation}`;
  const hash = sha256Hex(`${service}|${addressType}|${ports}|${index}${attempt > 0 ? `|${attempt}` : ''}${of}`).slice(0, 10);
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
  // Both preconditions: the update fails (409) if the slice changed or was deleted and recreated.
  if (existing.uid !== undefined) update.uid = existing.uid;
  if (existing.resourceVersion !== undefined) update.resourceVersion = existing.resourceVersion;
  if (existing.annotations !== undefined) update.annotations = existing.annotations;
  return update;
}

/**
 * The writes that turn `existing` (the slices listed for the target Service) into `desired`
 * (desiredSlices' output, in its order). Identical content → no operation. Only slices of
 * `installation` are candidates for updates and deletes.
 */
export function planSlices(desired: readonly Slice[], existing: readonly Slice[], installation: string = DEFAULT_INSTALLATION): SlicePlan {
  const owned = existing.filter(ownedBy(installation)).sort(byName);
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
  const identical = new Array<boolean>(desired.length).fill(false);
  const byPrint = new Map<string, Slice[]>();
  for (const e of owned) {
    const print = fingerprint(e);
    const list = byPrint.get(print);
    if (list === undefined) byPrint.set(print, [e]);
    else list.push(e);
  }
  desired.forEach((d, i) => {
    const e = byPrint.get(fingerprint(d))?.find((c) => free.has(c) && sameContent(c, d));
    if (e !== undefined) {
      match[i] = e;
      identical[i] = true;
      free.delete(e);
    }
  });

  // 2. The slice already under this slot's name (a create whose response was lost, say).
  const ownedByName = new Map(owned.map((e) => [e.name, e]));
  desired.forEach((d, i) => {
    if (match[i] !== undefined) return;
    const slot = slots[i];
    const e = slot === undefined ? undefined : ownedByName.get(sliceName(slot.service, d.addressType, slot.pk, slot.index, 0, installation));
    if (e !== undefined && free.has(e) && e.addressType === d.addressType) {
      match[i] = e;
      free.delete(e);
    }
  });

  // 3. Any free owned slice of the same address type, same ports first (addressType is immutable).
  desired.forEach((d, i) => {
    if (match[i] !== undefined) return;
    const candidates = [...free].filter((e) => e.addressType === d.addressType);
    const e = candidates.find((c) => sameList(c.ports, d.ports, samePort)) ?? candidates[0];
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
      if (!identical[i] && !sameContent(e, d)) update.push(asUpdate(d, e));
      return;
    }
    const slot = slots[i] ?? { service: 'endpoints', pk: '[]', index: i };
    let attempt = 0;
    let name = sliceName(slot.service, d.addressType, slot.pk, slot.index, 0, installation);
    while (taken.has(name)) name = sliceName(slot.service, d.addressType, slot.pk, slot.index, ++attempt, installation);
    taken.add(name);
    create.push({ ...d, name });
  });
  return { create, update, delete: [...free].sort(byName) };
}
