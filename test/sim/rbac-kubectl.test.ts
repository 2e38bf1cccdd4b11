// `gns-sync sim --rbac` through kubectl v1.32 and plain HTTPS: the admin context is
// all-powerful; ServiceAccount tokens (`kubectl create token`, service-account-token Secrets)
// authenticate and get what RBAC allows; 401 and 403 are the API server's Status bodies;
// `kubectl auth whoami` and `auth can-i [--list]` answer (docs/adr/0011-simulated-clusters.md).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCluster } from '../../local/sim/index.ts';
import { startCli } from '../support/cli.ts';
import type { SimEnv } from './helpers.ts';
import { hasKubectl, startEnv, until } from './helpers.ts';

interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One HTTPS request to a cluster, trusting its CA, with a bearer token (or none). */
function call(cluster: SimCluster, method: string, path: string, token: string | undefined, body?: unknown): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.url}${path}`, {
      method, ca: cluster.caPem,
      headers: { Accept: 'application/json', ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text.trim().startsWith('{') ? JSON.parse(text) as Record<string, unknown> : { text } }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const BOT = `apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: bot, namespace: team}
---
apiVersion: v1
kind: Secret
metadata:
  name: bot-token
  namespace: team
  annotations: {kubernetes.io/service-account.name: bot}
type: kubernetes.io/service-account-token
`;

const READER = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: pod-lister, namespace: team}
rules:
  - {apiGroups: [""], resources: [pods], verbs: [list]}
  - {apiGroups: [""], resources: [configmaps], resourceNames: [settings], verbs: [get, update]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: bot-lists-pods, namespace: team}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: pod-lister}
subjects:
  - {kind: ServiceAccount, name: bot, namespace: team}
`;

describe.skipIf(!hasKubectl)('sim --rbac with kubectl', () => {
  let env: SimEnv;
  let cluster: SimCluster;
  let token: string;
  const as = (t: string, args: readonly string[]) => env.kubectl(['--token', t, ...args]);

  beforeAll(async () => {
    env = await startEnv({ rbac: true });
    cluster = env.fleet.clusters[0]!;
    const applied = await env.kubectl(['apply', '-f', '-'], { stdin: BOT });
    expect(applied.stderr).toBe('');
    token = (await env.k(['create', 'token', 'bot', '-n', 'team'])).trim();
  });
  afterAll(async () => env?.close());

  it('serves HTTPS with the cluster CA in the kubeconfig; the admin context is all-powerful', async () => {
    expect(cluster.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(env.fleet.kubeconfigYaml()).toContain('certificate-authority-data');
    expect(await env.k(['auth', 'whoami'])).toMatch(/Username\s+kubernetes-admin\n.*Groups\s+\[system:masters system:authenticated\]/s);
    expect((await env.k(['auth', 'can-i', 'delete', 'secrets', '-n', 'kube-system'])).trim()).toBe('yes');
    expect((await env.k(['auth', 'can-i', '*', '*'])).trim()).toBe('yes');
    // Kubernetes' default roles are there, as on a real cluster.
    expect(await env.k(['get', 'clusterrolebinding', 'system:basic-user', '-o', 'jsonpath={.subjects[0].name}'])).toBe('system:authenticated');
  });

  it('answers 401 Unauthorized without a token, with a wrong one, and with a token of another audience', async () => {
    const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
    expect(await call(cluster, 'GET', '/api/v1/namespaces', undefined)).toEqual({ status: 401, body: unauthorized });
    expect(await call(cluster, 'GET', '/version', 'not-a-token')).toEqual({ status: 401, body: unauthorized });
    expect(await call(cluster, 'GET', '/api/v1/namespaces', `${token.slice(0, -4)}AAAA`)).toEqual({ status: 401, body: unauthorized });
    const other = (await env.k(['create', 'token', 'bot', '-n', 'team', '--audience', 'https://vault.example'])).trim();
    expect((await call(cluster, 'GET', '/api', other)).status).toBe(401);
    const r = await as('not-a-token', ['get', 'pods', '-n', 'team']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Unauthorized');
  });

  it('kubectl auth whoami with a TokenRequest token: the ServiceAccount, its uid, its groups, the token id', async () => {
    const uid = await env.k(['get', 'sa', 'bot', '-n', 'team', '-o', 'jsonpath={.metadata.uid}']);
    const out = await (await as(token, ['auth', 'whoami'])).stdout;
    expect(out).toMatch(/Username\s+system:serviceaccount:team:bot\n/);
    expect(out).toContain(`UID                                                 ${uid}`);
    expect(out).toContain('[system:serviceaccounts system:serviceaccounts:team system:authenticated]');
    expect(out).toMatch(/Extra: authentication\.kubernetes\.io\/credential-id\s+\[JTI=[0-9a-f-]{36}\]/);
  });

  it('403 Forbidden with the API server\'s message until a Role and RoleBinding allow, then exactly what they allow', async () => {
    const denied = await call(cluster, 'GET', '/api/v1/namespaces/team/pods', token);
    expect(denied).toEqual({
      status: 403,
      body: {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Forbidden', code: 403, details: { kind: 'pods' },
        message: 'pods is forbidden: User "system:serviceaccount:team:bot" cannot list resource "pods" in API group "" in the namespace "team"',
      },
    });
    expect((await as(token, ['auth', 'can-i', 'list', 'pods', '-n', 'team'])).stdout.trim()).toBe('no');
    await env.kubectl(['apply', '-f', '-'], { stdin: READER });
    expect((await as(token, ['auth', 'can-i', 'list', 'pods', '-n', 'team'])).stdout.trim()).toBe('yes');
    expect((await call(cluster, 'GET', '/api/v1/namespaces/team/pods', token)).status).toBe(200);
    // list is not watch, get, or another namespace.
    const watch = await call(cluster, 'GET', '/api/v1/namespaces/team/pods?watch=true&timeoutSeconds=1', token);
    expect(watch.status).toBe(403);
    expect(watch.body.message).toBe('pods is forbidden: User "system:serviceaccount:team:bot" cannot watch resource "pods" in API group "" in the namespace "team"');
    expect((await call(cluster, 'GET', '/api/v1/namespaces/default/pods', token)).status).toBe(403);
    const clusterWide = await as(token, ['get', 'pods', '-A']);
    expect(clusterWide.stderr).toContain('Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:team:bot" cannot list resource "pods" in API group "" at the cluster scope');
    // resourceNames: the named ConfigMap only, and never a create (no name to match).
    await env.k(['create', 'configmap', 'settings', '-n', 'team', '--from-literal=a=1']);
    await env.k(['create', 'configmap', 'other', '-n', 'team', '--from-literal=a=1']);
    expect((await call(cluster, 'GET', '/api/v1/namespaces/team/configmaps/settings', token)).status).toBe(200);
    const other = await call(cluster, 'GET', '/api/v1/namespaces/team/configmaps/other', token);
    expect(other.body.message).toBe('configmaps "other" is forbidden: User "system:serviceaccount:team:bot" cannot get resource "configmaps" in API group "" in the namespace "team"');
    expect((await call(cluster, 'POST', '/api/v1/namespaces/team/configmaps', token, { metadata: { name: 'settings2' } })).status).toBe(403);
    expect((await as(token, ['auth', 'can-i', 'update', 'configmaps/settings', '-n', 'team'])).stdout.trim()).toBe('yes');
    expect((await as(token, ['auth', 'can-i', 'update', 'configmaps/other', '-n', 'team'])).stdout.trim()).toBe('no');
    const list = (await as(token, ['auth', 'can-i', '--list', '-n', 'team'])).stdout;
    expect(list).toMatch(/^pods\s+\[\]\s+\[\]\s+\[list\]$/m);
    expect(list).toMatch(/^configmaps\s+\[\]\s+\[settings\]\s+\[get update\]$/m);
    expect(list).toMatch(/^\s+\[\/apis\/\*\]\s+\[\]\s+\[get\]$/m);
  });

  it('a service-account-token Secret gets a token, the CA and the namespace; deleting the Secret revokes the token', async () => {
    const secret = JSON.parse(await env.k(['get', 'secret', 'bot-token', '-n', 'team', '-o', 'json'])) as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
    expect(Buffer.from(secret.data.namespace!, 'base64').toString()).toBe('team');
    expect(Buffer.from(secret.data['ca.crt']!, 'base64').toString()).toBe(cluster.caPem);
    expect(secret.metadata.annotations['kubernetes.io/service-account.uid']).toBe(await env.k(['get', 'sa', 'bot', '-n', 'team', '-o', 'jsonpath={.metadata.uid}']));
    const legacy = Buffer.from(secret.data.token!, 'base64').toString();
    expect((await as(legacy, ['auth', 'whoami'])).stdout).toMatch(/Username\s+system:serviceaccount:team:bot\n/);
    expect((await as(legacy, ['auth', 'whoami'])).stdout).not.toContain('credential-id');
    await env.k(['delete', 'secret', 'bot-token', '-n', 'team']);
    expect((await call(cluster, 'GET', '/api', legacy)).status).toBe(401);
    expect((await call(cluster, 'GET', '/api', token)).status).toBe(200);
  });

  it('a ServiceAccount deleted and recreated (new uid) invalidates its old tokens; its Secrets go with it', async () => {
    await env.kubectl(['apply', '-f', '-'], { stdin: BOT });
    const secretToken = await until('the token controller filled bot-token', async () => {
      const t = await env.k(['get', 'secret', 'bot-token', '-n', 'team', '-o', 'jsonpath={.data.token}']);
      return t === '' ? undefined : Buffer.from(t, 'base64').toString();
    });
    expect((await call(cluster, 'GET', '/api', secretToken)).status).toBe(200);
    await env.k(['delete', 'sa', 'bot', '-n', 'team']);
    await until('the token Secret of a deleted ServiceAccount is deleted', async () => ((await env.kubectl(['get', 'secret', 'bot-token', '-n', 'team'])).code !== 0 ? true : undefined));
    await env.kubectl(['apply', '-f', '-'], { stdin: BOT.split('---')[1]! });
    expect((await call(cluster, 'GET', '/api', token)).status).toBe(401);
    expect((await call(cluster, 'GET', '/api', secretToken)).status).toBe(401);
  });

  it('TokenRequest: bound to an existing object only, at least 10 minutes', async () => {
    const r = await env.kubectl(['create', 'token', 'bot', '-n', 'team', '--duration', '5m']);
    expect(r.stderr).toContain('spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
    const missing = await env.kubectl(['create', 'token', 'bot', '-n', 'team', '--bound-object-kind', 'Pod', '--bound-object-name', 'nope']);
    expect(missing.stderr).toContain('pods "nope" not found');
    expect((await env.kubectl(['create', 'token', 'nobody', '-n', 'team'])).stderr).toContain('serviceaccounts "nobody" not found');
  });
});

describe.skipIf(!hasKubectl)('gns-sync sim --rbac', () => {
  it('writes an HTTPS kubeconfig whose admin kubectl uses; kubectl without its token is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gns-sim-rbac-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const cli = startCli(['sim', '--clusters', 'a', '--kubeconfig', kubeconfig, '--rbac']);
    const kubectl = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => new Promise((resolve) => {
      execFile('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }));
    });
    try {
      await until('the kubeconfig', () => (cli.out().includes('kubeconfig written') ? true : undefined), 15_000);
      expect(cli.out()).toMatch(/^a\thttps:\/\/127\.0\.0\.1:\d+\tdns off$/m);
      expect(await readFile(kubeconfig, 'utf8')).toContain('certificate-authority-data');
      expect((await kubectl(['auth', 'whoami'])).stdout).toMatch(/Username\s+kubernetes-admin/);
      const anonymous = await kubectl(['--token', 'x', 'get', 'ns']);
      expect(anonymous.code).not.toBe(0);
      expect(anonymous.stderr).toContain('You must be logged in to the server');
    } finally {
      await cli.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
