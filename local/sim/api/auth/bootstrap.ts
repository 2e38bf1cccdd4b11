// The default ClusterRoles and ClusterRoleBindings every cluster starts with that matter to an
// ordinary identity, as Kubernetes v1.32's bootstrap policy defines them
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go; selfsubjectreviews joined
// system:basic-user in kubernetes/kubernetes#116274, v1.28): cluster-admin for system:masters;
// discovery, the self-reviews and the public health and version paths for every authenticated
// user. The aggregated roles (admin, edit, view) and the controllers' roles are not created.
import type { KubeObject } from '../objects.ts';
import { RBAC_GROUP } from './resources.ts';
import { ALL_AUTHENTICATED, SYSTEM_MASTERS } from './user.ts';

const META = (name: string) => ({
  name,
  labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' },
  annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' },
});

const role = (name: string, rules: readonly Record<string, readonly string[]>[]): KubeObject => ({
  apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRole', metadata: META(name), rules: rules.map((r) => ({ ...r })),
});

const binding = (name: string, groups: readonly string[]): KubeObject => ({
  apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', metadata: META(name),
  roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name },
  subjects: groups.map((g) => ({ apiGroup: RBAC_GROUP, kind: 'Group', name: g })),
});

export function bootstrapPolicy(): KubeObject[] {
  return [
    role('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }]),
    role('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    role('system:basic-user', [
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
    ]),
    role('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    binding('cluster-admin', [SYSTEM_MASTERS]),
    binding('system:discovery', [ALL_AUTHENTICATED]),
    binding('system:basic-user', [ALL_AUTHENTICATED]),
    binding('system:public-info-viewer', [ALL_AUTHENTICATED, 'system:unauthenticated']),
  ];
}
