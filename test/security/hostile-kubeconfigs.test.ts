// Adversarial: hostile kubeconfig secrets (issue 11, finding 1). Whoever may write one cluster's
// secret must not run code in the sync function (which may read every cluster's secret), read its
// files, turn TLS verification off, or send its token elsewhere. Each hostile secret is refused
// with a FinalError naming the key, before the Kubernetes client sees it — and the exec plugin of
// the proof of concept never runs. A static kubeconfig with TLS verification on works; the local
// runner's own kubeconfig keeps working as kubectl's (exec included).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubeConfigClusterApis, secretsManagerClusterApis } from '../../shared/adapters/kubernetes/cluster-apis.ts';
import { eksClusterApis } from '../../shared/adapters/kubernetes/eks-cluster-apis.ts';
import { FinalError } from '../../shared/errors.ts';
import { LOOPBACK_CA, eksDescribing, type LoopbackApi, startLoopbackApi } from '../support/eks-fakes.ts';

let server: LoopbackApi;
const dir = mkdtempSync(join(tmpdir(), 'gns-sec-kc-'));
beforeAll(async () => {
  server = await startLoopbackApi({ kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1' });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A kubeconfig document with one cluster, user and context; `cluster`/`user` override the entries. */
const doc = (cluster: Record<string, unknown> = {}, user: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => stringify({
  apiVersion: 'v1', kind: 'Config', 'current-context': 'c',
  clusters: [{ name: 'c', cluster: { server: server.url, 'certificate-authority-data': LOOPBACK_CA, ...cluster } }],
  users: [{ name: 'u', user: { token: 'writer-token', ...user } }],
  contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
  ...extra,
});

const fromSecret = (text: string) => secretsManagerClusterApis({ client: { send: async () => ({ SecretString: text }) } as never, policy: { attempts: 1, timeoutMs: 5_000 } });

/** The marker an exec plugin would write when run. */
const marker = () => join(dir, 'pwned');
const execUser = () => ({ token: undefined, exec: { apiVersion: 'client.authentication.k8s.io/v1', command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker())}, 'x'); console.log(JSON.stringify({kind:'ExecCredential',apiVersion:'client.authentication.k8s.io/v1',status:{token:'t'}}))`], interactiveMode: 'Never' } });

describe('hostile kubeconfig secrets are refused, naming the key (finding 1)', () => {
  // Documents are built when the test runs (the server's URL is known then).
  const hostile: [string, () => string, RegExp][] = [
    ['an exec plugin (the proof of concept)', () => doc({}, execUser()), /users\.0\.user\.exec: not accepted: an exec credential plugin would run a command inside the function/],
    ['an auth-provider plugin', () => doc({}, { token: undefined, 'auth-provider': { name: 'oidc', config: {} } }), /users\.0\.user\.auth-provider: not accepted/],
    ['a token file', () => doc({}, { token: undefined, tokenFile: '/proc/self/environ' }), /users\.0\.user\.tokenFile: not accepted: a file path/],
    ['a client certificate file', () => doc({}, { token: undefined, 'client-certificate': '/etc/passwd', 'client-key': '/etc/passwd' }), /users\.0\.user\.client-certificate: not accepted: a file path/],
    ['a CA file', () => doc({ 'certificate-authority-data': undefined, 'certificate-authority': '/var/runtime/ca.pem' }), /clusters\.0\.cluster\.certificate-authority: not accepted: a file path/],
    ['TLS verification off', () => doc({ 'insecure-skip-tls-verify': true }), /clusters\.0\.cluster\.insecure-skip-tls-verify: TLS verification must stay on/],
    ['a plain-HTTP server', () => doc({ server: 'http://attacker.example' }), /clusters\.0\.cluster\.server: must be an https:\/\/ URL/],
    ['a proxy', () => doc({ 'proxy-url': 'http://attacker.example:3128' }), /clusters\.0\.cluster\.proxy-url: not accepted: a proxy would see every request/],
    ['basic authentication', () => doc({}, { token: undefined, username: 'admin', password: 'x' }), /users\.0\.user\.username: not accepted: basic authentication/],
    ['impersonation', () => doc({}, { as: 'system:admin' }), /users\.0\.user\.as: not accepted: impersonation/],
    ['no credentials at all', () => doc({}, { token: undefined }), /users\.0\.user: needs a token, or client-certificate-data and client-key-data/],
    ['the old EKS form with an attacker\'s endpoint', () => JSON.stringify({ eks: { name: 'prod', region: 'eu-west-1', endpoint: 'https://attacker.example', certificateAuthorityData: LOOPBACK_CA } }), /an \{"eks": …\} secret is no longer read/],
  ];

  it.each(hostile)('%s', async (_what, make, reason) => {
    const text = make();
    server.requests.length = 0;
    const apis = fromSecret(text);
    const attempt = apis.get('clusterOne').then((api) => api.listSlices('ns', 'svc'));
    await expect(attempt).rejects.toBeInstanceOf(FinalError);
    await expect(fromSecret(text).get('clusterOne')).rejects.toThrow(reason);
    expect(existsSync(marker())).toBe(false);
    expect(server.requests).toEqual([]);
  });

  it('a static kubeconfig (token and CA data) is accepted and reaches the cluster with TLS verified', async () => {
    server.requests.length = 0;
    const api = await fromSecret(doc()).get('clusterOne');
    expect(await api.listSlices('ns', 'svc')).toEqual([]);
    expect(server.requests).toEqual([{ url: expect.stringMatching(/^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/ns\/endpointslices\?/), auth: 'Bearer writer-token' }]);
  });

  it('TLS verification is real: a secret whose CA does not match the server is refused by the handshake', async () => {
    const other = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ\n-----END CERTIFICATE-----\n').toString('base64');
    const api = await fromSecret(doc({ 'certificate-authority-data': other })).get('clusterOne');
    await expect(api.listSlices('ns', 'svc')).rejects.toThrow();
  });
});

describe('the local runner\'s own kubeconfig works as kubectl\'s (finding 1)', () => {
  it('an exec plugin in a local kubeconfig runs, as kubectl would run it', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(doc({}, execUser()));
    const api = await kubeConfigClusterApis(kc, new Map([['clusterOne', 'c']]), { policy: { attempts: 1, timeoutMs: 10_000 } }).get('clusterOne');
    await api.listSlices('ns', 'svc');
    expect(existsSync(marker())).toBe(true);
    rmSync(marker());
  });
});

describe('EKS: name and region from the config, endpoint and CA from DescribeCluster (finding 1)', () => {
  it('describes exactly the configured cluster, reads no secret, and sends the token only to the described endpoint', async () => {
    server.requests.length = 0;
    const { described, options } = eksDescribing(server.url);
    const apis = eksClusterApis(options);
    const api = await apis.get('clusterOne');
    await api.listSlices('ns', 'svc');
    expect(described).toEqual(['https://eks.eu-west-1.amazonaws.com/clusters/prod-eu']);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.auth).toMatch(/^Bearer k8s-aws-v1\./);
    const presigned = new URL(Buffer.from(server.requests[0]!.auth!.slice('Bearer k8s-aws-v1.'.length), 'base64url').toString());
    expect(presigned.host).toBe('sts.eu-west-1.amazonaws.com');
    await expect(apis.get('clusterTwo')).rejects.toThrow(/not an EKS cluster of the config/);
  });
});
