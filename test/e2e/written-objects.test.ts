// Every object gns-sync writes, for the seed scenario and for three clusters on two networks:
// each validates against the upstream schemas (kubernetes-models), and the golden files
// (test/e2e/golden/*.yaml) show exactly what was written, placeholders for server-chosen values.
import { afterAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../local/sim/index.ts';
import { upstreamProblem } from '../contract/upstream-schemas.ts';
import { startWorld, waitFor, type World } from './harness.ts';
import { type LayoutWorld, THREE, startLayoutWorld } from './scenario-world.ts';
import { goldenText, writtenObjects } from './written-objects.ts';

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
  let world: LayoutWorld | undefined;
  afterAll(async () => world?.stop());

  it('are valid upstream and exactly the golden file: pod IPs on net-a (clusterOne/ns-two, clusterThree), VIPs on net-b', async () => {
    // The agents and the writer with their own tokens and the RBAC rendered for THREE.
    world = await startLayoutWorld(THREE, { routing: 'none', rbac: true });
    const f = world.fleet;
    await waitFor('3 ready endpoints in every target', () => {
      const slices = writtenObjects(f).filter((o) => o.object.kind === 'EndpointSlice');
      const ready = (cluster: string, ns: string): number => slices.filter((s) => s.cluster === cluster && s.object.metadata.namespace === ns)
        .flatMap((s) => (s.object as unknown as { endpoints: { conditions: { ready: boolean } }[] }).endpoints).filter((e) => e.conditions.ready).length;
      return ready('clusterOne', 'ns-two') === 3 && ready('clusterTwo', 'ns-one') === 3 && ready('clusterThree', 'ns-one') === 3 ? true : undefined;
    }, 60_000);
    expectAllValid(f);
    await expect(goldenText(f)).toMatchFileSnapshot('./golden/three-clusters-two-networks.yaml');
  }, 120_000);
});
