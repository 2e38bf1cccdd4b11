// The one place a request meets authentication and authorization (`gns-sync sim --rbac`,
// docs/adr/0011-simulated-clusters.md). Enforced: a request without a valid bearer token gets
// 401 (as kube-apiserver with --anonymous-auth=false), one RBAC does not allow 403 with the
// API server's message. Not enforced (the default): any token is the admin, everything is
// allowed — but ServiceAccount tokens still say who they are, and the reviews still answer.
import type { IncomingMessage } from 'node:http';
import type { ObjectStore } from '../store.ts';
import type { ResourceDef } from '../resources.ts';
import { ApiError, methodNotAllowed } from '../status.ts';
import type { AuthnContext } from './authenticate.ts';
import { authenticate, bearerToken } from './authenticate.ts';
import type { Attributes } from './request-info.ts';
import { requestAttributes } from './request-info.ts';
import type { Decision } from './rbac.ts';
import { authorize, forbiddenMessage } from './rbac.ts';
import { isReview } from './resources.ts';
import type { Answer } from './reviews.ts';
import { selfSubjectAccessReview, selfSubjectReview, selfSubjectRulesReview, tokenRequest } from './reviews.ts';
import { TokenSigner } from './tokens.ts';
import type { UserInfo } from './user.ts';
import { ADMIN } from './user.ts';

export interface AuthOptions {
  /** Enforce authentication and RBAC. */
  readonly enforce: boolean;
  /** The admin's bearer token (the kubeconfig's); with enforce, the only non-ServiceAccount identity. */
  readonly adminToken?: string;
}

/** Where a request goes, as the server routed it. */
export interface RoutedTarget {
  readonly def: ResourceDef;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

/** errors.NewForbidden(GroupResource, name, message[: reason]), as responsewriters.Forbidden writes it. */
export function forbidden(user: UserInfo, a: Attributes, reason: string): ApiError {
  const why = `${forbiddenMessage(user, a)}${reason ? `: ${reason}` : ''}`;
  if (!a.resourceRequest) return new ApiError(403, 'Forbidden', `forbidden: ${why}`, {});
  const gr = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
  return new ApiError(403, 'Forbidden', a.name ? `${gr} "${a.name}" is forbidden: ${why}` : `${gr} is forbidden: ${why}`, {
    ...(a.name ? { name: a.name } : {}), ...(a.apiGroup ? { group: a.apiGroup } : {}), kind: a.resource,
  });
}

export class AuthGate {
  readonly enforce: boolean;
  readonly signer = new TokenSigner();
  private readonly store: ObjectStore;
  private readonly authn: AuthnContext;

  constructor(store: ObjectStore, now: () => number, opts: AuthOptions) {
    this.store = store;
    this.enforce = opts.enforce;
    this.authn = { store, signer: this.signer, adminToken: opts.adminToken, now };
  }

  /** The user a request is from, if it may do what it asks; else throws 401 or 403. */
  admit(req: IncomingMessage, url: URL): UserInfo {
    const user = authenticate(bearerToken(req.headers.authorization), this.authn);
    if (!this.enforce) return user ?? ADMIN;
    if (!user) throw unauthorized();
    const a = requestAttributes(req.method ?? 'GET', url);
    const d = this.decide(user, a);
    if (!d.allowed) throw forbidden(user, a, d.reason);
    return user;
  }

  decide(user: UserInfo, a: Attributes): Decision {
    return this.enforce ? authorize(this.store, user, a) : { allowed: true, reason: '' };
  }

  /** Answers TokenRequests and the reviews (never stored); undefined for every other request. */
  async answer(user: UserInfo, method: string, t: RoutedTarget, body: () => Promise<unknown>, now: number): Promise<Answer | undefined> {
    const token = t.def.plural === 'serviceaccounts' && t.subresource === 'token';
    if (!token && !isReview(t.def.plural, t.def.group)) return undefined;
    if (method !== 'POST' || (!token && t.name !== undefined)) throw methodNotAllowed();
    const b = await body();
    if (token) return tokenRequest(this.store, this.signer, t.namespace ?? '', t.name ?? '', b, now);
    if (t.def.kind === 'SelfSubjectReview') return selfSubjectReview(user);
    if (t.def.kind === 'SelfSubjectAccessReview') return selfSubjectAccessReview(user, b, (a) => this.decide(user, a));
    return selfSubjectRulesReview(this.store, user, b, this.enforce);
  }
}
