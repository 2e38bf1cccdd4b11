// The Kubernetes adapter's error handling against a scripted HTTPS server on 127.0.0.1
// (port 0; its test certificate trusted through CA data, TLS verification on, as a cluster's
// secret must have it): retries of 429/5xx with backoff, per-call timeouts, 409/404/401/403 mapping.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { kubeClusterApi } from '../../../shared/adapters/kubernetes/cluster-api.ts';
import { kubeConfigClusterApis, kubeConfigFromSecret, secretsManagerClusterApis } from '../../../shared/adapters/kubernetes/cluster-apis.ts';
import { ConflictError, FinalError, RetryableError } from '../../../shared/errors.ts';
import type { ClusterApi } from '../../../shared/ports.ts';
import type { Slice } from '../../../shared/core/types.ts';

const TLS = join(import.meta.dirname, '../../fixtures/tls');
type Script = (req: IncomingMessage, res: ServerResponse) => void;
let script: Script;
let requests: string[];
let server: Server;
let url: string;
let sleeps: number[];
let inventoryListsAll = true;

const status = (res: ServerResponse, code: number, message: string, headers: Record<string, string> = {}) => {
  res.writeHead(code, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, code }));
};
const json = (res: ServerResponse, body: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer({ key: readFileSync(join(TLS, 'loopback.key')), cert: readFileSync(join(TLS, 'loopback.crt')) }, (req, res) => {
    // The inventory (tested on its own below) already lists the namespace: no write before a slice's.
    if (inventoryListsAll && req.url?.startsWith('/api/v1/namespaces/gns-sync/configmaps/')) {
      json(res, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'gns-sync-inventory', namespace: 'gns-sync', uid: 'cm-uid', resourceVersion: '3' }, data: { 'endpointslices.discovery.k8s.io': 'ns-two\n' } });
      return;
    }
    requests.push(`${req.method} ${req.url}`);
    script(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function kubeconfig(server = url): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c1', server, caData: readFileSync(join(TLS, 'loopback.crt')).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'u1', token: 'secret-token' }],
    contexts: [{ name: 'ctx-one', cluster: 'c1', user: 'u1' }],
    currentContext: 'ctx-one',
  });
  return kc;
}

let api: ClusterApi;
beforeEach(() => {
  requests = [];
  sleeps = [];
  api = kubeClusterApi(kubeconfig(), {
    cluster: 'clusterOne',
    policy: { timeoutMs: 1_000 /* room for a TLS handshake on a loaded machine */, attempts: 3, baseDelayMs: 100, maxDelayMs: 2_000, sleep: async (ms) => void sleeps.push(ms), random: () => 1 },
  });
});

const slice: Slice = {
  name: 'svc-gns-0123456789',
  namespace: 'ns-two',
  labels: { 'kubernetes.io/service-name': 'svc', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': 'g' },
  ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'svc', uid: 'u', controller: true, blockOwnerDeletion: true }],
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.0.0.1'], hostname: 'p-0', conditions: { ready: true, serving: true, terminating: false } }],
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  resourceVersion: '7',
  uid: 'slice-uid-1',
};
const kubeSlice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: slice.name, namespace: 'ns-two', labels: slice.labels, resourceVersion: '8' }, addressType: 'IPv4', endpoints: [], ports: [] };

describe('kubeClusterApi: transient failures', () => {
  it('retries 503 with backoff and succeeds', async () => {
    let n = 0;
    script = (_req, res) => (++n < 3 ? status(res, 503, 'etcd leader changed') : json(res, { kind: 'EndpointSliceList', items: [], metadata: {} }));
    await expect(api.listSlices('ns-two', 'svc')).resolves.toEqual([]);
    expect(requests).toHaveLength(3);
    expect(sleeps).toEqual([100, 200]);
  });

  it('gives up after the attempts with a RetryableError naming the cluster and call', async () => {
    script = (_req, res) => status(res, 500, 'boom');
    const error = await api.listSlices('ns-two', 'svc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/^clusterOne: list slices of ns-two\/svc: 500 boom after 3 attempt\(s\)/);
    expect(requests).toHaveLength(3);
  });

  it('honours Retry-After on 429 (capped)', async () => {
    let n = 0;
    script = (_req, res) => (++n < 2 ? status(res, 429, 'slow down', { 'retry-after': '1' }) : json(res, { items: [], metadata: {} }));
    await api.listSlices('ns-two', 'svc');
    expect(sleeps).toEqual([1000]);
  });

  it('a server that never answers times out per call and ends in a RetryableError', async () => {
    script = () => {
      /* hang */
    };
    const error = await api.deleteSlice({ namespace: 'ns-two', name: 'x', uid: 'u', resourceVersion: '1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RetryableError);
    expect((error as Error).message).toMatch(/timed out after 3 attempt/);
  });

  it('connection refused is retryable', async () => {
    const dead = kubeClusterApi(kubeconfig('http://127.0.0.1:1'), { cluster: 'deadOne', policy: { attempts: 2, sleep: async () => {} } });
    await expect(dead.listSlices('ns', 'svc')).rejects.toBeInstanceOf(RetryableError);
  });
});

describe('kubeClusterApi: status mapping', () => {
  it('409 on update → ConflictError, not retried', async () => {
    script = (_req, res) => status(res, 409, 'the object has been modified');
    await expect(api.updateSlice(slice)).rejects.toBeInstanceOf(ConflictError);
    expect(requests).toHaveLength(1);
  });

  it('404 on update → ConflictError (re-read and re-plan)', async () => {
    script = (_req, res) => status(res, 404, 'not found');
    await expect(api.updateSlice(slice)).rejects.toBeInstanceOf(ConflictError);
  });

  it('409 AlreadyExists on create → ConflictError', async () => {
    script = (_req, res) => status(res, 409, 'already exists');
    await expect(api.createSlice(slice)).rejects.toBeInstanceOf(ConflictError);
  });

  it('404 on delete is success', async () => {
    script = (_req, res) => status(res, 404, 'not found');
    await expect(api.deleteSlice({ namespace: 'ns-two', name: 'gone', uid: 'u', resourceVersion: '1' })).resolves.toBeUndefined();
    expect(requests).toEqual(['DELETE /apis/discovery.k8s.io/v1/namespaces/ns-two/endpointslices/gone']);
  });

  it('403 → FinalError with the server message; 401 → RetryableError', async () => {
    script = (_req, res) => status(res, 403, 'endpointslices is forbidden: User "x" cannot create');
    const e403 = await api.createSlice(slice).catch((e: unknown) => e);
    expect(e403).toBeInstanceOf(FinalError);
    expect((e403 as Error).message).toMatch(/forbidden/);
    script = (_req, res) => status(res, 401, 'Unauthorized');
    await expect(api.createSlice(slice)).rejects.toBeInstanceOf(RetryableError);
  });
});

describe('kubeClusterApi: requests', () => {
  it('lists by the service-name label and follows continue tokens', async () => {
    script = (req, res) => {
      const page2 = req.url?.includes('continue=abc');
      json(res, { kind: 'EndpointSliceList', items: [{ ...kubeSlice, metadata: { ...kubeSlice.metadata, name: page2 ? 'b' : 'a' } }], metadata: page2 ? {} : { continue: 'abc' } });
    };
    const slices = await api.listSlices('ns-two', 'svc');
    expect(slices.map((s) => s.name)).toEqual(['a', 'b']);
    expect(requests[0]).toContain('labelSelector=kubernetes.io%2Fservice-name%3Dsvc');
  });

  it('updates with the name and resourceVersion, creates with the planned name', async () => {
    const bodies: unknown[] = [];
    script = (req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        json(res, kubeSlice);
      });
    };
    const updated = await api.updateSlice(slice);
    expect(updated.resourceVersion).toBe('8');
    expect(requests[0]).toMatch(/^PUT \/apis\/discovery.k8s.io\/v1\/namespaces\/ns-two\/endpointslices\/svc-gns-0123456789\?fieldManager=gns-sync/);
    expect(bodies[0]).toMatchObject({ metadata: { name: slice.name, resourceVersion: '7', uid: 'slice-uid-1' }, endpoints: [{ addresses: ['10.0.0.1'], hostname: 'p-0' }] });
    await api.createSlice({ ...slice, resourceVersion: undefined });
    expect(requests[1]).toMatch(/^POST \/apis\/discovery.k8s.io\/v1\/namespaces\/ns-two\/endpointslices/);
  });

  it('an update or delete without the uid and resourceVersion of a listed slice is refused before any request', async () => {
    script = (_req, res) => json(res, kubeSlice);
    const { uid: _u, ...noUid } = slice;
    const { resourceVersion: _r, ...noRv } = slice;
    await expect(api.updateSlice(noUid)).rejects.toThrow(/uid and resourceVersion/);
    await expect(api.updateSlice(noRv)).rejects.toThrow(/uid and resourceVersion/);
    await expect(api.deleteSlice(noUid)).rejects.toThrow(/uid and resourceVersion/);
    await expect(api.deleteSlice(noRv)).rejects.toThrow(/uid and resourceVersion/);
    expect(requests).toEqual([]);
  });

  it('records the namespace in the inventory before creating a slice there (GET, create, then the slice)', async () => {
    inventoryListsAll = false;
    try {
      script = (req, res) => {
        if (req.method === 'GET') return status(res, 404, 'configmaps "gns-sync-inventory" not found');
        let text = '';
        req.on('data', (c: Buffer) => (text += c.toString()));
        req.on('end', () => json(res, req.url?.includes('configmaps') ? JSON.parse(text) : kubeSlice));
      };
      await api.createSlice({ ...slice, name: undefined, resourceVersion: undefined, uid: undefined } as unknown as Slice);
      expect(requests.map((r) => r.split('?')[0])).toEqual([
        'GET /api/v1/namespaces/gns-sync/configmaps/gns-sync-inventory',
        'POST /api/v1/namespaces/gns-sync/configmaps',
        'POST /apis/discovery.k8s.io/v1/namespaces/ns-two/endpointslices',
      ]);
      // Remembered: the next create in that namespace goes straight to the slice.
      await api.createSlice({ ...slice, name: undefined, resourceVersion: undefined, uid: undefined } as unknown as Slice);
      expect(requests.slice(3).map((r) => r.split('?')[0])).toEqual(['POST /apis/discovery.k8s.io/v1/namespaces/ns-two/endpointslices']);
      // The inventory cannot be written: no slice is created.
      requests.length = 0;
      script = (req, res) => (req.method === 'GET' ? status(res, 404, 'not found') : status(res, 403, 'configmaps is forbidden'));
      await expect(api.createSlice({ ...slice, namespace: 'ns-three', name: undefined, resourceVersion: undefined, uid: undefined } as unknown as Slice)).rejects.toThrow(/inventory.*forbidden/);
      expect(requests.filter((r) => r.includes('endpointslices'))).toEqual([]);
    } finally {
      inventoryListsAll = true;
    }
  });

  it('deletes with the uid and resourceVersion of the listed slice as preconditions', async () => {
    const bodies: unknown[] = [];
    script = (req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(text));
        json(res, { kind: 'Status', status: 'Success' });
      });
    };
    await api.deleteSlice(slice);
    expect(requests[0]).toBe('DELETE /apis/discovery.k8s.io/v1/namespaces/ns-two/endpointslices/svc-gns-0123456789');
    expect(bodies[0]).toMatchObject({ preconditions: { uid: 'slice-uid-1', resourceVersion: '7' } });
  });

  it('labels the events it records with its installation', async () => {
    const bodies: Record<string, unknown>[] = [];
    script = (req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(text) as Record<string, unknown>);
        json(res, JSON.parse(text));
      });
    };
    const teamA = kubeClusterApi(kubeconfig(), { cluster: 'clusterTwo', installation: 'team-a', policy: { attempts: 1, sleep: async () => {} } });
    await teamA.recordEvent({ namespace: 'ns-two', name: 'svc', uid: 'u-1' }, 'Warning', 'InvalidTarget', 'bad');
    await api.recordEvent({ namespace: 'ns-two', name: 'svc', uid: 'u-1' }, 'Warning', 'InvalidTarget', 'bad');
    expect(bodies.map((b) => (b.metadata as { labels?: unknown }).labels)).toEqual([{ 'gns-sync.io/installation': 'team-a' }, { 'gns-sync.io/installation': 'default' }]);
  });

  it('records a Warning event on the Service', async () => {
    const bodies: Record<string, unknown>[] = [];
    script = (req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        bodies.push(JSON.parse(text) as Record<string, unknown>);
        json(res, JSON.parse(text));
      });
    };
    await api.recordEvent({ namespace: 'ns-two', name: 'svc', uid: 'u-1' }, 'Warning', 'HostnameConflict', 'two pods publish kafka-0');
    expect(requests[0]).toBe('POST /api/v1/namespaces/ns-two/events');
    expect(bodies[0]).toMatchObject({
      type: 'Warning', reason: 'HostnameConflict', message: 'two pods publish kafka-0',
      involvedObject: { kind: 'Service', apiVersion: 'v1', name: 'svc', namespace: 'ns-two', uid: 'u-1' }, source: { component: 'gns-sync' },
    });
  });
});

describe('ClusterApis', () => {
  it('from a kubeconfig: the context of each cluster, cached; a missing context is a FinalError', async () => {
    const apis = kubeConfigClusterApis(kubeconfig(), new Map([['clusterOne', 'ctx-one']]));
    expect(await apis.get('clusterOne')).toBe(await apis.get('clusterOne'));
    await expect(apis.get('clusterTwo')).rejects.toThrow(/no context "clusterTwo"/);
  });

  it('from Secrets Manager: gns-sync/clusters/<cluster>, cached for the TTL, failures not cached', async () => {
    const asked: string[] = [];
    let now = 0;
    let fail = true;
    const client = {
      send: async (command: { input: { SecretId?: string } }) => {
        asked.push(command.input.SecretId ?? '');
        if (fail) {
          fail = false;
          throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        }
        return { SecretString: kubeconfig().exportConfig() };
      },
    };
    const apis = secretsManagerClusterApis({ client: client as never, ttlMs: 1000, clock: () => now });
    await expect(apis.get('clusterOne')).rejects.toBeInstanceOf(RetryableError);
    await apis.get('clusterOne');
    await apis.get('clusterOne');
    now = 2000;
    await apis.get('clusterOne');
    expect(asked).toEqual(['gns-sync/clusters/clusterOne', 'gns-sync/clusters/clusterOne', 'gns-sync/clusters/clusterOne']);
  });

  it('a 401 from the cluster drops the cached credentials (the next sync reads the secret again)', async () => {
    const asked: string[] = [];
    const client = { send: async (command: { input: { SecretId?: string } }) => (asked.push(command.input.SecretId ?? ''), { SecretString: kubeconfig().exportConfig() }) };
    const apis = secretsManagerClusterApis({ client: client as never, ttlMs: 60_000, policy: { attempts: 1 } });
    script = (_req, res) => status(res, 401, 'Unauthorized');
    await expect((await apis.get('clusterOne')).listSlices('ns', 'svc')).rejects.toBeInstanceOf(RetryableError);
    script = (_req, res) => json(res, { items: [], metadata: {} });
    await (await apis.get('clusterOne')).listSlices('ns', 'svc');
    await apis.get('clusterOne');
    expect(asked).toHaveLength(2);
  });

  it('a missing secret or one without a kubeconfig is a FinalError that says what to do', async () => {
    const missing = secretsManagerClusterApis({ client: { send: async () => Promise.reject(Object.assign(new Error('no'), { name: 'ResourceNotFoundException' })) } as never });
    await expect(missing.get('clusterOne')).rejects.toThrow(/no secret gns-sync\/clusters\/clusterOne; create it/);
    expect(() => kubeConfigFromSecret('clusters: [', 'clusterOne')).toThrow(FinalError);
  });
});
