// EKS IAM tokens computed in process (no `aws` binary in Lambda): the presigned URL matches what
// the AWS SDK's own SigV4 signer produces for the same request, and the secret's EKS form is
// validated with one clear line.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import {
  credentialsFromEnv, eksKubeConfig, eksToken, parseEksSecret, presignGetCallerIdentity,
} from '../../shared/adapters/kubernetes/eks-token.ts';
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
  it('takes the EKS form and signs with the function\'s credentials from the environment', () => {
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_SESSION_TOKEN: credentials.sessionToken });
    try {
      const text = JSON.stringify({ eks: { name: 'prod-eu', region: 'eu-west-1', endpoint: 'https://ABC.eks.amazonaws.com', certificateAuthorityData: 'LS0t' } });
      const kc = kubeConfigFromSecret(text, 'clusterOne');
      expect(kc.getCurrentCluster()?.server).toBe('https://ABC.eks.amazonaws.com');
      const url = Buffer.from((kc.getCurrentUser()?.token ?? '').replace('k8s-aws-v1.', ''), 'base64url').toString();
      expect(new URL(url).searchParams.get('X-Amz-Credential')).toMatch(/^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/sts\/aws4_request$/);
    } finally {
      for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe('parseEksSecret', () => {
  it('is undefined for a kubeconfig (YAML) or JSON without `eks`: the secret is a kubeconfig then', () => {
    expect(parseEksSecret('apiVersion: v1\nkind: Config\n', 's')).toBeUndefined();
    expect(parseEksSecret('{"apiVersion":"v1","kind":"Config"}', 's')).toBeUndefined();
  });

  it('reads the EKS form', () => {
    const eks = { name: 'prod-eu', region: 'eu-west-1', endpoint: 'https://ABC.eks.amazonaws.com', certificateAuthorityData: 'LS0t' };
    expect(parseEksSecret(JSON.stringify({ eks }), 's')).toEqual(eks);
  });

  it.each([
    [{ eks: { name: 'a', region: 'eu-west-1', endpoint: 'http://plain', certificateAuthorityData: 'x' } }, /eks\.endpoint/],
    [{ eks: { name: 'a', region: 'Ireland', endpoint: 'https://x', certificateAuthorityData: 'x' } }, /eks\.region: must be an AWS region/],
    [{ eks: { name: 'a', region: 'eu-west-1', endpoint: 'https://x' } }, /eks\.certificateAuthorityData/],
    [{ eks: { name: 'a', region: 'eu-west-1', endpoint: 'https://x', certificateAuthorityData: 'x', extra: 1 } }, /eks/],
  ])('rejects a bad EKS form with one line naming the field: %j', (value, message) => {
    expect(() => parseEksSecret(JSON.stringify(value), 'gns-sync/clusters/c')).toThrow(FinalError);
    expect(() => parseEksSecret(JSON.stringify(value), 'gns-sync/clusters/c')).toThrow(message);
  });
});
