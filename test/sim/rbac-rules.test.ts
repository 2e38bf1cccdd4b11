// The RBAC authorizer of `gns-sync sim --rbac` (local/sim/api/auth/rbac.ts) against Kubernetes
// v1.32's rules (plugin/pkg/auth/authorizer/rbac/rbac.go, pkg/apis/rbac/v1/evaluation_helpers.go,
// pkg/registry/rbac/validation/rule.go), and what requests ask for (requestinfo.go).
import { describe, expect, it } from 'vitest';
import { bootstrapPolicy } from '../../local/sim/api/auth/bootstrap.ts';
import { authorize, forbiddenMessage, ruleAllows } from '../../local/sim/api/auth/rbac.ts';
import type { PolicyRule } from '../../local/sim/api/auth/rbac.ts';
import type { Attributes } from '../../local/sim/api/auth/request-info.ts';
import { requestAttributes } from '../../local/sim/api/auth/request-info.ts';
import { TokenSigner } from '../../local/sim/api/auth/tokens.ts';
import { ADMIN, serviceAccountUser } from '../../local/sim/api/auth/user.ts';
import type { KubeObject } from '../../local/sim/api/objects.ts';
import { ObjectStore } from '../../local/sim/api/store.ts';

const rule = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...r });
const res = (verb: string, resource: string, more: Partial<{ apiGroup: string; namespace: string; subresource: string; name: string }> = {}): Attributes =>
  ({ resourceRequest: true, verb, apiGroup: '', apiVersion: 'v1', namespace: '', subresource: '', name: '', path: '', resource, ...more });
const url = (verb: string, path: string): Attributes => ({ resourceRequest: false, verb, path });

describe('RuleAllows (evaluation_helpers.go)', () => {
  it('matches verbs and API groups exactly or by *', () => {
    expect(ruleAllows(res('list', 'pods'), rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }))).toBe(true);
    expect(ruleAllows(res('watch', 'pods'), rule({ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }))).toBe(false);
    expect(ruleAllows(res('watch', 'pods'), rule({ verbs: ['*'], apiGroups: [''], resources: ['pods'] }))).toBe(true);
    expect(ruleAllows(res('list', 'endpointslices', { apiGroup: 'discovery.k8s.io' }), rule({ verbs: ['list'], apiGroups: [''], resources: ['endpointslices'] }))).toBe(false);
    expect(ruleAllows(res('list', 'endpointslices', { apiGroup: 'discovery.k8s.io' }), rule({ verbs: ['list'], apiGroups: ['*'], resources: ['endpointslices'] }))).toBe(true);
  });

  it('a subresource is its own resource: pods does not give pods/status; pods/status or */status does', () => {
    const status = res('update', 'pods', { subresource: 'status' });
    expect(ruleAllows(status, rule({ verbs: ['update'], apiGroups: [''], resources: ['pods'] }))).toBe(false);
    expect(ruleAllows(status, rule({ verbs: ['update'], apiGroups: [''], resources: ['pods/status'] }))).toBe(true);
    expect(ruleAllows(status, rule({ verbs: ['update'], apiGroups: [''], resources: ['*/status'] }))).toBe(true);
    expect(ruleAllows(status, rule({ verbs: ['update'], apiGroups: [''], resources: ['*'] }))).toBe(true);
    expect(ruleAllows(res('update', 'pods'), rule({ verbs: ['update'], apiGroups: [''], resources: ['*/status'] }))).toBe(false);
    expect(ruleAllows(res('get', 'pods', { subresource: 'scale' }), rule({ verbs: ['get'], apiGroups: [''], resources: ['*/status'] }))).toBe(false);
  });

  it('resourceNames limit named requests only: a list or create (no name) is not allowed by a named rule', () => {
    const lease = rule({ verbs: ['get', 'update', 'list', 'create'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['gns-sync-agent'] });
    expect(ruleAllows(res('get', 'leases', { apiGroup: 'coordination.k8s.io', name: 'gns-sync-agent' }), lease)).toBe(true);
    expect(ruleAllows(res('get', 'leases', { apiGroup: 'coordination.k8s.io', name: 'other' }), lease)).toBe(false);
    expect(ruleAllows(res('list', 'leases', { apiGroup: 'coordination.k8s.io' }), lease)).toBe(false);
    expect(ruleAllows(res('create', 'leases', { apiGroup: 'coordination.k8s.io' }), lease)).toBe(false);
  });

  it('nonResourceURLs: exact, a trailing * as a prefix, or *; resource rules never match a path', () => {
    const discovery = rule({ verbs: ['get'], nonResourceURLs: ['/api', '/api/*', '/version'] });
    expect(ruleAllows(url('get', '/api'), discovery)).toBe(true);
    expect(ruleAllows(url('get', '/api/v1'), discovery)).toBe(true);
    expect(ruleAllows(url('get', '/apis'), discovery)).toBe(false);
    expect(ruleAllows(url('get', '/version/'), discovery)).toBe(false);
    expect(ruleAllows(url('post', '/api'), discovery)).toBe(false);
    expect(ruleAllows(url('get', '/metrics'), rule({ verbs: ['*'], nonResourceURLs: ['*'] }))).toBe(true);
    expect(ruleAllows(url('get', '/api'), rule({ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }))).toBe(false);
  });
});

describe('what a request asks for (requestinfo.go)', () => {
  const at = (method: string, path: string): Attributes => requestAttributes(method, new URL(path, 'https://sim'));

  it('maps methods and paths to verbs, namespaces, resources, subresources and names', () => {
    expect(at('GET', '/api/v1/namespaces/ns/pods')).toMatchObject({ resourceRequest: true, verb: 'list', namespace: 'ns', resource: 'pods', name: '' });
    expect(at('GET', '/api/v1/namespaces/ns/pods?watch=true')).toMatchObject({ verb: 'watch' });
    expect(at('GET', '/api/v1/namespaces/ns/pods?watch=false')).toMatchObject({ verb: 'list' });
    expect(at('GET', '/api/v1/namespaces/ns/pods/p')).toMatchObject({ verb: 'get', name: 'p' });
    expect(at('PUT', '/api/v1/namespaces/ns/pods/p/status')).toMatchObject({ verb: 'update', resource: 'pods', subresource: 'status', name: 'p' });
    expect(at('PATCH', '/apis/apps/v1/namespaces/ns/statefulsets/s/scale')).toMatchObject({ verb: 'patch', apiGroup: 'apps', resource: 'statefulsets', subresource: 'scale' });
    expect(at('POST', '/api/v1/namespaces/ns/serviceaccounts/sa/token')).toMatchObject({ verb: 'create', resource: 'serviceaccounts', subresource: 'token', name: 'sa' });
    expect(at('DELETE', '/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices')).toMatchObject({ verb: 'deletecollection', apiGroup: 'discovery.k8s.io' });
    expect(at('DELETE', '/apis/discovery.k8s.io/v1/namespaces/ns/endpointslices/x')).toMatchObject({ verb: 'delete', name: 'x' });
    expect(at('GET', '/api/v1/pods')).toMatchObject({ verb: 'list', namespace: '', resource: 'pods' });
  });

  it('a Namespace is read in its own namespace; its status is its subresource', () => {
    expect(at('GET', '/api/v1/namespaces/ns')).toMatchObject({ verb: 'get', namespace: 'ns', resource: 'namespaces', name: 'ns' });
    expect(at('PUT', '/api/v1/namespaces/ns/status')).toMatchObject({ verb: 'update', namespace: 'ns', resource: 'namespaces', name: 'ns', subresource: 'status' });
  });

  it('a list or watch with fieldSelector metadata.name=X is authorized as one of X', () => {
    expect(at('GET', '/apis/coordination.k8s.io/v1/namespaces/gns-sync/leases?fieldSelector=metadata.name%3Dgns-sync-agent&watch=1')).toMatchObject({ verb: 'watch', name: 'gns-sync-agent' });
    expect(at('GET', '/api/v1/namespaces/ns/pods?fieldSelector=metadata.name!%3Dp')).toMatchObject({ verb: 'list', name: '' });
  });

  it('discovery and anything outside /api/VERSION and /apis/GROUP/VERSION are paths with the method as verb', () => {
    for (const p of ['/api', '/api/v1', '/apis', '/apis/apps', '/apis/apps/v1', '/version', '/openapi/v3/apis/apps/v1', '/healthz']) {
      expect(at('GET', p)).toEqual({ resourceRequest: false, verb: 'get', path: p });
    }
  });
});

describe('authorize over bindings (rule.go)', () => {
  const store = (): ObjectStore => {
    const s = new ObjectStore(100);
    let rv = 0;
    const put = (o: KubeObject): void => {
      const kinds: Record<string, string> = { Role: 'roles', ClusterRole: 'clusterroles', RoleBinding: 'rolebindings', ClusterRoleBinding: 'clusterrolebindings' };
      rv += 1;
      s.put(`${kinds[o.kind]}.rbac.authorization.k8s.io`, { ...o, metadata: { ...o.metadata, resourceVersion: String(rv) } }, rv);
    };
    for (const o of bootstrapPolicy()) put(o);
    put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
    put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'slices', namespace: 'a' }, rules: [{ apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['create'] }] });
    // A ClusterRole bound in one namespace grants only there; the ServiceAccount subject has no namespace: the binding's.
    put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'read', namespace: 'a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }] });
    put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'write', namespace: 'a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'slices' }, subjects: [{ kind: 'Group', name: 'system:serviceaccounts:gns' }] });
    put({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'dangling', namespace: 'b' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'missing' }, subjects: [{ kind: 'ServiceAccount', name: 'bot', namespace: 'a' }] });
    return s;
  };
  const bot = serviceAccountUser('a', 'bot', 'uid-1');

  it('a RoleBinding to a ClusterRole allows in its namespace only, and says by what', () => {
    const s = store();
    expect(authorize(s, bot, res('list', 'pods', { namespace: 'a' }))).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "read/a" of ClusterRole "pod-reader" to ServiceAccount "bot/a"' });
    expect(authorize(s, bot, res('list', 'pods', { namespace: 'c' }))).toEqual({ allowed: false, reason: '' });
    expect(authorize(s, bot, res('list', 'pods'))).toEqual({ allowed: false, reason: '' });
    expect(authorize(s, serviceAccountUser('c', 'bot', 'uid-2'), res('list', 'pods', { namespace: 'a' })).allowed).toBe(false);
  });

  it('a Group subject matches the ServiceAccount groups (system:serviceaccounts:NS)', () => {
    const s = store();
    expect(authorize(s, serviceAccountUser('gns', 'writer', 'u'), res('create', 'endpointslices', { apiGroup: 'discovery.k8s.io', namespace: 'a' })).allowed).toBe(true);
    expect(authorize(s, serviceAccountUser('other', 'writer', 'u'), res('create', 'endpointslices', { apiGroup: 'discovery.k8s.io', namespace: 'a' })).allowed).toBe(false);
  });

  it('a binding to a role that does not exist denies with the resolution error as the reason', () => {
    expect(authorize(store(), bot, res('get', 'pods', { namespace: 'b' }))).toEqual({ allowed: false, reason: 'RBAC: role.rbac.authorization.k8s.io "missing" not found' });
  });

  it('every authenticated user may discover and review itself (system:discovery, system:basic-user), nothing more', () => {
    const s = store();
    const nobody = serviceAccountUser('z', 'nobody', 'u');
    expect(authorize(s, nobody, url('get', '/apis/apps/v1')).allowed).toBe(true);
    expect(authorize(s, nobody, url('get', '/openapi/v3')).allowed).toBe(true);
    expect(authorize(s, nobody, url('get', '/metrics')).allowed).toBe(false);
    expect(authorize(s, nobody, res('create', 'selfsubjectaccessreviews', { apiGroup: 'authorization.k8s.io' })).reason).toBe('RBAC: allowed by ClusterRoleBinding "system:basic-user" of ClusterRole "system:basic-user" to Group "system:authenticated"');
    expect(authorize(s, nobody, res('create', 'selfsubjectreviews', { apiGroup: 'authentication.k8s.io' })).allowed).toBe(true);
    expect(authorize(s, nobody, res('list', 'namespaces')).allowed).toBe(false);
  });

  it('system:masters is allowed everything, even with no RBAC objects at all', () => {
    expect(authorize(new ObjectStore(1), ADMIN, res('delete', 'secrets', { namespace: 'kube-system', name: 'x' }))).toEqual({ allowed: true, reason: '' });
  });

  it('words the refusal as the API server does', () => {
    expect(forbiddenMessage(bot, res('list', 'pods', { namespace: 'x' }))).toBe('User "system:serviceaccount:a:bot" cannot list resource "pods" in API group "" in the namespace "x"');
    expect(forbiddenMessage(bot, res('update', 'pods', { namespace: 'x', subresource: 'status', name: 'p' }))).toBe('User "system:serviceaccount:a:bot" cannot update resource "pods/status" in API group "" in the namespace "x"');
    expect(forbiddenMessage(bot, res('list', 'endpointslices', { apiGroup: 'discovery.k8s.io' }))).toBe('User "system:serviceaccount:a:bot" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope');
    expect(forbiddenMessage(bot, url('get', '/metrics'))).toBe('User "system:serviceaccount:a:bot" cannot get path "/metrics"');
  });
});

describe('ServiceAccount tokens (claims.go)', () => {
  const sa = { namespace: 'a', name: 'bot', uid: 'uid-1' };
  it('a bound token holds until it expires; another cluster\'s signature or a changed token is no token', () => {
    const signer = new TokenSigner();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    const { token } = signer.bound(sa, ['https://kubernetes.default.svc.cluster.local'], 600, t0);
    expect(signer.check(token, t0 + 599_000)).toMatchObject({ type: 'bound', namespace: 'a', name: 'bot', uid: 'uid-1' });
    expect(signer.check(token, t0 + 601_000)).toBeUndefined();
    expect(new TokenSigner().check(token, t0)).toBeUndefined();
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'kubernetes/serviceaccount', 'kubernetes.io/serviceaccount/namespace': 'kube-system' })).toString('base64url');
    expect(signer.check(`${h}.${forged}.${s}`, t0)).toBeUndefined();
  });
});
