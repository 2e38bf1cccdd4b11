// The RBAC authorizer over the cluster's Roles, ClusterRoles and bindings, as Kubernetes v1.32
// evaluates them: plugin/pkg/auth/authorizer/rbac/rbac.go (RuleAllows, the "allowed by" reason,
// resolution errors as the reason of a denial), pkg/apis/rbac/v1/evaluation_helpers.go (verbs and
// groups with `*`, resources with `*` and `*/subresource`, resourceNames, nonResourceURLs with a
// trailing `*`), pkg/registry/rbac/validation/rule.go (ClusterRoleBindings, then the RoleBindings
// of the request's namespace; subjects User, Group, ServiceAccount — a RoleBinding's
// ServiceAccount subject without a namespace is of the binding's). Members of system:masters are
// allowed everything before RBAC is asked (the privileged-groups authorizer of kube-apiserver).
import type { KubeObject } from '../objects.ts';
import { isPlainObject } from '../objects.ts';
import type { ObjectStore } from '../store.ts';
import type { Attributes } from './request-info.ts';
import type { UserInfo } from './user.ts';
import { SYSTEM_MASTERS, serviceAccountUsername } from './user.ts';

export interface PolicyRule {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export interface Decision {
  readonly allowed: boolean;
  /** Why: the binding that allowed it, or the roles that could not be resolved (else ''). */
  readonly reason: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function rulesOf(role: KubeObject): PolicyRule[] {
  return (Array.isArray(role.rules) ? role.rules : []).filter(isPlainObject).map((r) => ({
    verbs: strings(r.verbs), apiGroups: strings(r.apiGroups), resources: strings(r.resources), resourceNames: strings(r.resourceNames), nonResourceURLs: strings(r.nonResourceURLs),
  }));
}

const has = (list: readonly string[], value: string): boolean => list.includes('*') || list.includes(value);

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  return rule.resources.some((r) => r === '*' || r === combined || (subresource !== '' && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)));
}

function nonResourceUrlMatches(rule: PolicyRule, path: string): boolean {
  return rule.nonResourceURLs.some((u) => u === '*' || u === path || (u.endsWith('*') && path.startsWith(u.replace(/\*+$/, ''))));
}

/** RuleAllows of rbac.go. */
export function ruleAllows(a: Attributes, rule: PolicyRule): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceUrlMatches(rule, a.path);
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return has(rule.apiGroups, a.apiGroup) && resourceMatches(rule, combined, a.subresource) && (rule.resourceNames.length === 0 || rule.resourceNames.includes(a.name));
}

interface Subject {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

const subjectsOf = (binding: KubeObject): Subject[] => (Array.isArray(binding.subjects) ? binding.subjects : []).filter(isPlainObject)
  .map((s) => ({ kind: String(s.kind ?? ''), name: String(s.name ?? ''), namespace: String(s.namespace ?? '') }));

function appliesToUser(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  if (s.kind === 'User') return user.username === s.name;
  if (s.kind === 'Group') return user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace || bindingNamespace;
    return ns !== '' && user.username === serviceAccountUsername(ns, s.name);
  }
  return false;
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  return s.kind === 'ServiceAccount' ? `${s.kind} "${s.name}/${s.namespace || bindingNamespace}"` : `${s.kind} "${s.name}"`;
}

/** A rule that applies to a user, where it comes from (rule.go's describers), or an error resolving a binding. */
type Visit = { rule: PolicyRule; source: string } | { error: string };

function* visitRules(store: ObjectStore, user: UserInfo, namespace: string): Generator<Visit> {
  const bindings: [KubeObject, string][] = [...store.bucket('clusterrolebindings.rbac.authorization.k8s.io').values()].map((b) => [b, '']);
  if (namespace !== '') for (const b of store.list('rolebindings.rbac.authorization.k8s.io', namespace)) bindings.push([b, namespace]);
  for (const [binding, ns] of bindings) {
    const subject = subjectsOf(binding).find((s) => appliesToUser(user, s, ns));
    if (!subject) continue;
    const ref = isPlainObject(binding.roleRef) ? binding.roleRef : {};
    const kind = String(ref.kind ?? '');
    const roleName = String(ref.name ?? '');
    let role: KubeObject | undefined;
    if (kind === 'ClusterRole') role = store.get('clusterroles.rbac.authorization.k8s.io', undefined, roleName);
    else if (kind === 'Role') role = ns === '' ? undefined : store.get('roles.rbac.authorization.k8s.io', ns, roleName);
    else {
      yield { error: `unsupported role reference kind: "${kind}"` };
      continue;
    }
    if (!role) {
      yield { error: `${kind.toLowerCase()}.rbac.authorization.k8s.io "${roleName}" not found` };
      continue;
    }
    const source = ns === ''
      ? `ClusterRoleBinding "${binding.metadata.name}" of ${kind} "${roleName}" to ${describeSubject(subject, '')}`
      : `RoleBinding "${binding.metadata.name}/${ns}" of ${kind} "${roleName}" to ${describeSubject(subject, ns)}`;
    for (const rule of rulesOf(role)) yield { rule, source };
  }
}

/** Whether RBAC (after system:masters) allows the request, and why. */
export function authorize(store: ObjectStore, user: UserInfo, a: Attributes): Decision {
  if (user.groups.includes(SYSTEM_MASTERS)) return { allowed: true, reason: '' };
  const errors: string[] = [];
  for (const v of visitRules(store, user, a.resourceRequest ? a.namespace : '')) {
    if ('error' in v) errors.push(v.error);
    else if (ruleAllows(a, v.rule)) return { allowed: true, reason: `RBAC: allowed by ${v.source}` };
  }
  // utilerrors.NewAggregate: one error as itself, several as [a, b].
  return { allowed: false, reason: errors.length === 0 ? '' : `RBAC: ${errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`}` };
}

/** Every rule that applies to a user in a namespace (SelfSubjectRulesReview), with resolution errors. */
export function rulesFor(store: ObjectStore, user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
  const rules: PolicyRule[] = [];
  const errors: string[] = [];
  for (const v of visitRules(store, user, namespace)) {
    if ('error' in v) errors.push(v.error);
    else rules.push(v.rule);
  }
  return { rules, errors };
}

/** The forbidden message of apiserver responsewriters/errors.go (forbiddenMessage). */
export function forbiddenMessage(user: UserInfo, a: Attributes): string {
  if (!a.resourceRequest) return `User "${user.username}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return a.namespace !== ''
    ? `User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" in the namespace "${a.namespace}"`
    : `User "${user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" at the cluster scope`;
}
