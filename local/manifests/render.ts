// A cluster's manifests from the contributions: one Role and RoleBinding per identity and
// namespace, one ClusterRole and binding per identity with cluster-wide grants, the agent's
// settings and the contributions' own objects. Pure: no files, no clock.
import type { Config } from '../../shared/config/schema.ts';
import { contributions as allContributions } from './contributions/index.ts';
import { OWN_NAMESPACE } from './contribution.ts';
import type { Contribution, EnvEntry, Grant, KubeObject, ManifestSettings, RenderContext, Who } from './contribution.ts';

/** The cluster is not in the config. */
export class UnknownClusterError extends Error {
  override readonly name = 'UnknownClusterError';
}

/** A rendered object and the comment for each of its RBAC rules (none for other kinds). */
export interface Rendered {
  readonly object: KubeObject;
  readonly ruleNotes: readonly string[];
}

export interface RenderedCluster {
  readonly ctx: RenderContext;
  /** Roles, ClusterRoles and their bindings, per identity. */
  readonly rbac: Readonly<Record<Who, readonly Rendered[]>>;
  /** The agent's ConfigMap entries. */
  readonly agentEnv: readonly EnvEntry[];
  /** Each contribution's own objects, by contribution name (only those that have some). */
  readonly objects: ReadonlyMap<string, readonly KubeObject[]>;
}

export const accountName = (who: Who): string => `gns-sync-${who}`;
const labels = (who: Who) => ({ 'app.kubernetes.io/name': accountName(who), 'app.kubernetes.io/part-of': 'gns-sync' });

export function renderContext(config: Config, clusterName: string, settings: ManifestSettings): RenderContext {
  const cluster = config.clusters.find((c) => c.name === clusterName);
  if (cluster === undefined) {
    throw new UnknownClusterError(`no cluster "${clusterName}" in the config (clusters: ${config.clusters.map((c) => c.name).join(', ')})`);
  }
  const members = [...new Set(config.globalNamespaces.flatMap((g) => g.members).filter((m) => m.cluster === clusterName).map((m) => m.namespace))].sort();
  return { config, cluster, members, settings };
}

type Rule = { apiGroups: string[]; resources: string[]; resourceNames?: string[]; verbs: string[] };
const ruleOf = (g: Grant): Rule => ({
  apiGroups: [g.apiGroup],
  resources: [...g.resources],
  ...(g.resourceNames === undefined ? {} : { resourceNames: [...g.resourceNames] }),
  verbs: [...g.verbs],
});

/** The namespaces a grant applies in, or `null` for cluster-wide. */
function scopesOf(g: Grant, ctx: RenderContext): readonly string[] | null {
  if (g.where === 'cluster') return null;
  if (g.where === 'own') return [OWN_NAMESPACE];
  if (g.where === 'member') return ctx.members;
  return [g.where.namespace];
}

function rbacFor(who: Who, grants: readonly Grant[], ctx: RenderContext): Rendered[] {
  // scope ('' = cluster-wide) → rules with notes, in grant order, exact duplicates once
  const byScope = new Map<string, { rules: Rule[]; notes: string[]; keys: Set<string> }>();
  for (const g of grants.filter((x) => x.who === who)) {
    for (const scope of scopesOf(g, ctx) ?? ['']) {
      const entry = byScope.get(scope) ?? { rules: [], notes: [], keys: new Set<string>() };
      byScope.set(scope, entry);
      const rule = ruleOf(g);
      const key = JSON.stringify(rule);
      if (entry.keys.has(key)) continue;
      entry.keys.add(key);
      entry.rules.push(rule);
      entry.notes.push(g.why);
    }
  }
  const name = accountName(who);
  const subjects = [{ kind: 'ServiceAccount', name, namespace: OWN_NAMESPACE }];
  const order = [...byScope.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return order.flatMap((scope): Rendered[] => {
    const { rules, notes } = byScope.get(scope)!;
    if (scope === '') {
      return [
        { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: labels(who) }, rules }, ruleNotes: notes },
        { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name, labels: labels(who) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name }, subjects }, ruleNotes: [] },
      ];
    }
    return [
      { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace: scope, labels: labels(who) }, rules }, ruleNotes: notes },
      { object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name, namespace: scope, labels: labels(who) }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects }, ruleNotes: [] },
    ];
  });
}
/** Own namespace first, then the others by name, cluster-wide last. */
const rank = (scope: string): number => (scope === OWN_NAMESPACE ? 0 : scope === '' ? 2 : 1);

/** Renders one cluster of the config. Throws UnknownClusterError. */
export function renderCluster(config: Config, clusterName: string, settings: ManifestSettings, contributions: readonly Contribution[] = allContributions): RenderedCluster {
  const ctx = renderContext(config, clusterName, settings);
  const grants = contributions.flatMap((c) => c.grants?.(ctx) ?? []);
  const agentEnv: EnvEntry[] = [];
  for (const c of contributions) {
    for (const e of c.agentEnv?.(ctx) ?? []) {
      if (agentEnv.some((x) => x.name === e.name)) throw new Error(`contribution ${c.name}: agent setting ${e.name} is set twice`);
      agentEnv.push(e);
    }
  }
  const objects = new Map<string, readonly KubeObject[]>();
  for (const c of contributions) {
    const list = c.objects?.(ctx) ?? [];
    if (list.length > 0) objects.set(c.name, list);
  }
  return { ctx, rbac: { agent: rbacFor('agent', grants, ctx), writer: rbacFor('writer', grants, ctx) }, agentEnv, objects };
}

/** The agent's ConfigMap as a plain object (what kustomize's configMapGenerator makes, without the hash suffix). */
export const AGENT_CONFIGMAP = 'gns-sync-agent-env';
export function agentConfigMap(rendered: RenderedCluster): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: AGENT_CONFIGMAP, namespace: OWN_NAMESPACE },
    data: Object.fromEntries(rendered.agentEnv.map((e) => [e.name, e.value])),
  };
}

/** Every RBAC object of the cluster (e.g. for a simulated cluster enforcing RBAC). */
export function rbacObjects(rendered: RenderedCluster): KubeObject[] {
  return [...rendered.rbac.agent, ...rendered.rbac.writer].map((r) => r.object);
}
