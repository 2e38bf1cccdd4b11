// EKS IAM tokens computed in process (no `aws` binary in Lambda): the presigned URL matches what
// the AWS SDK's own SigV4 signer produces for the same request, and the secret's EKS form is
// validated with one clear line.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  credentialsFromEnv, eksKubeConfig, eksToken, presignGetCallerIdentity,
} from '../../shared/adapters/kubernetes/eks-token.ts';
import { describeEksCluster, signDescribeCluster } from '../../shared/adapters/kubernetes/eks-cluster-apis.ts';
import { kubeConfigFromSecret } from '../../shared/adapters/kubernetes/cluster-apis.ts';
import { FinalError } from '../../shared/errors.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'IQoJb3JpZ2luX2VjE/session+token=' };
const now = new Date('2026-11-28T22:30:00Z');

/** SHA-256 (HMAC when keyed) in the shape the SDK signer takes. */
type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data): string | Uint8Array => (typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
class Sha256 {
  private readonly secret: Data | undefined;
  private hash: Hash | Hmac;
  constructor(secret?: Data) {
    this.secret = secret;
    this.hash = Sha256.create(secret);
  }
  private static create(secret?: Data): Hash | Hmac {
    return secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  reset(): void {
    this.hash = Sha256.create(this.secret);
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** The SDK's signer (every @aws-sdk client depends on it), as the reference. */
async function sdkPresign(clusterName: string, region: string, creds: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) {
  const signer = new SignatureV4({ service: 'sts', region, credentials: creds, sha256: Sha256, uriEscapePath: true });
  const host = `sts.${region}.amazonaws.com`;
  const signed = await signer.presign(
    { method: 'GET', protocol: 'https:', hostname: host, path: '/', query: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host, 'x-k8s-aws-id': clusterName } },
    { expiresIn: 60, signingDate: now },
  );
  return signed.query as Record<string, string>;
}

describe('presignGetCallerIdentity', () => {
  it.each([
    ['with a session token (a Lambda role)', credentials],
    ['with long-term keys', { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }],
  ])('signs exactly as the AWS SDK does, %s', async (_, creds) => {
    const url = new URL(presignGetCallerIdentity({ clusterName: 'prod-eu', region: 'eu-west-1', credentials: creds, now }));
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    const mine = Object.fromEntries(url.searchParams);
    expect(mine).toEqual(await sdkPresign('prod-eu', 'eu-west-1', creds));
    expect(mine['X-Amz-SignedHeaders']).toBe('host;x-k8s-aws-id');
  });
});

describe('eksToken', () => {
  it('is k8s-aws-v1. and the unpadded base64url of the presigned URL, as aws eks get-token prints', () => {
    const token = eksToken({ clusterName: 'prod-eu', region: 'eu-west-1', credentials, now });
    expect(token).toMatch(/^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString()).toBe(presignGetCallerIdentity({ clusterName: 'prod-eu', region: 'eu-west-1', credentials, now }));
  });

  it('builds a KubeConfig with the endpoint, CA and a bearer token', () => {
    const kc = eksKubeConfig({ name: 'prod-eu', region: 'eu-west-1', endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthorityData: 'LS0tLS1CRUdJTg==' }, credentials, now, 'gns-sync/clusters/c');
    expect(kc.getCurrentCluster()).toMatchObject({ server: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', caData: 'LS0tLS1CRUdJTg==' });
    expect(kc.getCurrentUser()?.token).toMatch(/^k8s-aws-v1\./);
  });

  it('without credentials, says what is missing', () => {
    expect(() => eksKubeConfig({ name: 'x', region: 'eu-west-1', endpoint: 'https://x', certificateAuthorityData: 'x' }, undefined, now, 'gns-sync/clusters/c')).toThrow(/needs the function's AWS credentials/);
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'a' })).toBeUndefined();
    expect(credentialsFromEnv({ AWS_ACCESS_KEY_ID: 'a', AWS_SECRET_ACCESS_KEY: 'b', AWS_SESSION_TOKEN: 'c' })).toEqual({ accessKeyId: 'a', secretAccessKey: 'b', sessionToken: 'c' });
  });
});

describe('kubeConfigFromSecret (the Secrets Manager path of the functions)', () => {
  it('refuses the old EKS form: an endpoint from a secret could send the function\'s token anywhere', () => {
    const text = JSON.stringify({ eks: { name: 'prod-eu', region: 'eu-west-1', endpoint: 'https://attacker.example', certificateAuthorityData: 'LS0t' } });
    expect(() => kubeConfigFromSecret(text, 'clusterOne')).toThrow(FinalError);
    expect(() => kubeConfigFromSecret(text, 'clusterOne')).toThrow(/an \{"eks": …\} secret is no longer read .*name the EKS cluster in the config instead \(clusters\[\]\.eks/);
  });
});

describe('DescribeCluster (the endpoint and CA of an EKS cluster of the config)', () => {
  it.each([
    ['with a session token (a Lambda role)', credentials],
    ['with long-term keys', { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey }],
  ])('is signed exactly as the AWS SDK signs it, %s', async (_, creds) => {
    const mine = signDescribeCluster({ name: 'prod-eu', region: 'eu-west-1' }, creds, now);
    expect(mine.url).toBe('https://eks.eu-west-1.amazonaws.com/clusters/prod-eu');
    const signer = new SignatureV4({ service: 'eks', region: 'eu-west-1', credentials: creds, sha256: Sha256, uriEscapePath: true });
    const host = 'eks.eu-west-1.amazonaws.com';
    const sdk = await signer.sign({ method: 'GET', protocol: 'https:', hostname: host, path: '/clusters/prod-eu', headers: { host } }, { signingDate: now });
    expect(mine.headers.authorization).toBe(sdk.headers.authorization);
  });

  it('asks for exactly the configured cluster and takes only an https endpoint with a CA', async () => {
    const asked: string[] = [];
    const send = async (req: { url: string }) => {
      asked.push(req.url);
      return { status: 200, body: JSON.stringify({ cluster: { endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthority: { data: 'LS0t' } } }) };
    };
    expect(await describeEksCluster({ name: 'prod-eu', region: 'eu-west-1' }, credentials, now, send)).toEqual({ endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com', certificateAuthorityData: 'LS0t' });
    expect(asked).toEqual(['https://eks.eu-west-1.amazonaws.com/clusters/prod-eu']);
    const plain = async () => ({ status: 200, body: JSON.stringify({ cluster: { endpoint: 'http://x', certificateAuthority: { data: 'LS0t' } } }) });
    await expect(describeEksCluster({ name: 'prod-eu', region: 'eu-west-1' }, credentials, now, plain)).rejects.toThrow(/no https endpoint and CA/);
    const denied = async () => ({ status: 403, body: '{"message":"not authorized"}' });
    await expect(describeEksCluster({ name: 'prod-eu', region: 'eu-west-1' }, credentials, now, denied)).rejects.toThrow(FinalError);
  });
});
