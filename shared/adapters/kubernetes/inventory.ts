// The Inventory port (shared/ports.ts) over one ConfigMap in gns-sync's own namespace
// (shared/core/inventory.ts, docs/adr/0018-inventory.md). Every change is a create (409 when
// another writer created it first) or a replace carrying the read's uid and resourceVersion
// (409 when it changed or was recreated since): a 409 means "read again", never "overwrite".
// Records are serialised within one adapter (parallel creates in several namespaces would
// otherwise conflict with each other) and remembered once made, so a namespace costs one read
// and at most one write per container, not one per slice.
import type { CoreV1Api, V1ConfigMap } from '@kubernetes/client-node';
import { installationLabels } from '../../core/installation.ts';
import { INVENTORY_KIND_RE, formatInventory, inventoryName, isRecorded, parseInventory, withForgotten, withRecorded } from '../../core/inventory.ts';
import type { InventoryKinds } from '../../core/inventory.ts';
import { ConflictError } from '../../errors.ts';
import type { Inventory, InventoryRead } from '../../ports.ts';
import { kubeCall } from './call.ts';
import type { CallPolicy } from './call.ts';

export interface KubeInventoryOptions {
  readonly cluster: string;
  /** gns-sync's own namespace in the cluster (`gns-sync` in deploy/; the lease namespace locally). */
  readonly namespace: string;
  readonly installation: string;
  readonly policy: CallPolicy;
  /** Counts the ConfigMap writes. */
  readonly onWrite?: () => void;
}

/** Attempts of a record when other writers change the ConfigMap meanwhile (each a read and a write). */
const RECORD_ATTEMPTS = 5;

export function kubeInventory(core: CoreV1Api, options: KubeInventoryOptions): Inventory {
  const { cluster, namespace, policy } = options;
  const name = inventoryName(options.installation);
  const what = `${cluster}: inventory ConfigMap ${namespace}/${name}`;
  const known = new Set<string>();
  const key = (kind: string, ns: string) => `${kind}\n${ns}`;
  let queue: Promise<unknown> = Promise.resolve();

  const get = () => kubeCall<V1ConfigMap | undefined>(`${what} (read)`, policy, (o) => core.readNamespacedConfigMap({ name, namespace }, o), (s) => (s === 404 ? { value: undefined } : undefined));

  /** The ConfigMap's data with the kinds replaced (keys that are no kind are kept as they are). */
  const dataWith = (cm: V1ConfigMap | undefined, kinds: InventoryKinds): Record<string, string> => {
    const other = Object.fromEntries(Object.entries(cm?.data ?? {}).filter(([k]) => !INVENTORY_KIND_RE.test(k)));
    return { ...other, ...formatInventory(kinds) };
  };

  async function write(cm: V1ConfigMap | undefined, kinds: InventoryKinds): Promise<void> {
    if (cm === undefined) {
      const body: V1ConfigMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name, namespace, labels: { ...installationLabels(options.installation), 'app.kubernetes.io/part-of': 'gns-sync' } },
        data: dataWith(undefined, kinds),
      };
      await kubeCall(`${what} (create)`, policy, (o) => core.createNamespacedConfigMap({ namespace, body }, o));
    } else {
      const { uid, resourceVersion } = cm.metadata ?? {};
      if (!uid || !resourceVersion) throw new ConflictError(`${what}: read without uid or resourceVersion; reading again`);
      // Both preconditions: a ConfigMap changed or recreated since the read is not overwritten (409).
      const body: V1ConfigMap = { ...cm, metadata: { ...cm.metadata, uid, resourceVersion }, data: dataWith(cm, kinds) };
      await kubeCall(`${what} (replace)`, policy, (o) => core.replaceNamespacedConfigMap({ name, namespace, body }, o), (s) => {
        if (s === 404) throw new ConflictError(`${what}: deleted since it was read; reading again`);
        return undefined;
      });
    }
    options.onWrite?.();
  }

  async function recordNow(kind: string, ns: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const cm = await get();
      const kinds = parseInventory(cm?.data);
      if (isRecorded(kinds, kind, ns)) break;
      try {
        await write(cm, withRecorded(kinds, kind, ns));
        break;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= RECORD_ATTEMPTS) throw error;
      }
    }
    known.add(key(kind, ns));
  }

  return {
    record(kind, ns) {
      if (known.has(key(kind, ns))) return Promise.resolve();
      const run = queue.then(() => (known.has(key(kind, ns)) ? undefined : recordNow(kind, ns)));
      queue = run.catch(() => {});
      return run;
    },

    async read(): Promise<InventoryRead> {
      const cm = await get();
      const { uid, resourceVersion } = cm?.metadata ?? {};
      return { kinds: parseInventory(cm?.data), ...(uid ? { uid } : {}), ...(resourceVersion ? { resourceVersion } : {}) };
    },

    forget(kind, namespaces, seen) {
      const run = queue.then(async () => {
        if (namespaces.length === 0 || seen.resourceVersion === undefined) return false;
        const cm = await get();
        if (cm?.metadata?.resourceVersion !== seen.resourceVersion || cm.metadata.uid !== seen.uid) return false;
        for (const ns of namespaces) known.delete(key(kind, ns));
        try {
          await write(cm, withForgotten(parseInventory(cm.data), kind, namespaces));
          return true;
        } catch (error) {
          if (error instanceof ConflictError) return false;
          throw error;
        }
      });
      queue = run.catch(() => {});
      return run;
    },
  };
}
