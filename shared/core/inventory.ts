// The inventory (docs/adr/0018-inventory.md): in each cluster, one ConfigMap per installation
// in gns-sync's own namespace lists, per kind of object, the namespaces where the installation
// has written objects of that kind. A writer records a namespace before its first write there,
// so a crash never leaves an object in an unlisted namespace; the reconcile finds leftovers by
// listing only the inventoried namespaces (no cluster-wide grant) and forgets a namespace once
// it holds none of the installation's objects of that kind. The inventory lives in the cluster,
// not in the store: losing the store loses nothing here.
//
// ConfigMap data: one key per kind (`<resource>.<group>`, e.g. `endpointslices.discovery.k8s.io`),
// its value the namespaces, sorted, one per line. Readable with `kubectl get cm -o yaml`.
import { perInstallationName } from './installation.ts';

/** The ConfigMap's name: `gns-sync-inventory`, `gns-sync-inventory-<installation>` for another installation. */
export const inventoryName = (installation: string): string => perInstallationName('gns-sync-inventory', installation);

/** The kinds gns-sync writes outside its own namespace (a ConfigMap key each). */
export const KIND_ENDPOINTSLICES = 'endpointslices.discovery.k8s.io';
export const KIND_SERVICEENTRIES = 'serviceentries.networking.istio.io';

/** A kind's key: `<resource>.<group>`, lower case (a valid ConfigMap key). */
export const INVENTORY_KIND_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const NAMESPACE_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Kind → the namespaces recorded for it. */
export type InventoryKinds = ReadonlyMap<string, ReadonlySet<string>>;

export class InventoryError extends Error {
  override readonly name = 'InventoryError';
}

function check(kind: string, namespace?: string): void {
  if (!INVENTORY_KIND_RE.test(kind)) throw new InventoryError(`inventory: kind ${JSON.stringify(kind)} is not "<resource>.<group>" in lower case`);
  if (namespace !== undefined && (namespace.length > 63 || !NAMESPACE_RE.test(namespace))) throw new InventoryError(`inventory: ${JSON.stringify(namespace)} is not a namespace name`);
}

/**
 * The kinds of a ConfigMap's data. Keys that are no kind and lines that are no namespace name
 * (a hand edit) are ignored: they name nothing gns-sync could have written.
 */
export function parseInventory(data: Readonly<Record<string, string>> | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [kind, text] of Object.entries(data ?? {})) {
    if (!INVENTORY_KIND_RE.test(kind)) continue;
    const namespaces = new Set(text.split('\n').map((l) => l.trim()).filter((l) => l.length <= 63 && NAMESPACE_RE.test(l)));
    if (namespaces.size > 0) out.set(kind, namespaces);
  }
  return out;
}

/** The ConfigMap's data: kinds sorted, namespaces sorted, one per line; a kind without namespaces is left out. */
export function formatInventory(kinds: InventoryKinds): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of [...kinds.keys()].sort()) {
    const namespaces = [...(kinds.get(kind) ?? [])].sort();
    if (namespaces.length > 0) out[kind] = `${namespaces.join('\n')}\n`;
  }
  return out;
}

export const isRecorded = (kinds: InventoryKinds, kind: string, namespace: string): boolean => kinds.get(kind)?.has(namespace) ?? false;

/** The kinds with `namespace` added to `kind`. Throws InventoryError for a malformed kind or namespace. */
export function withRecorded(kinds: InventoryKinds, kind: string, namespace: string): Map<string, Set<string>> {
  check(kind, namespace);
  const out = new Map([...kinds].map(([k, v]) => [k, new Set(v)] as const));
  out.set(kind, new Set([...(out.get(kind) ?? []), namespace]));
  return out;
}

/** The kinds without `namespaces` under `kind`. */
export function withForgotten(kinds: InventoryKinds, kind: string, namespaces: Iterable<string>): Map<string, Set<string>> {
  check(kind);
  const gone = new Set(namespaces);
  const out = new Map([...kinds].map(([k, v]) => [k, new Set(v)] as const));
  const left = [...(out.get(kind) ?? [])].filter((n) => !gone.has(n));
  if (left.length > 0) out.set(kind, new Set(left));
  else out.delete(kind);
  return out;
}
