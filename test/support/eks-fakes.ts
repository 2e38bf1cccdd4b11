// What the security tests of cluster access stand up: an API server on 127.0.0.1 over TLS (the
// loopback certificate of test/fixtures/tls) that records each request and answers an empty
// list, and EKS as the adapters see it — DescribeCluster answered with that server's URL and CA
// for exactly one configured cluster (clusterOne = EKS cluster prod-eu in eu-west-1).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const TLS = join(import.meta.dirname, '../fixtures/tls');
/** The loopback server's certificate, base64 (kubeconfig `certificate-authority-data`, EKS `certificateAuthority.data`). */
export const LOOPBACK_CA = readFileSync(join(TLS, 'loopback.crt')).toString('base64');

export interface LoopbackApi {
  readonly url: string;
  /** Every request so far (path with query, Authorization header); tests reset it with `.length = 0`. */
  readonly requests: { url: string; auth: string | undefined }[];
  close(): Promise<void>;
}

/** Starts the server; every request is answered 200 with an empty `kind` list of `apiVersion`. */
export async function startLoopbackApi(list: { kind: string; apiVersion: string }): Promise<LoopbackApi> {
  const requests: LoopbackApi['requests'] = [];
  const server = createServer({ key: readFileSync(join(TLS, 'loopback.key')), cert: readFileSync(join(TLS, 'loopback.crt')) }, (req, res) => {
    requests.push({ url: req.url ?? '', auth: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ...list, items: [], metadata: {} }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * The options an EKS adapter (eksClusterApis, eksRoutingApis) takes, with clusterOne as the EKS
 * cluster prod-eu in eu-west-1 and DescribeCluster answering `endpoint` with the loopback CA;
 * `described` collects the DescribeCluster URLs asked.
 */
export function eksDescribing(endpoint: string) {
  const described: string[] = [];
  return {
    described,
    options: {
      clusters: new Map([['clusterOne', { name: 'prod-eu', region: 'eu-west-1' }]]),
      credentials: () => ({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' }),
      send: async (req: { url: string }) => {
        described.push(req.url);
        return { status: 200, body: JSON.stringify({ cluster: { endpoint, certificateAuthority: { data: LOOPBACK_CA } } }) };
      },
      policy: { attempts: 1, timeoutMs: 5_000 },
    },
  };
}
