// trace against what the routing writer really wrote (routing: istio on `sim --istio`): from
// every target cluster each replica of the seed scenario, and of three clusters on two
// networks, reaches its own ready pod; deleting the source network's gateway Service makes
// the trace stop at that network's gateway. Every object written (slices, Events, ServiceEntries)
// validates upstream, and golden files show them.
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../local/demo/checks.ts';
import type { SimFleet } from '../../local/sim/index.ts';
import { findResource } from '../../local/sim/api/resources.ts';
import { kubeMeshReader } from '../../local/trace/kube-reader.ts';
import { topologyFromConfig } from '../../local/trace/topology.ts';
import { traceName } from '../../local/trace/trace.ts';
import type { Config } from '../../shared/config/schema.ts';
import { upstreamProblem } from '../contract/upstream-schemas.ts';
import { type Layout, type LayoutWorld, SEED, THREE, startLayoutWorld } from './scenario-world.ts';
import { goldenText, writtenObjects } from './written-objects.ts';

let world: LayoutWorld | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

/** RBAC enforced: the agents and the writer run with their own tokens and the rendered grants (routing's included). */
async function routedWorld(layout: Layout): Promise<{ fleet: SimFleet; config: Config }> {
  world = await startLayoutWorld(layout, { routing: 'istio', rbac: true });
  return world;
}

async function traceAll(f: SimFleet, config: Config, s: Layout): Promise<void> {
  const topology = topologyFromConfig(config);
  const reader = kubeMeshReader(f.kubeconfigYaml(), new Map(config.clusters.map((c) => [c.name, c.context])));
  const pods = new Map(f.cluster('clusterOne').list('pods', 'ns-one').map((p) => [p.metadata.name, (p.status as { podIP: string }).podIP]));
  for (const [cluster, ns] of s.targets) {
    for (const i of [0, 1, 2]) {
      const result = await waitFor(`kafka-${i} reached from ${cluster}/${ns}`, async () => {
        const r = await traceName({ name: `kafka-${i}.kafka-headless.${ns}.svc.cluster.local`, from: cluster }, topology, reader);
        return r.ok ? r : undefined;
      }, 60_000, 250);
      expect(result.end).toEqual({ cluster: 'clusterOne', namespace: 'ns-one', pod: `kafka-${i}`, ip: pods.get(`kafka-${i}`), ready: true });
    }
  }
}

describe('trace over the routing writer\'s objects', () => {
  it('seed scenario: from clusterOne/ns-two (pod IPs) and clusterTwo/ns-one (VIPs via net-one\'s gateway) every replica reaches its ready pod; without the gateway Service it stops there', async () => {
    const { fleet: f, config } = await routedWorld(SEED);
    await traceAll(f, config, SEED);
    const written = writtenObjects(f);
    expect(written.filter((w) => w.object.kind === 'ServiceEntry').length).toBeGreaterThan(0);
    expect(written.map((w) => upstreamProblem(w.object)).filter((p) => p !== undefined)).toEqual([]);
    await expect(goldenText(f)).toMatchFileSnapshot('./golden/seed-istio.yaml');
    f.cluster('clusterOne').registry.delete(findResource('', 'v1', 'services')!, 'istio-system', 'istio-eastwestgateway');
    const topology = topologyFromConfig(config);
    const reader = kubeMeshReader(f.kubeconfigYaml(), new Map(config.clusters.map((c) => [c.name, c.context])));
    const broken = await traceName({ name: 'kafka-0.kafka-headless.ns-one.svc.cluster.local', from: 'clusterTwo' }, topology, reader);
    expect(broken.ok).toBe(false);
    expect(broken.broken).toContain('no gateway Service labelled for network net-one');
  }, 180_000);

  it('three clusters on two networks: every target cluster reaches every replica\'s ready pod', async () => {
    const { fleet: f, config } = await routedWorld(THREE);
    await traceAll(f, config, THREE);
    expect(writtenObjects(f).map((w) => upstreamProblem(w.object)).filter((p) => p !== undefined)).toEqual([]);
    await expect(goldenText(f)).toMatchFileSnapshot('./golden/three-clusters-two-networks-istio.yaml');
  }, 180_000);
});
