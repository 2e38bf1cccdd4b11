// The kinds of authentication and authorization (`gns-sync sim --rbac`, docs/adr/0011): RBAC's
// four, stored like any object, and the reviews, answered per request and never stored
// (`kubectl auth can-i`, `kubectl auth whoami`). ServiceAccounts and Secrets are core kinds
// (local/sim/api/resources.ts).

import type { ResourceDef } from '../resources.ts';

/** What local/sim/api/resources.ts needs to describe a resource (it fills the rest). */
export type AuthResource = Pick<ResourceDef, 'group' | 'version' | 'plural' | 'singular' | 'kind' | 'namespaced' | 'verbs'>;

export const RBAC_GROUP = 'rbac.authorization.k8s.io';
export const AUTHORIZATION_GROUP = 'authorization.k8s.io';
export const AUTHENTICATION_GROUP = 'authentication.k8s.io';

const rbac = (kind: string, namespaced: boolean): AuthResource => ({
  group: RBAC_GROUP, version: 'v1', plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), kind, namespaced,
});
const review = (group: string, kind: string): AuthResource => ({
  group, version: 'v1', plural: `${kind.toLowerCase()}s`, singular: kind.toLowerCase(), kind, namespaced: false, verbs: ['create'],
});

export const AUTH_RESOURCES: readonly AuthResource[] = [
  rbac('ClusterRoleBinding', false),
  rbac('ClusterRole', false),
  rbac('RoleBinding', true),
  rbac('Role', true),
  review(AUTHENTICATION_GROUP, 'SelfSubjectReview'),
  review(AUTHORIZATION_GROUP, 'SelfSubjectAccessReview'),
  review(AUTHORIZATION_GROUP, 'SelfSubjectRulesReview'),
];

/** Reviews: answered per request, never stored. */
export const isReview = (plural: string, group: string): boolean => (group === AUTHORIZATION_GROUP || group === AUTHENTICATION_GROUP) && plural.startsWith('self');
