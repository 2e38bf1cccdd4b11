// ClusterApi (shared/ports.ts) over @kubernetes/client-node 2.x: EndpointSlices through
// DiscoveryV1Api, events through CoreV1Api (what `kubectl get events` and `describe` show).
// Every call has a timeout and bounded retries (call.ts); 409 → ConflictError, 404 on
// delete = done, 404 on update = ConflictError (the slice went away: re-read and re-plan).
// Every update and delete carries the listed slice's uid and resourceVersion; a create or update
// first records its namespace in the installation's inventory (./inventory.ts), so the reconcile
// finds leftovers without a cluster-wide list.
import { randomBytes } from 'node:crypto';
import { CoordinationV1Api, CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import type { ConfigurationOptions, CoreV1Event, KubeConfig, V1EndpointSlice } from '@kubernetes/client-node';
import { ConflictError } from '../../errors.ts';
import { DEFAULT_INSTALLATION, installationLabels } from '../../core/installation.ts';
import { KIND_ENDPOINTSLICES } from '../../core/inventory.ts';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY } from '../../core/types.ts';
import type { Slice } from '../../core/types.ts';
import type { ClusterApi } from '../../ports.ts';
import { DEFAULT_CALL_POLICY, UnauthorizedError, kubeCall } from './call.ts';
import type { CallPolicy } from './call.ts';
import { writeHandback } from './agent-handback.ts';
import { kubeInventory } from './inventory.ts';
import { fromKubeSlice, toKubeSlice } from './slice-mapping.ts';

export const FIELD_MANAGER = 'gns-sync';
export const EVENT_COMPONENT = 'gns-sync';

export interface KubeClusterApiOptions {
  /** The cluster's name, for error messages. */
  readonly cluster: string;
  readonly policy?: Partial<CallPolicy>;
  /** Wall clock for event timestamps (ms). */
  readonly now?: () => number;
  /** Counts write calls (create, update, delete, event), for logs and tests. */
  readonly onWrite?: (verb: 'create' | 'update' | 'delete' | 'event') => void;
  /** Called when the cluster answers 401 (credentials to reload), before the error is thrown. */
  readonly onUnauthorized?: () => void;
  /** The installation writing (its label goes on every event written); default `default`. */
  readonly installation?: string;
  /** Asked with the cluster's name before each retry of a failed call: true stops retrying (its circuit breaker is not closed). */
  readonly stopRetrying?: (cluster: string) => boolean;
  /** Where the installation's inventory ConfigMap lives: gns-sync's own namespace (default `gns-sync`). */
  readonly inventoryNamespace?: string;
}

/** gns-sync's own namespace in deploy/: the agent, its Lease, the inventory. */
export const OWN_NAMESPACE = 'gns-sync';

const LIST_PAGE = 500;

/** A ClusterApi over a KubeConfig whose current context is the cluster. */
export function kubeClusterApi(kc: KubeConfig, options: KubeClusterApiOptions): ClusterApi {
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const cluster = options.cluster;
  const stop = options.stopRetrying;
  const policy: CallPolicy = { ...DEFAULT_CALL_POLICY, ...options.policy, ...(stop ? { stopRetrying: () => stop(cluster) } : {}) };
  const now = options.now ?? Date.now;
  const wrote = options.onWrite ?? (() => {});
  const inventory = kubeInventory(core, { cluster, namespace: options.inventoryNamespace ?? OWN_NAMESPACE, installation: options.installation ?? DEFAULT_INSTALLATION, policy });
  /** A listed slice's preconditions; an update or delete without them is refused before any call. */
  const preconditionsOf = (slice: { namespace: string; name?: string; uid?: string; resourceVersion?: string }, verb: string) => {
    if (!slice.name || !slice.uid || !slice.resourceVersion) throw new TypeError(`${verb} needs the name, uid and resourceVersion of a listed slice (${slice.namespace}/${slice.name ?? '?'})`);
    return { uid: slice.uid, resourceVersion: slice.resourceVersion };
  };

  async function listAll(what: string, page: (cont: string | undefined, o: ConfigurationOptions) => Promise<{ items: V1EndpointSlice[]; metadata?: { _continue?: string } }>, ns: string): Promise<Slice[]> {
    const out: Slice[] = [];
    let cont: string | undefined;
    do {
      const list = await kubeCall(`${cluster}: ${what}`, policy, (o) => page(cont, o));
      for (const item of list.items) out.push(fromKubeSlice(item, item.metadata?.namespace ?? ns));
      cont = list.metadata?._continue || undefined;
    } while (cont);
    return out;
  }

  // The hand-back channel to the cluster's agent (agent-handback.ts, docs/adr/0014-store-completeness.md).
  const handBack: NonNullable<ClusterApi['handBack']> = (lease, update, options) => writeHandback(coordination, { cluster, ...lease }, update, policy, options);

  const api: ClusterApi = {
    listSlices: (namespace, serviceName) =>
      listAll(
        `list slices of ${namespace}/${serviceName}`,
        (cont, o) =>
          discovery.listNamespacedEndpointSlice(
            { namespace, labelSelector: `${LABEL_SERVICE_NAME}=${serviceName}`, limit: LIST_PAGE, ...(cont ? { _continue: cont } : {}) },
            o,
          ),
        namespace,
      ),

    listManagedSlices: (namespace) =>
      listAll(
        `list slices managed by gns-sync in ${namespace}`,
        (cont, o) =>
          discovery.listNamespacedEndpointSlice(
            { namespace, labelSelector: `${LABEL_MANAGED_BY}=${MANAGED_BY}`, limit: LIST_PAGE, ...(cont ? { _continue: cont } : {}) },
            o,
          ),
        namespace,
      ),

    async createSlice(slice) {
      // Recorded first: a crash between the two leaves a namespace listed, never a slice unlisted.
      await inventory.record(KIND_ENDPOINTSLICES, slice.namespace);
      const created = await kubeCall(`${cluster}: create slice in ${slice.namespace}${slice.name ? `/${slice.name}` : ''}`, policy, (o) =>
        discovery.createNamespacedEndpointSlice({ namespace: slice.namespace, body: toKubeSlice(slice), fieldManager: FIELD_MANAGER }, o),
      );
      wrote('create');
      return fromKubeSlice(created, slice.namespace);
    },

    async updateSlice(slice) {
      const name = slice.name;
      preconditionsOf(slice, 'updateSlice');
      if (!name) throw new TypeError('updateSlice needs the name of an existing slice');
      // A slice written before the inventory existed gets its namespace recorded at its first update.
      await inventory.record(KIND_ENDPOINTSLICES, slice.namespace);
      const what = `${cluster}: update slice ${slice.namespace}/${name}`;
      const updated = await kubeCall(what, policy, (o) =>
        discovery.replaceNamespacedEndpointSlice({ name, namespace: slice.namespace, body: toKubeSlice(slice), fieldManager: FIELD_MANAGER }, o),
        (status) => {
          if (status === 404) throw new ConflictError(`${what}: the slice is gone; re-reading and re-planning`);
          return undefined;
        },
      );
      wrote('update');
      return fromKubeSlice(updated, slice.namespace);
    },

    async deleteSlice(slice) {
      const { namespace, name } = slice;
      // Both preconditions: a slice changed or recreated since it was listed is not deleted (409).
      const preconditions = preconditionsOf(slice, 'deleteSlice');
      if (!name) throw new TypeError('deleteSlice needs the name of an existing slice');
      await kubeCall(`${cluster}: delete slice ${namespace}/${name}`, policy, async (o) => {
        await discovery.deleteNamespacedEndpointSlice({ name, namespace, body: { preconditions } }, o);
      }, (status) => (status === 404 ? { value: undefined } : undefined));
      wrote('delete');
    },

    async recordEvent(target, type, reason, message) {
      const at = new Date(now());
      const body: CoreV1Event = {
        metadata: {
          name: `${target.name}.${at.getTime().toString(16)}${randomBytes(4).toString('hex')}`,
          namespace: target.namespace,
          labels: { ...installationLabels(options.installation ?? DEFAULT_INSTALLATION) },
        },
        involvedObject: { apiVersion: 'v1', kind: 'Service', namespace: target.namespace, name: target.name, uid: target.uid },
        type,
        reason,
        message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message,
        source: { component: EVENT_COMPONENT },
        reportingComponent: 'gns-sync.io/sync',
        reportingInstance: EVENT_COMPONENT,
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      };
      await kubeCall(`${cluster}: record ${type} event ${reason} on ${target.namespace}/${target.name}`, policy, (o) =>
        core.createNamespacedEvent({ namespace: target.namespace, body }, o),
      );
      wrote('event');
    },

    handBack,
    inventory,
  };
  const onUnauthorized = options.onUnauthorized;
  if (!onUnauthorized) return api;
  const guard = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    try {
      return await f(...a);
    } catch (error) {
      if (error instanceof UnauthorizedError) onUnauthorized();
      throw error;
    }
  };
  return {
    listSlices: guard(api.listSlices),
    listManagedSlices: guard(api.listManagedSlices),
    createSlice: guard(api.createSlice),
    updateSlice: guard(api.updateSlice),
    deleteSlice: guard(api.deleteSlice),
    recordEvent: guard(api.recordEvent),
    handBack: guard(handBack),
    inventory: { record: guard(inventory.record), read: guard(inventory.read), forget: guard(inventory.forget) },
  };
}
