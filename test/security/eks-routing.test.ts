// routing: istio on EKS clusters (issue 9, issue 11 finding 1): the routing writer reaches an
// EKS cluster of the config exactly as the slice writer does — DescribeCluster on that cluster's
// name and region, the function's role as a bearer token, sent only to the described endpoint
// over TLS with the described CA — and reads no secret for it.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { routingApisFromEnv } from '../../functions/cluster-apis-env.ts';
import { eksRoutingApis } from '../../shared/adapters/kubernetes/eks-routing-apis.ts';
import { eksDescribing, type LoopbackApi, startLoopbackApi } from '../support/eks-fakes.ts';

let server: LoopbackApi;
beforeAll(async () => {
  server = await startLoopbackApi({ kind: 'ServiceEntryList', apiVersion: 'networking.istio.io/v1' });
});
afterAll(() => server.close());
afterEach(() => vi.unstubAllEnvs());

describe('routing APIs for EKS clusters', () => {
  it('describe exactly the configured cluster and send the role\'s token only to the described endpoint', async () => {
    server.requests.length = 0;
    const { described, options } = eksDescribing(server.url);
    const apis = eksRoutingApis(options);
    const routing = await apis.get('clusterOne');
    expect(await routing.listServiceEntries({ 'app.kubernetes.io/managed-by': 'gns-sync.io' }, 'ns-one')).toEqual([]);
    expect(described).toEqual(['https://eks.eu-west-1.amazonaws.com/clusters/prod-eu']);
    expect(server.requests.map((r) => r.url.split('?')[0])).toEqual(['/apis/networking.istio.io/v1/namespaces/ns-one/serviceentries']);
    expect(server.requests[0]?.auth).toMatch(/^Bearer k8s-aws-v1\./);
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
