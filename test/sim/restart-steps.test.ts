// A StatefulSet pod restart in the sim comes back in Kubernetes' steps, never in one instant:
// the old pod is deleted, the controller creates the new one Pending without an IP (for the
// kubelet's start delay, or as long as the node is cordoned: PodScheduled False, Unschedulable),
// then it gets an IP, then turns Ready. The StatefulSet is served by GET (the agent reads it).
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { findResource } from '../../local/sim/api/resources.ts';
import { hasKubectl, startEnv, until } from './helpers.ts';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const labels = { app: 'kafka' };
const sts = {
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'kafka', namespace: 'ns-one' },
  spec: { replicas: 2, serviceName: 'kafka-headless', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'kafka', image: 'kafka:3' }] } } },
};
type Step = { uid: string; ip: string | undefined; ready: boolean; phase: string | undefined };
const stepOf = (p: KubeObject): Step => {
  const status = (p.status ?? {}) as { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
  return { uid: p.metadata.uid ?? '', ip: status.podIP, ready: (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'), phase: status.phase };
};

describe('sim: a restarted StatefulSet pod comes back in steps', () => {
  let fleet: SimFleet | undefined;
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });

  it.each([
    ['the kubelet\'s start delay', false],
    ['a cordoned node, then uncordoned', true],
  ])('%s: deleted, then Pending without an IP, then an IP, then Ready', async (_name, cordon) => {
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], readyDelayMs: 10, containerStopMs: 10, startDelayMs: cordon ? 0 : 150 });
    const c = fleet.cluster('clusterOne');
    c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
    c.apply(sts);
    const pod = () => c.get('/api/v1/namespaces/ns-one/pods/kafka-1');
    await until('2 ready', () => (pod() && stepOf(pod()!).ready ? true : undefined));
    const old = stepOf(pod()!);
    expect(c.get('/apis/apps/v1/namespaces/ns-one/statefulsets/kafka')?.spec).toMatchObject({ replicas: 2 });

    const steps: (Step | 'deleted')[] = [];
    c.store.subscribe((ev) => {
      if (ev.storage !== PODS.storage || ev.object.metadata.name !== 'kafka-1') return;
      steps.push(ev.type === 'DELETED' ? 'deleted' : stepOf(ev.object));
    });
    const node = c.list('nodes')[0]!.metadata.name ?? '';
    if (cordon) c.registry.patch(NODES, undefined, node, 'merge', { spec: { unschedulable: true } }); // kubectl cordon
    c.registry.delete(PODS, 'ns-one', 'kafka-1');
    await until('a new kafka-1, Pending without an IP', () => { const p = pod(); return p && p.metadata.uid !== old.uid && stepOf(p).ip === undefined ? true : undefined; });
    if (cordon) {
      await new Promise((r) => setTimeout(r, 100));
      const pending = pod()!;
      expect(stepOf(pending)).toMatchObject({ ip: undefined, phase: 'Pending' });
      expect((pending.status as { conditions?: { type: string; reason?: string }[] }).conditions).toEqual([expect.objectContaining({ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' })]);
      c.registry.patch(NODES, undefined, node, 'merge', { spec: { unschedulable: null } }); // kubectl uncordon
    }
    await until('the new kafka-1 ready', () => { const p = pod(); return p && p.metadata.uid !== old.uid && stepOf(p).ready ? true : undefined; });

    const after = steps.slice(steps.indexOf('deleted') + 1) as Step[];
    const firstIp = after.findIndex((s) => s.ip !== undefined);
    const firstReady = after.findIndex((s) => s.ready);
    expect(after[0]).toMatchObject({ ip: undefined, ready: false });
    expect(firstIp).toBeGreaterThan(0);
    expect(firstReady).toBeGreaterThan(firstIp);
    expect(new Set(after.map((s) => s.uid)).size).toBe(1);
  });
});

describe.skipIf(!hasKubectl)('sim: kubectl cordon and uncordon', () => {
  it('kubectl cordon marks the node unschedulable (a new pod stays Pending); uncordon lets it start', async () => {
    const env = await startEnv({ clusters: [{ name: 'clusterOne' }] });
    try {
      const c = env.fleet.cluster('clusterOne');
      const node = c.list('nodes')[0]!.metadata.name ?? '';
      await env.k(['cordon', node]);
      expect((c.list('nodes')[0]!.spec as { unschedulable?: boolean }).unschedulable).toBe(true);
      await env.k(['create', 'namespace', 'ns-one']);
      await env.k(['run', 'p', '-n', 'ns-one', '--image', 'busybox']);
      await new Promise((r) => setTimeout(r, 100));
      expect(await env.k(['get', 'pod', 'p', '-n', 'ns-one', '-o', 'jsonpath={.status.phase} {.status.podIP}'])).toBe('Pending ');
      await env.k(['uncordon', node]);
      await until('p running with an IP', async () => ((await env.k(['get', 'pod', 'p', '-n', 'ns-one', '-o', 'jsonpath={.status.podIP}'])) !== '' ? true : undefined));
    } finally {
      await env.close();
    }
  });
});
