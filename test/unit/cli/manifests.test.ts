// `gns-sync manifests` (issue 14): a cluster's overlay rendered from the config and the
// contributions — RBAC for exactly its member namespaces, the agent's settings, contributed
// objects in their own files — through the renderer, through main(), and as a user runs it.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { captureConsole } from '../../support/console.ts';
import { main } from '../../../local/cli/main.ts';
import { manifestSettings } from '../../../local/cli/commands/manifests.ts';
import type { Contribution, KubeObject } from '../../../local/manifests/contribution.ts';
import { contributions } from '../../../local/manifests/contributions/index.ts';
import { overlayFiles } from '../../../local/manifests/overlay.ts';
import { agentConfigMap, rbacObjects, renderCluster } from '../../../local/manifests/render.ts';
import { parseConfig } from '../../../shared/config/load.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');
const EXAMPLE = join(ROOT, 'examples/kafka-gns.yaml');
const NODE = join(ROOT, 'node_modules/.bin/node');

const config = parseConfig(`
clusters: [{ name: a }, { name: b }, { name: idle }]
globalNamespaces:
  - name: kafka
    members: [{ cluster: a, namespace: ns-one }, { cluster: b, namespace: ns-one }, { cluster: a, namespace: ns-two }]
  - name: redis
    members: [{ cluster: a, namespace: cache }]
`, 'test');

const made: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'gns-manifests-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

type Role = KubeObject & { rules: { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }[] };
const roles = (objects: readonly KubeObject[], kind = 'Role') => objects.filter((o) => o.kind === kind) as Role[];

describe('renderCluster', () => {
  it('one agent and one writer Role per member namespace of the cluster, in no other namespace of the config', () => {
    const objects = rbacObjects(renderCluster(config, 'a', manifestSettings()));
    expect(roles(objects).map((r) => `${r.metadata.name}@${r.metadata.namespace}`)).toEqual([
      'gns-sync-agent@gns-sync', 'gns-sync-agent@cache', 'gns-sync-agent@ns-one', 'gns-sync-agent@ns-two',
      'gns-sync-writer@gns-sync', 'gns-sync-writer@cache', 'gns-sync-writer@ns-one', 'gns-sync-writer@ns-two',
    ]);
    expect(objects.filter((o) => o.kind === 'RoleBinding').map((o) => `${o.metadata.name}@${o.metadata.namespace}`))
      .toEqual(roles(objects).map((r) => `${r.metadata.name}@${r.metadata.namespace}`));
    // No cluster-wide grant (issue 11, finding 4): leftovers are found through the inventory.
    expect(roles(objects, 'ClusterRole')).toEqual([]);
  });

  it("a cluster with no member namespaces gets no member Roles, only the agent's Lease (for it and the hand-back) and the writer's inventory", () => {
    const objects = rbacObjects(renderCluster(config, 'idle', manifestSettings()));
    expect(roles(objects).map((r) => `${r.metadata.name}@${r.metadata.namespace}`)).toEqual(['gns-sync-agent@gns-sync', 'gns-sync-writer@gns-sync']);
    expect(agentConfigMap(renderCluster(config, 'idle', manifestSettings())).data).toMatchObject({ GNS_SYNC_CLUSTER: 'idle', GNS_SYNC_NAMESPACES: '' });
  });

  it("the agent's ConfigMap: its cluster, its member namespaces, the bus and the region", () => {
    const rendered = renderCluster(config, 'a', manifestSettings({ eventBus: 'arn:aws:events:eu-west-1:123456789012:event-bus/gns-sync', region: 'eu-west-1' }));
    expect(agentConfigMap(rendered)).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'gns-sync-agent-env', namespace: 'gns-sync' },
      data: { GNS_SYNC_CLUSTER: 'a', GNS_SYNC_NAMESPACES: 'cache,ns-one,ns-two', GNS_SYNC_EVENT_BUS: 'arn:aws:events:eu-west-1:123456789012:event-bus/gns-sync', AWS_REGION: 'eu-west-1' },
    });
  });

  it('a contribution adds its grants (merged into the same Roles, duplicates once), its objects in its own file, its agent settings', () => {
    const policy: KubeObject = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'gns-sync-slices' }, spec: {} };
    const extra: Contribution = {
      name: 'example-extra',
      grants: () => [
        { who: 'writer', where: 'member', apiGroup: 'networking.istio.io', resources: ['serviceentries'], verbs: ['list', 'create'], why: 'routing' },
        { who: 'writer', where: 'member', apiGroup: 'networking.istio.io', resources: ['serviceentries'], verbs: ['list', 'create'], why: 'same again' },
        { who: 'writer', where: { namespace: 'istio-system' }, apiGroup: 'networking.istio.io', resources: ['gateways'], verbs: ['get'], why: 'gateway' },
      ],
      objects: () => [policy],
      agentEnv: () => [{ name: 'GNS_SYNC_EXTRA', value: 'yes' }],
    };
    const rendered = renderCluster(config, 'b', manifestSettings(), [...contributions, extra]);
    const writer = roles(rbacObjects(rendered)).filter((r) => r.metadata.name === 'gns-sync-writer' && r.metadata.namespace !== 'gns-sync');
    expect(writer.map((r) => r.metadata.namespace)).toEqual(['istio-system', 'ns-one']);
    expect(writer[1]?.rules.map((r) => r.apiGroups[0])).toEqual(['discovery.k8s.io', '', 'networking.istio.io']);
    expect(writer[0]?.rules).toEqual([{ apiGroups: ['networking.istio.io'], resources: ['gateways'], verbs: ['get'] }]);
    expect(agentConfigMap(rendered).data).toMatchObject({ GNS_SYNC_EXTRA: 'yes' });
    const files = overlayFiles(rendered, '../../base');
    expect([...files.keys()]).toEqual(['agent-rbac.yaml', 'writer-rbac.yaml', 'writer-admission.yaml', 'example-extra.yaml', 'kustomization.yaml']);
    expect(parseAllDocuments(files.get('example-extra.yaml')!).map((d) => d.toJS())).toEqual([policy]);
    expect(files.get('kustomization.yaml')).toContain('  - ../../base\n  - agent-rbac.yaml\n  - writer-rbac.yaml\n  - writer-admission.yaml\n  - example-extra.yaml\n');
    expect(files.get('writer-rbac.yaml')).toContain('# routing\n');
    expect(files.get('writer-rbac.yaml')).not.toContain('same again');
  });

  it('two contributions setting the same agent setting is a mistake in the code, not silently one of them', () => {
    const twice: Contribution = { name: 'twice', agentEnv: () => [{ name: 'GNS_SYNC_CLUSTER', value: 'x' }] };
    expect(() => renderCluster(config, 'a', manifestSettings(), [...contributions, twice])).toThrow('contribution twice: agent setting GNS_SYNC_CLUSTER is set twice');
  });
});

describe('gns-sync manifests (main)', () => {
  const { err } = captureConsole(); // console.log is captured too: the test output stays quiet

  it('an unknown cluster: one line naming the clusters there are, exit 2, nothing written', async () => {
    const dir = tempDir();
    expect(await main(['manifests', '--config', EXAMPLE, '--cluster', 'nope', '--out', join(dir, 'x')])).toBe(2);
    expect(err).toEqual(['gns-sync manifests: --cluster nope: no cluster "nope" in the config (clusters: clusterOne, clusterTwo)']);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an invalid config: its one-line error, exit 2', async () => {
    expect(await main(['manifests', '--config', join(ROOT, 'test/fixtures/config/unknown-cluster.yaml'), '--cluster', 'clusterOne'])).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain('unknown-cluster.yaml');
  });

  it('missing --config or --cluster, or an unknown option: usage, exit 2', async () => {
    expect(await main(['manifests', '--cluster', 'clusterOne'])).toBe(2);
    expect(await main(['manifests', '--config', EXAMPLE])).toBe(2);
    expect(await main(['manifests', '--config', EXAMPLE, '--cluster', 'clusterOne', '--bogus'])).toBe(2);
    expect(err.map((e) => e.split(/[;.]/)[0])).toEqual([
      'gns-sync manifests: --config is required',
      'gns-sync manifests: --cluster is required',
      "gns-sync manifests: Unknown option '--bogus'",
    ]);
  });
});

const hasKubectl = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// Each starts a Node process (and kubectl): slow on a loaded machine, so a longer limit.
describe('gns-sync manifests (as a user runs it)', { timeout: 120_000 }, () => {
  it.skipIf(!hasKubectl)('--out DIR anywhere: kubectl kustomize renders it exactly as the overlay in deploy/clusters/', async () => {
    const dir = join(tempDir(), 'clusterOne');
    const { stdout } = await run(NODE, ['bin/gns-sync.mjs', 'manifests', '--config', EXAMPLE, '--cluster', 'clusterOne', '--out', dir], { cwd: ROOT });
    expect(stdout).toBe(`${dir}: agent-rbac.yaml, writer-rbac.yaml, writer-admission.yaml, kustomization.yaml (cluster clusterOne: 2 member namespaces)\n`);
    const kustomize = (path: string) => execFileSync('kubectl', ['kustomize', path], { encoding: 'utf8' });
    expect(kustomize(dir)).toBe(kustomize(join(ROOT, 'deploy/clusters/clusterOne')));
  });

  it('without --out: one YAML stream of every object, the agent image and ConfigMap set', async () => {
    const { stdout } = await run(NODE, ['bin/gns-sync.mjs', 'manifests', '--config', EXAMPLE, '--cluster', 'clusterTwo', '--image', 'registry.example:5000/gns-sync-agent:1.2.3'], { cwd: ROOT });
    const objects = parseAllDocuments(stdout).map((d) => d.toJS() as KubeObject);
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace', 'ServiceAccount', 'Deployment', 'ServiceAccount', 'Secret', 'ConfigMap',
      'Role', 'RoleBinding', 'Role', 'RoleBinding', 'Role', 'RoleBinding', 'Role', 'RoleBinding', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding',
    ]);
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as { spec: { template: { spec: { containers: { image: string }[] } } } };
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('registry.example:5000/gns-sync-agent:1.2.3');
    expect(objects.find((o) => o.kind === 'ConfigMap')?.data).toEqual({ GNS_SYNC_CLUSTER: 'clusterTwo', GNS_SYNC_NAMESPACES: 'ns-one', GNS_SYNC_EVENT_BUS: 'gns-sync', AWS_REGION: 'us-east-1' });
    expect(readFileSync(join(ROOT, 'deploy/base/deployment.yaml'), 'utf8')).toContain('image: gns-sync-agent\n');
  });
});
