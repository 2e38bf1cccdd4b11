// The requests that are answered rather than stored: TokenRequest (`kubectl create token`,
// POST serviceaccounts/NAME/token), SelfSubjectReview (`kubectl auth whoami`),
// SelfSubjectAccessReview (`kubectl auth can-i`) and SelfSubjectRulesReview (`kubectl auth
// can-i --list`), with the defaults and validation of Kubernetes v1.32
// (pkg/registry/core/serviceaccount/storage/token.go, pkg/apis/authentication/validation,
// pkg/registry/authorization/selfsubjectaccessreview, selfsubjectrulesreview).
import { isPlainObject, timestamp } from '../objects.ts';
import type { ObjectStore } from '../store.ts';
import { ApiError } from '../status.ts';
import type { Attributes } from './request-info.ts';
import type { PolicyRule } from './rbac.ts';
import { rulesFor } from './rbac.ts';
import type { BoundRef, TokenSigner } from './tokens.ts';
import { API_AUDIENCE } from './tokens.ts';
import type { UserInfo } from './user.ts';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export interface Answer {
  readonly code: number;
  readonly body: unknown;
}

function invalid(kind: string, group: string, name: string, field: string, value: unknown, detail: string): ApiError {
  const message = `Invalid value: ${JSON.stringify(value)}: ${detail}`;
  return new ApiError(422, 'Invalid', `${kind}.${group} "${name}" is invalid: ${field}: ${message}`, { name, group, kind, causes: [{ reason: 'FieldValueInvalid', message, field }] });
}

const notFound = (resource: string, name: string): ApiError => new ApiError(404, 'NotFound', `${resource} "${name}" not found`, { name, kind: resource });

/** TokenRequest: a token for the ServiceAccount, for the audiences and time asked (default the API server, 1 h). */
export function tokenRequest(store: ObjectStore, signer: TokenSigner, namespace: string, name: string, body: unknown, now: number): Answer {
  const req = o(body);
  const spec = o(req.spec);
  const sa = store.get('serviceaccounts', namespace, name);
  if (!sa || sa.metadata.deletionTimestamp) throw notFound('serviceaccounts', name);
  const audiences = Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences.map(String) : [API_AUDIENCE];
  const seconds = spec.expirationSeconds === undefined || spec.expirationSeconds === null ? 3600 : Number(spec.expirationSeconds);
  if (!Number.isInteger(seconds) || seconds < 600) throw invalid('TokenRequest', 'authentication.k8s.io', name, 'spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes');
  if (seconds > 2 ** 32) throw invalid('TokenRequest', 'authentication.k8s.io', name, 'spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds');
  let bound: BoundRef | undefined;
  const ref = o(spec.boundObjectRef);
  if (spec.boundObjectRef !== undefined && spec.boundObjectRef !== null) {
    const kind = str(ref.kind);
    if (kind !== 'Pod' && kind !== 'Secret' && kind !== 'Node') {
      throw new ApiError(400, 'BadRequest', `cannot bind token for serviceaccount "${name}" to object of kind "${kind}" (supported: Pod, Secret, Node)`);
    }
    const storage = kind === 'Pod' ? 'pods' : kind === 'Secret' ? 'secrets' : 'nodes';
    const obj = store.get(storage, kind === 'Node' ? undefined : namespace, str(ref.name));
    if (!obj) throw notFound(storage, str(ref.name));
    if (str(ref.uid) !== '' && str(ref.uid) !== obj.metadata.uid) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${storage} "${str(ref.name)}": the UID in the bound object reference (${str(ref.uid)}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    bound = { kind, name: str(ref.name), uid: obj.metadata.uid ?? '' };
  }
  const issued = signer.bound({ namespace, name, uid: sa.metadata.uid ?? '' }, audiences, seconds, now, bound);
  return {
    code: 201,
    body: {
      kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: timestamp(now) },
      spec: { audiences, expirationSeconds: seconds, boundObjectRef: bound ? { kind: bound.kind, apiVersion: 'v1', name: bound.name, uid: bound.uid } : null },
      status: { token: issued.token, expirationTimestamp: timestamp(issued.expiresAt) },
    },
  };
}

export function selfSubjectReview(user: UserInfo): Answer {
  const userInfo = { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups], ...(user.extra ? { extra: user.extra } : {}) };
  return { code: 201, body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, status: { userInfo } } };
}

/** `allowed` as RBAC decides (`authorize` is the gate's decision, which --rbac makes RBAC's). */
export function selfSubjectAccessReview(user: UserInfo, body: unknown, decide: (a: Attributes) => { allowed: boolean; reason: string }): Answer {
  const spec = o(o(body).spec);
  const res = spec.resourceAttributes;
  const non = spec.nonResourceAttributes;
  if ((res === undefined || res === null) === (non === undefined || non === null)) {
    throw invalid('SelfSubjectAccessReview', 'authorization.k8s.io', '', 'spec.resourceAttributes', res === undefined || res === null ? 'null' : res,
      'exactly one of nonResourceAttributes or resourceAttributes must be specified');
  }
  let a: Attributes;
  if (res !== undefined && res !== null) {
    const r = o(res);
    a = { resourceRequest: true, verb: str(r.verb), apiGroup: str(r.group), apiVersion: str(r.version), namespace: str(r.namespace), resource: str(r.resource), subresource: str(r.subresource), name: str(r.name), path: '' };
  } else {
    const n = o(non);
    a = { resourceRequest: false, verb: str(n.verb), path: str(n.path) };
  }
  const d = decide(a);
  return {
    code: 201,
    body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec, status: { allowed: d.allowed, ...(d.reason ? { reason: d.reason } : {}) } },
  };
}

export function selfSubjectRulesReview(store: ObjectStore, user: UserInfo, body: unknown, enforced: boolean): Answer {
  const spec = o(o(body).spec);
  const namespace = str(spec.namespace);
  const { rules, errors } = enforced ? rulesFor(store, user, namespace) : { rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], resourceNames: [], nonResourceURLs: [] }, { verbs: ['*'], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: ['*'] }] as PolicyRule[], errors: [] };
  const resourceRules = rules.filter((r) => r.resources.length > 0).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups, resources: r.resources, ...(r.resourceNames.length ? { resourceNames: r.resourceNames } : {}) }));
  const nonResourceRules = rules.filter((r) => r.nonResourceURLs.length > 0).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
  return {
    code: 201,
    body: {
      kind: 'SelfSubjectRulesReview', apiVersion: 'authorization.k8s.io/v1', metadata: { creationTimestamp: null }, spec: { namespace },
      status: { resourceRules, nonResourceRules, incomplete: false, ...(errors.length ? { evaluationError: errors.join(', ') } : {}) },
    },
  };
}
