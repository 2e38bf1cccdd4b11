// Discovery documents (/version, /api, /apis, resource lists) and the small OpenAPI v3
// documents kubectl reads to learn that the server validates fields itself (so `kubectl
// apply` needs no client-side schema and computes strategic patches from its built-in types).
import type { ResourceDef } from './resources.ts';
import { apiVersionOf, groups, RESOURCE_VERBS, RESOURCES } from './resources.ts';

export interface ServerVersion {
  readonly major: string;
  readonly minor: string;
}

export function versionDoc(v: ServerVersion): Record<string, string> {
  return {
    major: v.major,
    minor: v.minor,
    gitVersion: `v${v.major}.${v.minor}.0-gns-sync-sim`,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersionsDoc(serverAddress: string): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(name: string, version: string): unknown {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [gv], preferredVersion: gv };
}

export function groupListDoc(): unknown {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map((g) => groupDoc(g.name, g.version)) };
}

export function groupOneDoc(name: string): unknown | undefined {
  const g = groups().find((x) => x.name === name);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...(groupDoc(g.name, g.version) as object) } : undefined;
}

/** What discovery lists for a resource (built-in or custom): names, kind, verbs, short names, categories. */
export interface DiscoveredResource {
  readonly group: string;
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly kind: string;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs?: readonly string[];
}

/** A resource's entry in an APIResourceList. */
export function resourceEntry(d: DiscoveredResource): Record<string, unknown> {
  return {
    name: d.plural,
    singularName: d.singular,
    namespaced: d.namespaced,
    kind: d.kind,
    verbs: d.verbs ?? RESOURCE_VERBS,
    ...(d.shortNames.length ? { shortNames: d.shortNames } : {}),
    ...(d.categories.length ? { categories: d.categories } : {}),
    storageVersionHash: Buffer.from(`${d.group}/${d.plural}`).toString('base64').slice(0, 11),
  };
}

export function resourceListDoc(group: string, version: string): unknown | undefined {
  const defs = RESOURCES.filter((r) => r.group === group && r.version === version);
  if (defs.length === 0) return undefined;
  const resources: unknown[] = [];
  for (const d of defs) {
    resources.push(resourceEntry(d));
    for (const sub of d.subresources) {
      resources.push(sub === 'scale'
        ? { name: `${d.plural}/scale`, singularName: '', namespaced: d.namespaced, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] }
        : sub === 'token'
          ? { name: `${d.plural}/token`, singularName: '', namespaced: d.namespaced, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] }
          : { name: `${d.plural}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

export function openApiV3Root(): unknown {
  const paths: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const r of RESOURCES) {
    const p = gvPath(r.group, r.version);
    if (seen.has(p)) continue;
    seen.add(p);
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${Buffer.from(p).toString('hex').toUpperCase().slice(0, 32)}` };
  }
  return { paths };
}

function patchOperation(d: ResourceDef): unknown {
  return {
    description: `partially update the specified ${d.kind}`,
    operationId: `patch${d.kind}`,
    parameters: [
      { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
      { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
    ],
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': 'patch',
    'x-kubernetes-group-version-kind': { group: d.group, version: d.version, kind: d.kind },
  };
}

/** The OpenAPI v3 document of one group version, or undefined (404) for an unknown one. */
export function openApiV3GroupVersion(path: string): unknown | undefined {
  const defs = RESOURCES.filter((r) => gvPath(r.group, r.version) === path);
  if (defs.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  for (const d of defs) {
    const base = `/${gvPath(d.group, d.version)}/${d.namespaced ? 'namespaces/{namespace}/' : ''}${d.plural}/{name}`;
    paths[base] = { patch: patchOperation(d) };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: `${apiVersionOf(defs[0]!)}` },
    paths,
    components: { schemas: {} },
  };
}
