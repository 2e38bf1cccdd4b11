// Every object gns-sync writes, for the seed scenario and for three clusters on two networks:
// each validates against the upstream schemas (kubernetes-models), and the golden files
// (test/e2e/golden/*.yaml) show exactly what was written, placeholders for server-chosen values.
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { Kube } from '../../local/demo/kube.ts';
import { kafkaHeadlessService, kafkaStatefulSet, selectorlessService } from '../../local/demo/scenario.ts';
import type { LocalRuntime } from '../../local/runner/runtime.ts';
import { startLocal } from '../../local/runner/runtime.ts';
import { startSimClusters, type SimFleet } from '../../local/sim/index.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { upstreamProblem } from '../contract/upstream-schemas.ts';
import { startWorld, tempStateDir, waitFor, type World } from './harness.ts';
import { goldenText, writtenObjects } from './written-objects.ts';
import { installGnsSync } from '../../local/demo/identities.ts';
import { OWN_NAMESPACE } from '../../local/manifests/contribution.ts';

const THREE = parseConfig(`clusters:
  - { name: clusterOne, network: net-a }
  - { name: clusterTwo, network: net-b }
  - { name: clusterThree, network: net-a }
globalNamespaces:
  - name: kafka-gns
    members:
      - { cluster: clusterOne, namespace: ns-one }
      - { cluster: clusterOne, namespace: ns-two }
      - { cluster: clusterTwo, namespace: ns-one }
      - { cluster: clusterThree, namespace: ns-one }
`, 'three-clusters.yaml');

function expectAllValid(fleet: SimFleet): void {
  // gns-sync sends no field a real server would drop or refuse (the sim counts the warnings fieldValidation=Warn sends).
  expect(fleet.clusters.map((c) => [c.name, c.counters.fieldWarnings])).toEqual(fleet.clusters.map((c) => [c.name, 0]));
  const problems = writtenObjects(fleet).map(({ cluster, object }) => ({ where: `${cluster} ${object.kind} ${object.metadata.namespace}/${object.metadata.name}`, problem: upstreamProblem(object) })).filter((p) => p.problem !== undefined);
  expect(problems).toEqual([]);
}

describe('objects written for the seed scenario', () => {
  let world: World;
  afterAll(async () => world?.stop());

  it('are valid upstream and exactly the golden file', async () => {
    world = await startWorld();
    await world.converged(3);
    expect(writtenObjects(world.fleet).filter((o) => o.object.kind === 'EndpointSlice')).toHaveLength(2);
    expectAllValid(world.fleet);
    await expect(goldenText(world.fleet)).toMatchFileSnapshot('./golden/seed.yaml');
  });

  it('a Warning event on an invalid target is valid upstream', async () => {
    await world.kube.create('clusterTwo', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'broken', namespace: 'ns-one', annotations: { 'gns-sync.io/endpoints.statefulset': '{not json' } }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] } });
    await waitFor('a Warning event from gns-sync', () => (writtenObjects(world.fleet).some((o) => o.object.kind === 'Event' && (o.object as { type?: string }).type === 'Warning') ? true : undefined), 30_000);
    const events = writtenObjects(world.fleet).filter((o) => o.object.kind === 'Event');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(upstreamProblem(e.object)).toBeUndefined();
  });
});

describe('objects written for three clusters on two networks', () => {
  let fleet: SimFleet | undefined;
  let runtime: LocalRuntime | undefined;
  let stateDir: string | undefined;
  afterAll(async () => {
    await runtime?.stop();
    await fleet?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  it('are valid upstream and exactly the golden file: pod IPs on net-a (clusterOne/ns-two, clusterThree), VIPs on net-b', async () => {
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }, { name: 'clusterThree' }], readyDelayMs: 20, rbac: true });
    const kube = new Kube(fleet.kubeconfigYaml());
    for (const [cluster, ns] of [['clusterOne', 'ns-one'], ['clusterOne', 'ns-two'], ['clusterTwo', 'ns-one'], ['clusterThree', 'ns-one']] as const) await kube.namespace(cluster, ns);
    await kube.create('clusterOne', kafkaHeadlessService('ns-one'));
    await kube.create('clusterOne', kafkaStatefulSet('ns-one', 3));
    for (const [cluster, ns] of [['clusterOne', 'ns-two'], ['clusterTwo', 'ns-one'], ['clusterThree', 'ns-one']] as const) await kube.create(cluster, selectorlessService(ns));
    stateDir = tempStateDir();
    // The agents and the writer with their own tokens and the RBAC rendered for THREE.
    const identities = await installGnsSync(fleet, THREE);
    runtime = await startLocal({ config: THREE, kubeconfigYaml: fleet.kubeconfigYaml(), identities, leaseNamespace: OWN_NAMESPACE, stateDir, log: () => {}, reconcileIntervalMs: 0, quiet: true });
    const f = fleet;
    await waitFor('3 ready endpoints in every target', () => {
      const slices = writtenObjects(f).filter((o) => o.object.kind === 'EndpointSlice');
      const ready = (cluster: string, ns: string): number => slices.filter((s) => s.cluster === cluster && s.object.metadata.namespace === ns)
        .flatMap((s) => (s.object as unknown as { endpoints: { conditions: { ready: boolean } }[] }).endpoints).filter((e) => e.conditions.ready).length;
      return ready('clusterOne', 'ns-two') === 3 && ready('clusterTwo', 'ns-one') === 3 && ready('clusterThree', 'ns-one') === 3 ? true : undefined;
    }, 60_000);
    expectAllValid(fleet);
    await expect(goldenText(fleet)).toMatchFileSnapshot('./golden/three-clusters-two-networks.yaml');
  }, 120_000);
});
