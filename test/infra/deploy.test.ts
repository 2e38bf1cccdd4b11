// The agent's deployment (issue 6): the Kustomize manifests parse and render, the RBAC is least
// privilege, the per-cluster values agree with the config and with what the agent reads, and the
// image holds only the bundled production code. The overlays deploy/clusters/* are exactly what
// `gns-sync manifests` renders (issue 14): the contributions are the only source of RBAC.
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
import { manifestSettings } from '../../local/cli/commands/manifests.ts';
import { overlayFiles } from '../../local/manifests/overlay.ts';
import { rbacObjects, renderCluster } from '../../local/manifests/render.ts';
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

  for (const { name: cluster } of config.clusters) {
    it(`deploy/clusters/${cluster} is exactly what \`gns-sync manifests\` renders (files and contents)`, () => {
      const rendered = overlayFiles(renderCluster(config, cluster, manifestSettings()), '../../base');
      const dir = join(DEPLOY, 'clusters', cluster);
      expect(readdirSync(dir).sort()).toEqual([...rendered.keys()].sort());
      for (const [file, text] of rendered) expect(readFileSync(join(dir, file), 'utf8'), file).toBe(text);
    });
  }

  it('deploy/base holds no RBAC: every Role, ClusterRole and binding comes from the rendered overlays', () => {
    const kinds = yamlFiles(join(DEPLOY, 'base')).flatMap((f) => docsOf(readFileSync(f, 'utf8'), f)).map((d) => d.kind);
    expect(kinds.filter((k) => /Role/.test(k))).toEqual([]);
  });
});

/**
 * Every Kubernetes API call gns-sync makes, by client method: who makes it (the agent's
 * ServiceAccount, or the functions' writer), where (the agent's own namespace, the member
 * namespaces, or cluster-wide) and the RBAC verb it needs. The RBAC below must grant exactly these.
 */
/** `routing`: granted only with routing: istio, by contributions/writer-routing.ts (test/unit/cli/manifests-routing.test.ts). */
type Call = { readonly who: 'agent' | 'writer'; readonly where: 'own' | 'member' | 'cluster' | 'routing'; readonly group: string; readonly resource: string; readonly verb: string };
const CALLS: Readonly<Record<string, readonly Call[]>> = {
  // agent/lease.ts: the Lease (leader election, HLC floor)
  // and shared/adapters/kubernetes/agent-handback.ts: the functions hand back through the same Lease
  readNamespacedLease: [
    { who: 'agent', where: 'own', group: 'coordination.k8s.io', resource: 'leases', verb: 'get' },
    { who: 'writer', where: 'own', group: 'coordination.k8s.io', resource: 'leases', verb: 'get' },
  ],
  createNamespacedLease: [
    { who: 'agent', where: 'own', group: 'coordination.k8s.io', resource: 'leases', verb: 'create' },
    { who: 'writer', where: 'own', group: 'coordination.k8s.io', resource: 'leases', verb: 'create' },
  ],
  replaceNamespacedLease: [
    { who: 'agent', where: 'own', group: 'coordination.k8s.io', resource: 'leases', verb: 'update' },
    { who: 'writer', where: 'own', group: 'coordination.k8s.io', resource: 'leases', verb: 'update' },
  ],
  // agent/watch.ts: informers list, then watch
  listNamespacedPod: [{ who: 'agent', where: 'member', group: '', resource: 'pods', verb: 'list' }],
  listNamespacedService: [{ who: 'agent', where: 'member', group: '', resource: 'services', verb: 'list' }],
  makeInformer: [
    { who: 'agent', where: 'member', group: '', resource: 'pods', verb: 'watch' },
    { who: 'agent', where: 'member', group: '', resource: 'services', verb: 'watch' },
  ],
  // agent/returning.ts: a deleted pod's StatefulSet, by name (does it return? ADR 19)
  readNamespacedStatefulSet: [{ who: 'agent', where: 'member', group: 'apps', resource: 'statefulsets', verb: 'get' }],
  // shared/adapters/kubernetes/cluster-api.ts: the sync and reconcile functions
  listNamespacedEndpointSlice: [{ who: 'writer', where: 'member', group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'list' }],
  createNamespacedEndpointSlice: [{ who: 'writer', where: 'member', group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'create' }],
  replaceNamespacedEndpointSlice: [{ who: 'writer', where: 'member', group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'update' }],
  deleteNamespacedEndpointSlice: [{ who: 'writer', where: 'member', group: 'discovery.k8s.io', resource: 'endpointslices', verb: 'delete' }],
  createNamespacedEvent: [{ who: 'writer', where: 'member', group: '', resource: 'events', verb: 'create' }],
  // shared/adapters/kubernetes/inventory.ts: the inventory ConfigMap in the own namespace (no cluster-wide list)
  readNamespacedConfigMap: [{ who: 'writer', where: 'own', group: '', resource: 'configmaps', verb: 'get' }],
  createNamespacedConfigMap: [{ who: 'writer', where: 'own', group: '', resource: 'configmaps', verb: 'create' }],
  replaceNamespacedConfigMap: [{ who: 'writer', where: 'own', group: '', resource: 'configmaps', verb: 'update' }],
  // shared/adapters/kubernetes/routing-api.ts: routing: istio (ADR 13)
  listNamespacedCustomObject: [{ who: 'writer', where: 'routing', group: 'networking.istio.io', resource: 'serviceentries', verb: 'list' }],
  listClusterCustomObject: [{ who: 'writer', where: 'routing', group: 'networking.istio.io', resource: 'serviceentries', verb: 'list' }],
  createNamespacedCustomObject: [{ who: 'writer', where: 'routing', group: 'networking.istio.io', resource: 'serviceentries', verb: 'create' }],
  replaceNamespacedCustomObject: [{ who: 'writer', where: 'routing', group: 'networking.istio.io', resource: 'serviceentries', verb: 'update' }],
  deleteNamespacedCustomObject: [{ who: 'writer', where: 'routing', group: 'networking.istio.io', resource: 'serviceentries', verb: 'delete' }],
  listServiceForAllNamespaces: [{ who: 'writer', where: 'routing', group: '', resource: 'services', verb: 'list' }],
};
/**
 * Granted beyond the calls, on purpose: `get` of pods and services in member namespaces (issue 6
 * names get/list/watch; it reads nothing the agent's list and watch do not already return).
 */
const GRANTED_BEYOND_CALLS: readonly Call[] = [
  { who: 'agent', where: 'member', group: '', resource: 'pods', verb: 'get' },
  { who: 'agent', where: 'member', group: '', resource: 'services', verb: 'get' },
];
const CLIENT_CALL = /\b((?:list|read|create|replace|patch|delete|watch)(?:Namespaced\w+|\w+ForAllNamespaces|Cluster\w+)|makeInformer)(?:<[^>(]*>)?\(/g;

/** Rules as the set of `group/resource/verb` (and `@name` when limited by resourceNames) they allow. */
const grants = (rules: readonly Rule[]): string[] =>
  rules.flatMap((r) => r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.flatMap((v) => (r.resourceNames ?? ['']).map((n) => `${g}/${res}/${v}${n ? `@${n}` : ''}`))))).sort();
const needed = (who: Call['who'], where: Call['where'], extra: readonly Call[] = []): string[] =>
  [...new Set([...Object.values(CALLS).flat(), ...extra].filter((c) => c.who === who && c.where === where).map((c) => `${c.group}/${c.resource}/${c.verb}`))].sort();

describe('Kubernetes API calls and RBAC', () => {
  it('every client call in agent/ and shared/adapters/kubernetes/ is listed in CALLS, and every listed one is made', () => {
    const sources = [
      ...readdirSync(join(PROJECT_ROOT, 'agent')).filter((f) => f.endsWith('.ts')).map((f) => join(PROJECT_ROOT, 'agent', f)),
      ...readdirSync(join(PROJECT_ROOT, 'shared/adapters/kubernetes')).filter((f) => f.endsWith('.ts')).map((f) => join(PROJECT_ROOT, 'shared/adapters/kubernetes', f)),
    ];
    const made = new Set(sources.flatMap((f) => [...readFileSync(f, 'utf8').replace(/^\s*\/\/.*$/gm, '').matchAll(CLIENT_CALL)].map((m) => m[1]!)));
    expect([...made].sort()).toEqual(Object.keys(CALLS).sort());
  });

  for (const { name: cluster } of config.clusters) {
    it(`${cluster}: the rendered Roles grant exactly what the calls need (the agent's Lease Role: only its Lease by name, but create)`, () => {
      const rendered = rbacObjects(renderCluster(config, cluster, manifestSettings())) as unknown as K8s[];
      const rulesOf = (d: K8s) => (d as unknown as { rules: Rule[] }).rules;
      const memberRoles = rendered.filter((d) => d.kind === 'Role' && d.metadata.namespace !== 'gns-sync');
      expect(memberRoles.map((d) => `${d.metadata.name} ${d.metadata.namespace}`).sort())
        .toEqual(membersOf(cluster).flatMap((ns) => [`gns-sync-agent ${ns}`, `gns-sync-writer ${ns}`]).sort());
      for (const role of memberRoles.filter((d) => d.metadata.name === 'gns-sync-agent')) {
        expect(grants(rulesOf(role)), `agent in ${role.metadata.namespace}`).toEqual(needed('agent', 'member', GRANTED_BEYOND_CALLS));
      }
      for (const role of memberRoles.filter((d) => d.metadata.name === 'gns-sync-writer')) {
        expect(grants(rulesOf(role)), `writer in ${role.metadata.namespace}`).toEqual(needed('writer', 'member'));
      }
      const ownRoles = rendered.filter((d) => d.kind === 'Role' && d.metadata.namespace === 'gns-sync');
      expect(ownRoles.map((d) => d.metadata.name).sort()).toEqual(['gns-sync-agent', 'gns-sync-writer']);
      const leaseGrants = [`coordination.k8s.io/leases/create`, `coordination.k8s.io/leases/get@${LEASE_NAME}`, `coordination.k8s.io/leases/update@${LEASE_NAME}`];
      const own = (who: string) => ownRoles.find((d) => d.metadata.name === `gns-sync-${who}`)!;
      expect(grants(rulesOf(own('agent')))).toEqual(leaseGrants);
      // The writer's own namespace: the Lease and its inventory ConfigMap, by name (but create).
      expect(grants(rulesOf(own('writer')))).toEqual([...leaseGrants, '/configmaps/create', '/configmaps/get@gns-sync-inventory', '/configmaps/update@gns-sync-inventory'].sort());
      expect(needed('agent', 'own')).toEqual(['coordination.k8s.io/leases/create', 'coordination.k8s.io/leases/get', 'coordination.k8s.io/leases/update']);
      expect(needed('writer', 'own')).toEqual(['/configmaps/create', '/configmaps/get', '/configmaps/update', 'coordination.k8s.io/leases/create', 'coordination.k8s.io/leases/get', 'coordination.k8s.io/leases/update']);
      // No cluster-wide grant at all (issue 11, finding 4): leftovers are found through the inventory.
      expect(rendered.filter((d) => d.kind === 'ClusterRole' || d.kind === 'ClusterRoleBinding')).toEqual([]);
      expect(needed('writer', 'cluster')).toEqual([]);
      expect(needed('agent', 'cluster')).toEqual([]);
    });
  }
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
          'ConfigMap', 'Deployment', 'Namespace', 'Secret', 'ServiceAccount', 'ServiceAccount', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
          ...Array(2 * n + 2).fill('Role'), ...Array(2 * n + 2).fill('RoleBinding'),
        ].sort());
      });

      it("agent, member namespaces: get/list/watch pods and services, get StatefulSets (a deleted pod's: does it return); nothing else (it records no Events)", () => {
        const roles = of('Role').filter((r) => r.metadata.name === 'gns-sync-agent' && r.metadata.namespace !== 'gns-sync');
        expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(membersOf(cluster));
        for (const role of roles) {
          expect((role as unknown as { rules: Rule[] }).rules).toEqual([
            { apiGroups: [''], resources: ['pods', 'services'], verbs: ['get', 'list', 'watch'] },
            { apiGroups: ['apps'], resources: ['statefulsets'], verbs: ['get'] },
          ]);
        }
      });

      it("its own namespace: get/update of the one Lease the agent uses, create of Leases — for the agent, and for the functions' hand-back; the writer's inventory ConfigMap", () => {
        const lease = of('Role').filter((r) => r.metadata.namespace === 'gns-sync');
        expect(lease.map((r) => r.metadata.name).sort()).toEqual(['gns-sync-agent', 'gns-sync-writer']);
        const leaseRules = [
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: [LEASE_NAME], verbs: ['get', 'update'] },
          { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
        ];
        const rulesOf = (name: string) => (lease.find((r) => r.metadata.name === name) as unknown as { rules: Rule[] }).rules;
        expect(rulesOf('gns-sync-agent')).toEqual(leaseRules);
        expect(rulesOf('gns-sync-writer')).toEqual([
          { apiGroups: [''], resources: ['configmaps'], resourceNames: ['gns-sync-inventory'], verbs: ['get', 'update'] },
          { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
          ...leaseRules,
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

      it('functions\' writer, member namespaces: write EndpointSlices and create Events; nothing cluster-wide', () => {
        const roles = of('Role').filter((r) => r.metadata.name === 'gns-sync-writer' && r.metadata.namespace !== 'gns-sync');
        expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(membersOf(cluster));
        for (const role of roles) {
          expect((role as unknown as { rules: Rule[] }).rules).toEqual([
            { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'create', 'update', 'delete'] },
            { apiGroups: [''], resources: ['events'], verbs: ['create'] },
          ]);
        }
        expect([...of('ClusterRole'), ...of('ClusterRoleBinding')]).toEqual([]);
        const token = of('Secret')[0] as K8s & { type: string };
        expect(token.type).toBe('kubernetes.io/service-account-token');
        expect(token.metadata.annotations).toEqual({ 'kubernetes.io/service-account.name': 'gns-sync-writer' });
      });

      it('one replica, Recreate, non-root and read-only; readiness on /healthz, liveness on /metrics (a restart cannot fix a bus or API server outage)', () => {
        const spec = deployment().spec;
        expect(spec.replicas).toBe(1);
        expect(spec.strategy).toEqual({ type: 'Recreate' });
        expect(spec.template.spec.serviceAccountName).toBe('gns-sync-agent');
        expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        expect(container().securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
        const port = container().ports.find((p) => p.name === 'health');
        const healthPort = container().env.find((e) => e.name === 'HEALTH_PORT')?.value;
        expect(String(port?.containerPort)).toBe(healthPort);
        expect(container().readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
        // /healthz fails while PutEvents or an informer keeps failing: a liveness probe there would
        // restart the agent in a loop during an outage (losing its buffer, and backing off for
        // minutes after it). /metrics answers whenever the process serves requests.
        expect(container().livenessProbe.httpGet).toEqual({ path: '/metrics', port: 'health' });
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
