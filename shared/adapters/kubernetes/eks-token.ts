// EKS IAM authentication without an `exec` plugin (Lambda has no `aws` binary): the bearer token
// `aws eks get-token` prints, computed in process. It is a SigV4-presigned STS GetCallerIdentity
// URL with the header `x-k8s-aws-id: <cluster name>`, base64url-encoded after `k8s-aws-v1.`;
// EKS accepts it for 15 minutes (we presign for 60 s, as aws-iam-authenticator does, and EKS
// adds its own 14-minute allowance). The function's role must be mapped in the cluster (an EKS
// access entry bound to the writer RBAC: docs/deploy.md).
//
// An EKS cluster named in the config (clusters[].eks) is reached this way, with its endpoint and
// CA from DescribeCluster (./eks-cluster-apis.ts), never from a secret.
import { createHash, createHmac } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { FinalError } from '../../errors.ts';

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What a KubeConfig for an EKS cluster needs: its name and region (the config) and endpoint and CA (DescribeCluster). */
export interface EksSecret {
  readonly name: string;
  readonly region: string;
  readonly endpoint: string;
  readonly certificateAuthorityData: string;
}

/** The credentials Lambda gives a function (its role's), from the environment. */
export function credentialsFromEnv(env: Readonly<Record<string, string | undefined>>): AwsCredentials | undefined {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
}

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
/** RFC 3986 encoding, as SigV4 wants it. */
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The presigned STS GetCallerIdentity URL the token wraps. */
export function presignGetCallerIdentity(input: { clusterName: string; region: string; credentials: AwsCredentials; now: Date; expiresSeconds?: number }): string {
  const host = `sts.${input.region}.amazonaws.com`;
  const amzDate = input.now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${input.region}/sts/aws4_request`;
  const query: Record<string, string> = {
    Action: 'GetCallerIdentity',
    Version: '2011-06-15',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${input.credentials.accessKeyId}/${scope}`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': String(input.expiresSeconds ?? 60),
    'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    ...(input.credentials.sessionToken ? { 'X-Amz-Security-Token': input.credentials.sessionToken } : {}),
  };
  const canonicalQuery = Object.keys(query).sort().map((k) => `${encode(k)}=${encode(query[k]!)}`).join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${host}`, `x-k8s-aws-id:${input.clusterName}`, '', 'host;x-k8s-aws-id', sha256('')].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, day), input.region), 'sts'), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return `https://${host}/?${canonicalQuery}&X-Amz-Signature=${signature}`;
}

/** The bearer token `aws eks get-token` would print. */
export function eksToken(input: { clusterName: string; region: string; credentials: AwsCredentials; now: Date }): string {
  return `k8s-aws-v1.${Buffer.from(presignGetCallerIdentity(input)).toString('base64url')}`;
}

/** A KubeConfig for an EKS cluster with a fresh token (valid ≈ 15 min: callers reload within that). */
export function eksKubeConfig(eks: EksSecret, credentials: AwsCredentials | undefined, now: Date, secretName: string): KubeConfig {
  if (!credentials) {
    throw new FinalError(`secret ${secretName}: EKS authentication needs the function's AWS credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in the environment), and there are none`);
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: eks.name, server: eks.endpoint, caData: eks.certificateAuthorityData, skipTLSVerify: false }],
    users: [{ name: 'gns-sync', token: eksToken({ clusterName: eks.name, region: eks.region, credentials, now }) }],
    contexts: [{ name: eks.name, cluster: eks.name, user: 'gns-sync' }],
    currentContext: eks.name,
  });
  return kc;
}
