// ClusterApis for the EKS clusters named in the config (clusters[].eks: {name, region}; issue 11,
// finding 1). The function reaches each with its own role: the API endpoint and CA come from
// `eks:DescribeCluster` on exactly that cluster (the function is granted it on those ARNs only),
// and the bearer token is computed in process (./eks-token.ts) for that cluster name. Nothing is
// read from a secret, so no secret can point the function's token at another server.
//
// DescribeCluster is a SigV4-signed `GET https://eks.<region>.amazonaws.com/clusters/<name>`;
// signed here (as the token is) rather than through @aws-sdk/client-eks, which the project does
// not depend on (the signature is checked against the SDK's signer in the tests).
import { createHash, createHmac } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import { request } from 'node:https';
import { FinalError, RetryableError } from '../../errors.ts';
import type { ClusterApi, ClusterApis } from '../../ports.ts';
import { kubeClusterApi } from './cluster-api.ts';
import type { ClusterApiOptions } from './cluster-apis.ts';
import { credentialsFromEnv, eksKubeConfig } from './eks-token.ts';
import type { AwsCredentials } from './eks-token.ts';
import { expiringCache } from './expiring-cache.ts';

export interface EksClusterRef {
  readonly name: string;
  readonly region: string;
}

export interface SignedRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What DescribeCluster returned that matters: the endpoint and the CA (base64 PEM). */
export interface EksEndpoint {
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/** The SigV4-signed DescribeCluster request for one cluster. */
export function signDescribeCluster(ref: EksClusterRef, credentials: AwsCredentials, now: Date): SignedRequest {
  const host = `eks.${ref.region}.amazonaws.com`;
  const path = `/clusters/${encodeURIComponent(ref.name)}`;
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${ref.region}/eks/aws4_request`;
  const headers: Record<string, string> = { host, 'x-amz-content-sha256': sha256(''), 'x-amz-date': amzDate, ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}) };
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonical = ['GET', path, '', ...names.map((n) => `${n}:${headers[n]}`), '', signedHeaders, sha256('')].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), ref.region), 'eks'), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    url: `https://${host}${path}`,
    headers: { ...headers, authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}` },
  };
}

/** Sends a signed GET; resolves with the status and body. */
export type Send = (req: SignedRequest) => Promise<{ readonly status: number; readonly body: string }>;

export const httpsSend: Send = (req) => new Promise((resolve, reject) => {
  const r = request(req.url, { method: 'GET', headers: req.headers, timeout: 10_000 }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => { body += c; });
    res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
  });
  r.on('timeout', () => r.destroy(new Error('DescribeCluster did not answer within 10 s')));
  r.on('error', reject);
  r.end();
});

/** DescribeCluster for `ref`; the endpoint must be https and the CA present. */
export async function describeEksCluster(ref: EksClusterRef, credentials: AwsCredentials, now: Date, send: Send = httpsSend): Promise<EksEndpoint> {
  const what = `EKS cluster ${ref.name} (${ref.region})`;
  let res;
  try {
    res = await send(signDescribeCluster(ref, credentials, now));
  } catch (error) {
    throw new RetryableError(`${what}: DescribeCluster failed (${error instanceof Error ? error.message : String(error)}); retried`, { cause: error });
  }
  if (res.status >= 500 || res.status === 429) throw new RetryableError(`${what}: DescribeCluster answered ${res.status}; retried`);
  if (res.status !== 200) throw new FinalError(`${what}: DescribeCluster answered ${res.status} (${res.body.slice(0, 200)}); check the config's eks name and region and the function's eks:DescribeCluster grant`);
  const cluster = (JSON.parse(res.body) as { cluster?: { endpoint?: unknown; certificateAuthority?: { data?: unknown } } }).cluster;
  const endpoint = cluster?.endpoint;
  const ca = cluster?.certificateAuthority?.data;
  if (typeof endpoint !== 'string' || !endpoint.startsWith('https://') || typeof ca !== 'string' || ca === '') {
    throw new FinalError(`${what}: DescribeCluster returned no https endpoint and CA (is the cluster still being created?)`);
  }
  return { endpoint, certificateAuthorityData: ca };
}

export interface EksClusterApisOptions extends ClusterApiOptions {
  /** gns-sync cluster name → its EKS cluster (from the config). */
  readonly clusters: ReadonlyMap<string, EksClusterRef>;
  readonly credentials?: () => AwsCredentials | undefined;
  readonly send?: Send;
  /** How long a described endpoint and its token are used (default 5 min; the token lasts 15). */
  readonly ttlMs?: number;
  readonly clock?: () => number;
}

/** What reaching an EKS cluster of the config takes (the slice writer's and the routing writer's). */
export type EksAccess = Pick<EksClusterApisOptions, 'clusters' | 'credentials' | 'send' | 'clock'>;

/**
 * The KubeConfig of one EKS cluster of the config: its endpoint and CA from DescribeCluster on
 * exactly that cluster, a token computed for it with the function's role. Shared by the slice
 * adapter (below) and the routing adapter (./eks-routing-apis.ts).
 */
export async function eksKubeConfigOf(cluster: string, access: EksAccess): Promise<KubeConfig> {
  const { clusters, credentials = () => credentialsFromEnv(process.env), send, clock = Date.now } = access;
  const ref = clusters.get(cluster);
  if (!ref) throw new FinalError(`cluster ${cluster}: not an EKS cluster of the config`);
  const creds = credentials();
  const now = new Date(clock());
  if (!creds) throw new FinalError(`cluster ${cluster}: EKS authentication needs the function's AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), and there are none`);
  const endpoint = await describeEksCluster(ref, creds, now, send);
  return eksKubeConfig({ name: ref.name, region: ref.region, ...endpoint }, creds, now, `EKS cluster ${ref.name}`);
}

export function eksClusterApis(options: EksClusterApisOptions): ClusterApis {
  const { clusters, credentials, send, ttlMs = 5 * 60_000, clock = Date.now, ...apiOptions } = options;

  async function load(cluster: string): Promise<ClusterApi> {
    const kc = await eksKubeConfigOf(cluster, { clusters, clock, ...(credentials ? { credentials } : {}), ...(send ? { send } : {}) });
    return kubeClusterApi(kc, { ...apiOptions, cluster, onUnauthorized: () => cache.drop(cluster) });
  }

  const cache = expiringCache(load, ttlMs, clock);
  return { get: (cluster) => cache.get(cluster) };
}

/** EKS clusters of the config through `eks`, every other cluster through `others` (its secret). */
export function routedClusterApis(isEks: (cluster: string) => boolean, eks: ClusterApis, others: ClusterApis): ClusterApis {
  return { get: (cluster) => (isEks(cluster) ? eks : others).get(cluster) };
}
