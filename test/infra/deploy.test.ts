// The agent's deployment (issue 6): the Kustomize manifests parse and render, the RBAC is least
// privilege, the per-cluster values agree with the config and with what the agent reads, and the
// image holds only the bundled production code.
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAgentEnv } from '../../agent/main.ts';
import { LEASE_NAME } from '../../agent/lease.ts';
import { bundle, type BundleResult } from '../../infra/bundle.ts';
import { loadConfig } from '../../shared/config/load.ts';
import { EXAMPLE_CONFIG, PROJECT_ROOT, tempDir } from './synth.ts';

const run = promisify(execFile);

type K8s = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; [k: string]: unknown };
type Container = {
  securityContext: unknown;
  ports: { name: string; containerPort: number }[];
  env: { name: string; value?: string }[];
  envFrom: { configMapRef: { name: string } }[];
  livenessProbe: { httpGet: unknown };
  readinessProbe: { httpGet: unknown };
};
type DeploymentSpec = { replicas: number; strategy: unknown; template: { spec: { serviceAccountName: string; securityContext: unknown; containers: Container[] } } };
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

const DEPLOY = join(PROJECT_ROOT, 'deploy');
const yamlFiles = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yaml')).map((f) => join(dir, f));
const docsOf = (text: string, name: string): K8s[] => parseAllDocuments(text).map((d) => {
  if (d.errors.length > 0) throw new Error(`${name}: ${d.errors[0]?.message}`);
  return d.toJS() as K8s;
}).filter((d) => d !== null);

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
/** `kubectl kustomize` is the renderer users run (`kubectl apply -k`); without kubectl these tests cannot render. */
const render = (cluster: string): K8s[] => docsOf(execFileSync('kubectl', ['kustomize', join(DEPLOY, 'clusters', cluster)], { encoding: 'utf8' }), cluster);

const config = loadConfig(EXAMPLE_CONFIG);
const membersOf = (cluster: string) => config.globalNamespaces.flatMap((g) => g.members).filter((m) => m.cluster === cluster).map((m) => m.namespace).sort();

describe('manifests', () => {
  it('every YAML file under deploy/ parses', () => {
    const files = yamlFiles(DEPLOY);
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const f of files) expect(() => docsOf(readFileSync(f, 'utf8'), f)).not.toThrow();
  });

  it('has an overlay for every cluster of the example config', () => {
    expect(readdirSync(join(DEPLOY, 'clusters')).sort()).toEqual(config.clusters.map((c) => c.name).sort());
  });
});

describe.skipIf(!hasKubectl)('rendered per cluster (kubectl kustomize)', () => {
  for (const { name: cluster } of config.clusters) {
    describe(cluster, () => {
      let docs: K8s[];
      beforeAll(() => {
        docs = render(cluster);
      });
      const of = (kind: string) => docs.filter((d) => d.kind === kind);
      const deployment = () => of('Deployment')[0] as K8s & { spec: DeploymentSpec };
      const container = (): Container => deployment().spec.template.spec.containers[0]!;
      const configMap = () => of('ConfigMap')[0] as K8s & { data: Record<string, string> };

      it('renders exactly the expected objects', () => {
        const kinds = docs.map((d) => d.kind).sort();
        const n = membersOf(cluster).length;
        expect(kinds).toEqual([
          'ClusterRole', 'ClusterRoleBinding', 'ConfigMap', 'Deployment', 'Namespace', 'Secret', 'ServiceAccount', 'ServiceAccount',
          ...Array(2 * n + 1).fill('Role'), ...Array(2 * n + 1).fill('RoleBinding'),
        ].sort());
      });

      it('agent, member namespaces: get/list/watch pods and services, create events; nothing else', () => {
        const roles = of('Role').filter((r) => r.metadata.name === 'gns-sync-agent');
        expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(membersOf(cluster));
        for (const role of roles) {
          expect((role as unknown as { rules: Rule[] }).rules).toEqual([
            { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
            { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create'] },
          ]);
        }
      });

      it('its own namespace: get/update of the one Lease the agent uses, create of Leases', () => {
        const lease = of('Role').filter((r) => r.metadata.namespace === 'gns-sync');
        expect(lease).toHaveLength(1);
        expect((lease[0] as unknown as { rules: Rule[] }).rules).toEqual([
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [LEASE_NAME], verbs: ['get', 'update'] },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        ]);
      });

      it('no wildcard verb, resource or group anywhere; every binding is to one of our ServiceAccounts and a Role of its namespace', () => {
        const rules = [...of('Role'), ...of('ClusterRole')].flatMap((r) => (r as unknown as { rules: Rule[] }).rules);
        for (const r of rules) for (const v of [...r.verbs, ...r.resources, ...r.apiGroups]) expect(v).not.toContain('*');
        for (const b of of('RoleBinding') as (K8s & { roleRef: Record<string, string>; subjects: Record<string, string>[] })[]) {
          const account = b.metadata.name.startsWith('gns-sync-writer') ? 'gns-sync-writer' : 'gns-sync-agent';
          expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: account, namespace: 'gns-sync' }]);
          expect(b.roleRef.kind).toBe('Role');
          expect(of('Role').some((r) => r.metadata.name === b.roleRef.name && r.metadata.namespace === b.metadata.namespace)).toBe(true);
        }
      });

      it('functions\' writer, member namespaces: write EndpointSlices and create Events; cluster-wide only list slices', () => {
        const roles = of('Role').filter((r) => r.metadata.name === 'gns-sync-writer');
        expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(membersOf(cluster));
        for (const role of roles) {
          expect((role as unknown as { rules: Rule[] }).rules).toEqual([
            { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['get', 'list', 'create', 'update', 'delete'] },
            { apiGroups: [''], resources: ['events'], verbs: ['create'] },
          ]);
        }
        const [clusterRole] = of('ClusterRole') as unknown as { rules: Rule[] }[];
        expect(clusterRole?.rules).toEqual([{ apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list'] }]);
        const [binding] = of('ClusterRoleBinding') as unknown as { subjects: unknown[]; roleRef: { name: string } }[];
        expect(binding?.subjects).toEqual([{ kind: 'ServiceAccount', name: 'gns-sync-writer', namespace: 'gns-sync' }]);
        expect(binding?.roleRef.name).toBe('gns-sync-writer-list-slices');
        const token = of('Secret')[0] as K8s & { type: string };
        expect(token.type).toBe('kubernetes.io/service-account-token');
        expect(token.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'gns-sync-writer' });
      });

      it('one replica, Recreate, non-root and read-only, with liveness and readiness on /healthz', () => {
        const spec = deployment().spec;
        expect(spec.replicas).toBe(1);
        expect(spec.strategy).toEqual({ type: 'Recreate' });
        expect(spec.template.spec.serviceAccountName).toBe('gns-sync-agent');
        expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        expect(container().securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        const port = container().ports.find((p) => p.name === 'health');
        const healthPort = container().env.find((e) => e.name === 'HEALTH_PORT')?.value;
        expect(String(port?.containerPort)).toBe(healthPort);
        for (const probe of [container().livenessProbe, container().readinessProbe]) expect(probe.httpGet).toEqual({ path: '/healthz', port: 'health' });
      });

      it('the per-cluster settings match the config, and the agent accepts them', () => {
        const ref = container().envFrom[0]?.configMapRef.name;
        expect(configMap().metadata.name).toBe(ref);
        const env: Record<string, string> = { ...configMap().data };
        for (const e of container().env) if (e.value !== undefined) env[e.name] = e.value;
        env.POD_NAMESPACE = deployment().metadata.namespace ?? '';
        const parsed = parseAgentEnv(env, () => undefined);
        expect(parsed.cluster).toBe(cluster);
        expect([...parsed.namespaces].sort()).toEqual(membersOf(cluster));
        expect(parsed.leaseNamespace).toBe('gns-sync');
        expect(env.AWS_REGION).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
      });

      it('has the IRSA annotation slot on the ServiceAccount (empty for EKS Pod Identity)', () => {
        expect(of('ServiceAccount').find((a) => a.metadata.name === 'gns-sync-agent')?.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': '' });
      });
    });
  }
});

describe('agent image', () => {
  const dockerfile = readFileSync(join(PROJECT_ROOT, 'agent/Dockerfile'), 'utf8');
  let agent: BundleResult;
  beforeAll(async () => {
    agent = await bundle('agent/main.ts', tempDir('gns-agent-'), PROJECT_ROOT);
  });

  it('builds on node:24-slim in two stages and runs the bundle as a non-root user', () => {
    expect([...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual(['node:24-slim', 'node:24-slim']);
    const final = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
    expect(final).toMatch(/^USER 1000:1000$/m);
    expect(final).not.toMatch(/npm|node_modules/);
    expect(final).toMatch(/^ENTRYPOINT \["node", "\/app\/index.mjs"\]$/m);
    expect(dockerfile).toMatch(/RUN node infra\/bundle.ts agent\/main.ts dist/);
  });

  it('the build stage\'s command works with only what the Dockerfile copies, and the bundle starts as the image would', async () => {
    const ctx = tempDir('gns-image-');
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    for (const path of copied) expect(ignored.some((i) => path === i || path.startsWith(`${i}/`)), `${path} is .dockerignored`).toBe(false);
    for (const path of copied) cpSync(join(PROJECT_ROOT, path), join(ctx, path), { recursive: true });
    symlinkSync(join(PROJECT_ROOT, 'node_modules'), join(ctx, 'node_modules'));
    const build = /^RUN (node infra\/bundle\.ts .+)$/m.exec(dockerfile)?.[1]?.split(' ') ?? [];
    await run(process.execPath, build.slice(1), { cwd: ctx });
    const started = await run(process.execPath, [join(ctx, 'dist/index.mjs')], { cwd: ctx, env: { PATH: process.env.PATH } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(started.code).toBe(2);
    expect(started.stderr).toBe('gns-sync agent: GNS_SYNC_CLUSTER is required\n');
  });

  it('bundles only production dependencies, from the sources the build stage copies', () => {
    expect(agent.packages).toContain('@kubernetes/client-node');
    expect(agent.packages).toContain('@aws-sdk/client-eventbridge');
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const dev of Object.keys(manifest.devDependencies)) expect(agent.packages).not.toContain(dev);
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(copied).toEqual(expect.arrayContaining(['shared', 'agent', 'infra/bundling.ts', 'infra/bundle.ts']));
    expect(agent.sources.length).toBeGreaterThan(5);
    for (const source of agent.sources) expect(source).toMatch(/^(agent|shared)\//);
  });
});
