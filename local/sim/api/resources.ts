// The resources the simulated API server serves, as discovery describes them.
import { AUTH_RESOURCES } from './auth/resources.ts';

export type Subresource = 'status' | 'scale' | 'token';

export interface ResourceDef {
  /** '' for the core group. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly singular: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly subresources: readonly Subresource[];
  /**
   * Where objects live: two resources with the same storage share objects (core `events`
   * and `events.k8s.io` events), converted on the way in and out.
   */
  readonly storage: string;
  /** Whether spec changes bump metadata.generation (all objects start at 1). */
  readonly hasStatus: boolean;
  /** The verbs discovery lists (default all; the reviews of local/sim/api/auth/ only `create`). */
  readonly verbs?: readonly string[];
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;
export const RESOURCE_VERBS: readonly string[] = VERBS;

function def(d: Omit<ResourceDef, 'shortNames' | 'categories' | 'subresources' | 'storage' | 'hasStatus'> & Partial<ResourceDef>): ResourceDef {
  const subresources = d.subresources ?? [];
  return {
    shortNames: [],
    categories: [],
    storage: d.group ? `${d.plural}.${d.group}` : d.plural,
    hasStatus: subresources.includes('status'),
    ...d,
    subresources,
  };
}

export const RESOURCES: readonly ResourceDef[] = [
  def({ group: '', version: 'v1', plural: 'namespaces', singular: 'namespace', kind: 'Namespace', namespaced: false, shortNames: ['ns'], subresources: ['status'] }),
  def({ group: '', version: 'v1', plural: 'nodes', singular: 'node', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  def({ group: '', version: 'v1', plural: 'pods', singular: 'pod', kind: 'Pod', namespaced: true, shortNames: ['po'], categories: ['all'], subresources: ['status'] }),
  def({ group: '', version: 'v1', plural: 'services', singular: 'service', kind: 'Service', namespaced: true, shortNames: ['svc'], categories: ['all'], subresources: ['status'] }),
  def({ group: '', version: 'v1', plural: 'configmaps', singular: 'configmap', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] }),
  def({ group: '', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], storage: 'events' }),
  def({ group: 'apps', version: 'v1', plural: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', namespaced: true, shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'] }),
  def({ group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', namespaced: true }),
  def({ group: 'events.k8s.io', version: 'v1', plural: 'events', singular: 'event', kind: 'Event', namespaced: true, shortNames: ['ev'], storage: 'events' }),
  def({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', singular: 'lease', kind: 'Lease', namespaced: true }),
  def({ group: '', version: 'v1', plural: 'secrets', singular: 'secret', kind: 'Secret', namespaced: true }),
  def({ group: '', version: 'v1', plural: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', namespaced: true, shortNames: ['sa'], subresources: ['token'] }),
  ...AUTH_RESOURCES.map(def),
  def({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', singular: 'customresourcedefinition', kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: ['status'] }),
];

export function apiVersionOf(d: ResourceDef): string {
  return d.group ? `${d.group}/${d.version}` : d.version;
}

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** The definition objects of a storage are kept in (the first resource naming that storage). */
export function storageDef(storage: string): ResourceDef {
  const found = RESOURCES.find((r) => r.storage === storage);
  if (!found) throw new Error(`no resource stores "${storage}"`);
  return found;
}

export function resourceByKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return RESOURCES.find((r) => apiVersionOf(r) === apiVersion && r.kind === kind);
}

/** Groups in the order discovery lists them (core first, then by the order above). */
export function groups(): readonly { readonly name: string; readonly version: string }[] {
  const seen = new Map<string, string>();
  for (const r of RESOURCES) if (r.group && !seen.has(r.group)) seen.set(r.group, r.version);
  return [...seen].map(([name, version]) => ({ name, version }));
}
