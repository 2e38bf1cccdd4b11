// RoutingApi (shared/ports.ts) over @kubernetes/client-node 2.x: Istio ServiceEntries through
// CustomObjectsApi (`networking.istio.io/v1`), gateway discovery through CoreV1Api. Same call
// policy as the slices (call.ts): 409 → ConflictError, 404 on delete = done, 404 on update =
// ConflictError (gone: re-read), 404 on list = the Istio API is not served.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { ConflictError, IstioApiMissingError, RetryableError } from '../../errors.ts';
import type { ClusterIstioView, GatewayServiceRecord } from '../../core/routing/gateways.ts';
import { ISTIO_SYSTEM } from '../../core/routing/gateways.ts';
import { LABEL_ISTIO_NETWORK, SERVICE_ENTRY_API_VERSION } from '../../core/routing/types.ts';
import type { EntryOwner, ServiceEntry, ServiceEntrySpec } from '../../core/routing/types.ts';
import type { RoutingApi, RoutingApis } from '../../ports.ts';
import { DEFAULT_CALL_POLICY, kubeCall } from './call.ts';
import type { CallPolicy } from './call.ts';
import { FIELD_MANAGER } from './cluster-api.ts';
import { clusterSecretName, kubeConfigForContext, kubeConfigFromSecret } from './cluster-apis.ts';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { expiringCache } from './expiring-cache.ts';
import { DEFAULT_INSTALLATION } from '../../core/installation.ts';
import { KIND_SERVICEENTRIES } from '../../core/inventory.ts';
import { kubeInventory } from './inventory.ts';
import { OWN_NAMESPACE } from './cluster-api.ts';

const GROUP = 'networking.istio.io';
const VERSION = 'v1';
const PLURAL = 'serviceentries';

export interface KubeRoutingApiOptions {
  readonly cluster: string;
  readonly policy?: Partial<CallPolicy>;
  /** Counts write calls, for logs, tests and benchmarks. */
  readonly onWrite?: (verb: 'create' | 'update' | 'delete') => void;
  /** The installation whose inventory records the entries' namespaces (default: the default installation). */
  readonly installation?: string;
  /** Where the inventory ConfigMap lives: gns-sync's own namespace (default `gns-sync`). */
  readonly inventoryNamespace?: string;
}

interface KubeObject {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; resourceVersion?: string; ownerReferences?: { apiVersion?: string; kind?: string; name?: string; uid?: string }[] };
  spec?: unknown;
}

/** The API object of an entry. */
export function toKubeServiceEntry(e: ServiceEntry): Record<string, unknown> {
  return {
    apiVersion: SERVICE_ENTRY_API_VERSION,
    kind: 'ServiceEntry',
    metadata: {
      name: e.name,
      namespace: e.namespace,
      labels: { ...e.labels },
      ...(e.resourceVersion !== undefined ? { resourceVersion: e.resourceVersion } : {}),
      // An update's uid is a precondition: an entry deleted and recreated since it was listed is not overwritten.
      ...(e.uid !== undefined ? { uid: e.uid } : {}),
      ...(e.ownerReferences.length > 0 ? { ownerReferences: e.ownerReferences.map((o) => ({ ...o })) } : {}),
    },
    spec: e.spec,
  };
}

/** An entry as found: its spec verbatim (any drift shows in the plan's comparison). */
export function fromKubeServiceEntry(cluster: string, o: KubeObject): ServiceEntry {
  const owners: EntryOwner[] = (o.metadata?.ownerReferences ?? [])
    .filter((r) => r.apiVersion === 'v1' && r.kind === 'Service' && r.name && r.uid)
    .map((r) => ({ apiVersion: 'v1', kind: 'Service', name: r.name ?? '', uid: r.uid ?? '' }));
  return {
    cluster,
    namespace: o.metadata?.namespace ?? '',
    name: o.metadata?.name ?? '',
    labels: o.metadata?.labels ?? {},
    ownerReferences: owners,
    spec: (o.spec ?? {}) as ServiceEntrySpec,
    ...(o.metadata?.resourceVersion !== undefined ? { resourceVersion: o.metadata.resourceVersion } : {}),
    ...(o.metadata?.uid !== undefined ? { uid: o.metadata.uid } : {}),
  };
}

const selectorText = (selector: Readonly<Record<string, string>>): string =>
  Object.entries(selector).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`).join(',');

export function kubeRoutingApi(kc: KubeConfig, options: KubeRoutingApiOptions): RoutingApi {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  const { cluster } = options;
  const policy: CallPolicy = { ...DEFAULT_CALL_POLICY, ...options.policy };
  const wrote = options.onWrite ?? (() => {});
  const inventory = kubeInventory(core, { cluster, namespace: options.inventoryNamespace ?? OWN_NAMESPACE, installation: options.installation ?? DEFAULT_INSTALLATION, policy });
  const missing = (what: string) => new IstioApiMissingError(`${cluster}: ${what}: the cluster does not serve ${GROUP}/${VERSION} ServiceEntries (is Istio installed, and is this the cluster's Istio config cluster?)`);

  return {
    inventory,

    async listServiceEntries(selector, namespace) {
      const what = `list ServiceEntries ${selectorText(selector)}${namespace ? ` in ${namespace}` : ''}`;
      const out: ServiceEntry[] = [];
      let cont: string | undefined;
      do {
        const page = await kubeCall(`${cluster}: ${what}`, policy, (o) => {
          const common = { group: GROUP, version: VERSION, plural: PLURAL, labelSelector: selectorText(selector), limit: 500, ...(cont ? { _continue: cont } : {}) };
          return (namespace ? custom.listNamespacedCustomObject({ ...common, namespace }, o) : custom.listClusterCustomObject(common, o)) as Promise<{ items?: KubeObject[]; metadata?: { _continue?: string } }>;
        }, (status) => {
          if (status === 404) throw missing(what);
          return undefined;
        });
        for (const item of page.items ?? []) out.push(fromKubeServiceEntry(cluster, item));
        cont = page.metadata?._continue || undefined;
      } while (cont);
      return out;
    },

    async createServiceEntry(entry) {
      const what = `${cluster}: create ServiceEntry ${entry.namespace}/${entry.name}`;
      // Recorded first (docs/adr/0018): an entry is never left where the routing sweep does not look.
      await inventory.record(KIND_SERVICEENTRIES, entry.namespace);
      await kubeCall(what, policy, (o) =>
        custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: entry.namespace, body: toKubeServiceEntry(entry), fieldManager: FIELD_MANAGER }, o),
      );
      wrote('create');
    },

    async updateServiceEntry(entry) {
      const what = `${cluster}: update ServiceEntry ${entry.namespace}/${entry.name}`;
      // An entry written before the inventory existed gets its namespace recorded at its first update.
      await inventory.record(KIND_SERVICEENTRIES, entry.namespace);
      await kubeCall(what, policy, (o) =>
        custom.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: entry.namespace, name: entry.name, body: toKubeServiceEntry(entry), fieldManager: FIELD_MANAGER }, o),
      (status) => {
        if (status === 404) throw new ConflictError(`${what}: the entry is gone; re-reading and re-planning`);
        return undefined;
      });
      wrote('update');
    },

    async deleteServiceEntry(entry) {
      const { namespace, name } = entry;
      // Both preconditions: an entry changed or recreated since it was listed is not deleted (409).
      const preconditions = { ...(entry.uid ? { uid: entry.uid } : {}), ...(entry.resourceVersion ? { resourceVersion: entry.resourceVersion } : {}) };
      await kubeCall(`${cluster}: delete ServiceEntry ${namespace}/${name}`, policy, async (o) => {
        await custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace, name, body: { preconditions } }, o);
      }, (status) => (status === 404 ? { value: undefined } : undefined));
      wrote('delete');
    },

    async istioView(): Promise<ClusterIstioView> {
      const services = await kubeCall(`${cluster}: list Services labelled ${LABEL_ISTIO_NETWORK}`, policy, (o) =>
        core.listServiceForAllNamespaces({ labelSelector: LABEL_ISTIO_NETWORK }, o),
      );
      const systemNetwork = await kubeCall(`${cluster}: read namespace ${ISTIO_SYSTEM}`, policy, async (o) => {
        const ns = await core.readNamespace({ name: ISTIO_SYSTEM }, o);
        return ns.metadata?.labels?.[LABEL_ISTIO_NETWORK];
      }, (status) => (status === 404 ? { value: undefined } : undefined));
      const records: GatewayServiceRecord[] = services.items.map((s) => ({
        namespace: s.metadata?.namespace ?? '',
        name: s.metadata?.name ?? '',
        labels: s.metadata?.labels ?? {},
        ...(s.spec?.type !== undefined ? { type: s.spec.type } : {}),
        loadBalancerIngress: (s.status?.loadBalancer?.ingress ?? []).map((i) => ({ ...(i.ip ? { ip: i.ip } : {}), ...(i.hostname ? { hostname: i.hostname } : {}) })),
        externalIPs: s.spec?.externalIPs ?? [],
      }));
      return { services: records, ...(systemNetwork !== undefined ? { systemNetwork } : {}) };
    },
  };
}

/** RoutingApis over one KubeConfig, `contexts` mapping cluster name → context (default: the name). */
export function kubeConfigRoutingApis(kc: KubeConfig, contexts: ReadonlyMap<string, string>, options: Omit<KubeRoutingApiOptions, 'cluster'> = {}): RoutingApis {
  const cache = new Map<string, RoutingApi>();
  return {
    async get(cluster) {
      let api = cache.get(cluster);
      if (!api) {
        api = kubeRoutingApi(kubeConfigForContext(kc, contexts.get(cluster) ?? cluster, cluster), { ...options, cluster });
        cache.set(cluster, api);
      }
      return api;
    },
  };
}

/**
 * RoutingApis whose credentials come from the cluster secrets the sync already reads
 * (`gns-sync/clusters/<cluster>`, cluster-apis.ts), cached per container for `ttlMs`; a failed
 * load is not cached.
 */
export function secretsManagerRoutingApis(options: { client: Pick<SecretsManagerClient, 'send'>; ttlMs?: number; clock?: () => number } & Omit<KubeRoutingApiOptions, 'cluster'>): RoutingApis {
  const { client, ttlMs = 5 * 60_000, clock = Date.now, ...apiOptions } = options;
  async function load(cluster: string): Promise<RoutingApi> {
    let text: string | undefined;
    try {
      text = (await client.send(new GetSecretValueCommand({ SecretId: clusterSecretName(cluster) }))).SecretString;
    } catch (error) {
      throw new RetryableError(`cluster ${cluster}: reading secret ${clusterSecretName(cluster)} failed (${error instanceof Error ? error.name : String(error)}); retried`, { cause: error });
    }
    if (!text) throw new RetryableError(`secret ${clusterSecretName(cluster)}: no SecretString`);
    return kubeRoutingApi(kubeConfigFromSecret(text, cluster), { ...apiOptions, cluster });
  }
  const cache = expiringCache(load, ttlMs, clock);
  return { get: (cluster) => cache.get(cluster) };
}
