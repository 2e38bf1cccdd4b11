// ServiceAccount tokens as the API server signs them: JWTs (ES256 with a key per simulated
// cluster) with the claims of Kubernetes v1.32 pkg/serviceaccount/claims.go (bound tokens of the
// TokenRequest API: audiences, expiry, jti, the bound object) and legacy.go (the long-lived
// tokens of `kubernetes.io/service-account-token` Secrets). Verification checks the signature
// and the times only; that the ServiceAccount and the bound object still exist is the
// authenticator's part (authenticate.ts).
import { generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isPlainObject } from '../objects.ts';

/** The issuer and audience of bound tokens (kind's `--service-account-issuer`). */
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';

export interface BoundRef {
  readonly kind: 'Pod' | 'Secret' | 'Node';
  readonly name: string;
  readonly uid: string;
}

/** What a valid token says. */
export type TokenClaims =
  | { readonly type: 'bound'; readonly namespace: string; readonly name: string; readonly uid: string; readonly audiences: readonly string[]; readonly jti: string; readonly expiresAt: number; readonly bound?: BoundRef }
  | { readonly type: 'legacy'; readonly namespace: string; readonly name: string; readonly uid: string; readonly secretName: string };

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export class TokenSigner {
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private readonly keyId: string;

  constructor() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.keyId = randomUUID();
  }

  /** The key that signs the tokens (and the sim's CA certificate, ca.ts). */
  get signingKey(): KeyObject {
    return this.privateKey;
  }

  private jwt(payload: Record<string, unknown>): string {
    const head = `${b64({ alg: 'ES256', kid: this.keyId })}.${b64(payload)}`;
    return `${head}.${sign('sha256', Buffer.from(head), { key: this.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  }

  /** A TokenRequest's token (claims.go: iss, aud, exp, iat, nbf, jti, sub, kubernetes.io). */
  bound(sa: { namespace: string; name: string; uid: string }, audiences: readonly string[], expirationSeconds: number, nowMs: number, bound?: BoundRef): { token: string; jti: string; expiresAt: number } {
    const iat = Math.floor(nowMs / 1000);
    const jti = randomUUID();
    const kube: Record<string, unknown> = { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } };
    if (bound) kube[bound.kind.toLowerCase()] = { name: bound.name, uid: bound.uid };
    const token = this.jwt({
      aud: audiences, exp: iat + expirationSeconds, iat, iss: API_AUDIENCE, jti, 'kubernetes.io': kube, nbf: iat, sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    });
    return { token, jti, expiresAt: (iat + expirationSeconds) * 1000 };
  }

  /** A Secret's long-lived token (legacy.go's claims, no expiry). */
  legacy(sa: { namespace: string; name: string; uid: string }, secretName: string): string {
    return this.jwt({
      iss: LEGACY_ISSUER,
      'kubernetes.io/serviceaccount/namespace': sa.namespace,
      'kubernetes.io/serviceaccount/secret.name': secretName,
      'kubernetes.io/serviceaccount/service-account.name': sa.name,
      'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    });
  }

  /** The claims of a token this signer issued, still within its times; undefined otherwise. */
  check(token: string, nowMs: number): TokenClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, signature] = parts as [string, string, string];
    if (!verify('sha256', Buffer.from(`${head}.${body}`), { key: this.publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))) return undefined;
    let c: unknown;
    try {
      c = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (!isPlainObject(c)) return undefined;
    if (c.iss === LEGACY_ISSUER) {
      const s = (k: string): string => String(c[`kubernetes.io/serviceaccount/${k}`] ?? '');
      return { type: 'legacy', namespace: s('namespace'), name: s('service-account.name'), uid: s('service-account.uid'), secretName: s('secret.name') };
    }
    const kube = isPlainObject(c['kubernetes.io']) ? c['kubernetes.io'] : {};
    const sa = isPlainObject(kube.serviceaccount) ? kube.serviceaccount : {};
    const now = Math.floor(nowMs / 1000);
    if (typeof c.exp !== 'number' || c.exp < now || (typeof c.nbf === 'number' && c.nbf > now)) return undefined;
    const bound = (['pod', 'secret', 'node'] as const).map((k) => [k, kube[k]] as const).find(([, v]) => isPlainObject(v));
    const ref = bound && isPlainObject(bound[1]) ? { kind: (bound[0] === 'pod' ? 'Pod' : bound[0] === 'secret' ? 'Secret' : 'Node') as BoundRef['kind'], name: String(bound[1].name ?? ''), uid: String(bound[1].uid ?? '') } : undefined;
    return {
      type: 'bound', namespace: String(kube.namespace ?? ''), name: String(sa.name ?? ''), uid: String(sa.uid ?? ''),
      audiences: Array.isArray(c.aud) ? c.aud.map(String) : [String(c.aud ?? '')], jti: String(c.jti ?? ''), expiresAt: c.exp * 1000, ...(ref ? { bound: ref } : {}),
    };
  }
}
