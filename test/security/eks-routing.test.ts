// routing: istio on EKS clusters (issue 9, issue 11 finding 1): the routing writer reaches an
// EKS cluster of the config exactly as the slice writer does — DescribeCluster on that cluster's
// name and region, the function's role as a bearer token, sent only to the described endpoint
// over TLS with the described CA — and reads no secret for it.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { routingApisFromEnv } from '../../functions/cluster-apis-env.ts';
import { eksRoutingApis } from '../../shared/adapters/kubernetes/eks-routing-apis.ts';

const TLS = join(import.meta.dirname, '../fixtures/tls');
const CA = readFileSync(join(TLS, 'loopback.crt')).toString('base64');
let server: Server;
let url: string;
let requests: { url: string; auth: string | undefined }[] = [];
beforeAll(async () => {
  server = createServer({ key: readFileSync(join(TLS, 'loopback.key')), cert: readFileSync(join(TLS, 'loopback.crt')) }, (req, res) => {
    requests.push({ url: req.url ?? '', auth: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ kind: 'ServiceEntryList', apiVersion: 'networking.istio.io/v1', items: [], metadata: {} }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
afterEach(() => vi.unstubAllEnvs());

describe('routing APIs for EKS clusters', () => {
  it('describe exactly the configured cluster and send the role\'s token only to the described endpoint', async () => {
    requests = [];
    const described: string[] = [];
    const apis = eksRoutingApis({
      clusters: new Map([['clusterOne', { name: 'prod-eu', region: 'eu-west-1' }]]),
      credentials: () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' }),
      send: async (req) => {
        described.push(req.url);
        return { status: 200, body: JSON.stringify({ cluster: { endpoint: url, certificateAuthority: { data: CA } } }) };
      },
      policy: { attempts: 1, timeoutMs: 5_000 },
    });
    const api = await apis.get('clusterOne');
    expect(await api.listServiceEntries({ 'app.kubernetes.io/managed-by': 'gns-sync.io' }, 'ns-one')).toEqual([]);
    expect(described).toEqual(['https://eks.eu-west-1.amazonaws.com/clusters/prod-eu']);
    expect(requests.map((r) => r.url.split('?')[0])).toEqual(['/apis/networking.istio.io/v1/namespaces/ns-one/serviceentries']);
    expect(requests[0]?.auth).toMatch(/^Bearer k8s-aws-v1\./);
    await expect(apis.get('clusterTwo')).rejects.toThrow(/not an EKS cluster of the config/);
  });

  it('the sync function\'s routing APIs take an EKS cluster of the config through EKS, not through a secret', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', '');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', '');
    const apis = routingApisFromEnv({ clusters: [{ name: 'clusterOne', network: 'net-one', context: 'clusterOne', eks: { name: 'prod-eu', region: 'eu-west-1' } }] });
    // Without the function's credentials the EKS path says so at once; a secret is never asked for.
    await expect(apis.get('clusterOne')).rejects.toThrow(/EKS authentication needs the function's AWS credentials/);
  });
});
