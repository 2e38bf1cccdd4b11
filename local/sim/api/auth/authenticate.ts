// Bearer-token authentication (`gns-sync sim --rbac`): the admin token of the kubeconfig the
// sim writes, and ServiceAccount tokens, checked as Kubernetes v1.32's authenticators check
// them (pkg/serviceaccount/jwt.go, claims.go, legacy.go): a signature of this cluster, a bound
// token's audience (the API server's) and expiry, and that what it names still exists — the
// ServiceAccount with the same uid; the Pod or Secret a token is bound to; a legacy token's
// Secret, still holding that very token. Anything else is no one: the caller answers 401.
import type { ObjectStore } from '../store.ts';
import type { KubeObject } from '../objects.ts';
import { isPlainObject } from '../objects.ts';
import type { TokenSigner } from './tokens.ts';
import { API_AUDIENCE } from './tokens.ts';
import type { UserInfo } from './user.ts';
import { ADMIN, serviceAccountUser } from './user.ts';

export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';

export interface AuthnContext {
  readonly store: ObjectStore;
  readonly signer: TokenSigner;
  /** The admin's token (undefined: none). */
  readonly adminToken: string | undefined;
  readonly now: () => number;
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}

const live = (o: KubeObject | undefined, uid: string): o is KubeObject => o !== undefined && o.metadata.uid === uid && !o.metadata.deletionTimestamp;

/** The user a token stands for, or undefined when it stands for no one. */
export function authenticate(token: string | undefined, ctx: AuthnContext): UserInfo | undefined {
  if (token === undefined || token === '') return undefined;
  if (ctx.adminToken !== undefined && token === ctx.adminToken) return ADMIN;
  const claims = ctx.signer.check(token, ctx.now());
  if (!claims) return undefined;
  const sa = ctx.store.get('serviceaccounts', claims.namespace, claims.name);
  if (!live(sa, claims.uid)) return undefined;
  if (claims.type === 'legacy') {
    const secret = ctx.store.get('secrets', claims.namespace, claims.secretName);
    if (!secret || secret.metadata.deletionTimestamp || secret.type !== SERVICE_ACCOUNT_TOKEN_TYPE) return undefined;
    const data = isPlainObject(secret.data) ? secret.data : {};
    if (typeof data.token !== 'string' || Buffer.from(data.token, 'base64').toString('utf8') !== token) return undefined;
    return serviceAccountUser(claims.namespace, claims.name, claims.uid);
  }
  if (!claims.audiences.includes(API_AUDIENCE)) return undefined;
  const extra: Record<string, string[]> = { 'authentication.kubernetes.io/credential-id': [`JTI=${claims.jti}`] };
  if (claims.bound) {
    const storage = claims.bound.kind === 'Pod' ? 'pods' : claims.bound.kind === 'Secret' ? 'secrets' : 'nodes';
    const obj = ctx.store.get(storage, claims.bound.kind === 'Node' ? undefined : claims.namespace, claims.bound.name);
    if (!live(obj, claims.bound.uid)) return undefined;
    if (claims.bound.kind === 'Pod') {
      extra['authentication.kubernetes.io/pod-name'] = [claims.bound.name];
      extra['authentication.kubernetes.io/pod-uid'] = [claims.bound.uid];
    }
  }
  return serviceAccountUser(claims.namespace, claims.name, claims.uid, extra);
}
