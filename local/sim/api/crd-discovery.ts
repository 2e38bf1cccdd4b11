// Discovery and OpenAPI v3 documents for custom resources, merged with the built-in ones:
// `/apis` lists the groups of CustomResourceDefinitions too, and `/apis/<group>[/<version>]`
// and `/openapi/v3/apis/<group>/<version>` describe them, so kubectl finds them like any kind.
import { groupListDoc, openApiV3Root, resourceEntry } from './discovery.ts';
import { customResources } from './crd.ts';
import type { ResourceDef } from './resources.ts';
import type { ObjectStore } from './store.ts';

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    return [m[2] === undefined ? 2 : m[2] === 'beta' ? 1 : 0, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (!pa || !pb) return pa ? -1 : pb ? 1 : a.localeCompare(b);
  return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2];
}

function customGroups(defs: readonly ResourceDef[]): { name: string; versions: string[] }[] {
  const byGroup = new Map<string, Set<string>>();
  for (const d of defs) {
    if (!byGroup.has(d.group)) byGroup.set(d.group, new Set());
    byGroup.get(d.group)!.add(d.version);
  }
  return [...byGroup].map(([name, versions]) => ({ name, versions: [...versions].sort(compareVersions) }));
}

function groupDoc(g: { name: string; versions: string[] }): Record<string, unknown> {
  const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
  return { name: g.name, versions, preferredVersion: versions[0] };
}

function resourceList(group: string, version: string, defs: readonly ResourceDef[]): unknown {
  const resources: unknown[] = [];
  for (const d of defs) {
    resources.push(resourceEntry(d));
    if (d.hasStatus) resources.push({ name: `${d.plural}/status`, singularName: '', namespaced: d.namespaced, kind: d.kind, verbs: ['get', 'patch', 'update'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources };
}

function openApiGroupVersion(group: string, version: string, defs: readonly ResourceDef[]): unknown {
  const paths: Record<string, unknown> = {};
  for (const d of defs) {
    paths[`/apis/${group}/${version}/${d.namespaced ? 'namespaces/{namespace}/' : ''}${d.plural}/{name}`] = {
      patch: {
        operationId: `patch${d.kind}`,
        parameters: ['dryRun', 'fieldManager', 'fieldValidation'].map((name) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } })),
        responses: { '200': { description: 'OK' } },
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group, version, kind: d.kind },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes CRD Swagger', version: 'v0.1.0' }, paths, components: { schemas: {} } };
}

/**
 * The document at `path` when custom resources answer it (or add to it), else undefined
 * (the built-in discovery answers).
 */
export function customDiscoveryDoc(store: ObjectStore, path: string): unknown | undefined {
  const defs = customResources(store);
  const groups = customGroups(defs);
  if (path === '/apis') {
    const base = groupListDoc() as { groups: unknown[] };
    return { ...base, groups: [...base.groups, ...groups.map(groupDoc)] };
  }
  if (path === '/openapi/v3') {
    const base = openApiV3Root() as { paths: Record<string, unknown> };
    const paths = { ...base.paths };
    for (const g of groups) {
      for (const v of g.versions) paths[`apis/${g.name}/${v}`] = { serverRelativeURL: `/openapi/v3/apis/${g.name}/${v}?hash=${Buffer.from(`${g.name}/${v}`).toString('hex').toUpperCase().slice(0, 32)}` };
    }
    return { ...base, paths };
  }
  const m = /^\/(openapi\/v3\/)?apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
  if (!m) return undefined;
  const group = groups.find((g) => g.name === m[2]);
  if (!group) return undefined;
  if (m[3] === undefined) return m[1] ? undefined : { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group) };
  const inVersion = defs.filter((d) => d.group === group.name && d.version === m[3]);
  if (inVersion.length === 0) return undefined;
  return m[1] ? openApiGroupVersion(group.name, m[3], inVersion) : resourceList(group.name, m[3], inVersion);
}
