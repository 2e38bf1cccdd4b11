// The in-process controllers: StatefulSet ordering (OrderedReady waits for each pod to be
// Ready; scale-down removes the highest ordinal first), readiness switched from tests,
// graceful deletion visible as terminating endpoints, owner-reference GC, pod IPs per cluster.
import { afterEach, describe, expect, it } from 'vitest';
import type { SimFleet, KubeObject } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { findResource } from '../../local/sim/api/resources.ts';
import { until } from './helpers.ts';

const labels = { app: 'kafka' };
const sts = (replicas: number, policy: 'OrderedReady' | 'Parallel'): unknown => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'kafka', namespace: 'ns-one' },
  spec: { replicas, podManagementPolicy: policy, serviceName: 'kafka-headless', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'kafka', image: 'kafka:3', ports: [{ name: 'kafka-client', containerPort: 9092 }] }] } } },
});
const headless = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'kafka-headless', namespace: 'ns-one' }, spec: { clusterIP: 'None', selector: labels, ports: [{ name: 'tcp-client', port: 9092, targetPort: 'kafka-client' }] } };
const isReady = (p: KubeObject): boolean => ((p.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
interface Endpoint { hostname?: string; addresses: string[]; conditions: { ready: boolean; serving: boolean; terminating: boolean } }

describe('controllers', () => {
  let fleet: SimFleet | undefined;
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });

  async function start(readyDelayMs: number, containerStopMs = 0): Promise<ReturnType<SimFleet['cluster']>> {
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo', podCidr: '10.200.0.0/16' }], readyDelayMs, containerStopMs });
    const c = fleet.cluster('clusterOne');
    c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
    return c;
  }

  it('OrderedReady: creates kafka-1 only after kafka-0 is Ready, and scales down from the top', async () => {
    const c = await start(150);
    const creations: string[] = [];
    const unsubscribe = c.store.subscribe((ev) => {
      if (ev.storage === 'pods' && ev.type === 'ADDED') {
        const readyOthers = c.list('pods', 'ns-one').filter((p) => p.metadata.name !== ev.object.metadata.name && isReady(p)).map((p) => p.metadata.name);
        creations.push(`${ev.object.metadata.name} after ${readyOthers.sort().join(',') || 'none'}`);
      }
    });
    c.apply(sts(3, 'OrderedReady'));
    await until('3 ready', () => (c.list('pods', 'ns-one').filter(isReady).length === 3 ? true : undefined));
    unsubscribe();
    expect(creations).toEqual(['kafka-0 after none', 'kafka-1 after kafka-0', 'kafka-2 after kafka-0,kafka-1']);
    const deletions: string[] = [];
    c.store.subscribe((ev) => {
      if (ev.storage === 'pods' && ev.type === 'DELETED') deletions.push(ev.object.metadata.name ?? '');
    });
    c.apply(sts(1, 'OrderedReady'));
    await until('1 left', () => (c.list('pods', 'ns-one').length === 1 ? true : undefined));
    expect(deletions).toEqual(['kafka-2', 'kafka-1']);
    // The controller updates the status once it has seen the last pod go (the next turn).
    await expect.poll(() => c.get('/apis/apps/v1/namespaces/ns-one/statefulsets/kafka')!.status).toMatchObject({ replicas: 1, readyReplicas: 1, availableReplicas: 1 });
  });

  it('readiness switched off keeps a pod out of Ready (and the next OrderedReady pod waiting)', async () => {
    const c = await start(10);
    c.setPodReady('ns-one', 'kafka-0', false);
    c.apply(sts(2, 'OrderedReady'));
    await until('kafka-0 running', () => c.list('pods', 'ns-one').find((p) => (p.status as { phase?: string }).phase === 'Running'));
    await new Promise((r) => setTimeout(r, 100));
    expect(c.list('pods', 'ns-one').map((p) => p.metadata.name)).toEqual(['kafka-0']);
    expect(isReady(c.list('pods', 'ns-one')[0]!)).toBe(false);
    c.setPodReady('ns-one', 'kafka-0', true);
    await until('2 ready', () => (c.list('pods', 'ns-one').filter(isReady).length === 2 ? true : undefined));
  });

  it('shows a deleted pod as a terminating endpoint during its grace, then recreates it with a new IP', async () => {
    const c = await start(10, 300);
    c.apply(headless);
    c.apply(sts(2, 'Parallel'));
    await until('2 ready', () => (c.list('pods', 'ns-one').filter(isReady).length === 2 ? true : undefined));
    const old = c.get('/api/v1/namespaces/ns-one/pods/kafka-1')!;
    c.registry.delete(findResource('', 'v1', 'pods')!, 'ns-one', 'kafka-1');
    const terminating = await until('terminating endpoint', () => {
      const eps = c.list('endpointslices', 'ns-one').flatMap((s) => (s.endpoints as Endpoint[] | null) ?? []);
      return eps.find((e) => e.hostname === 'kafka-1' && e.conditions.terminating);
    });
    expect(terminating.conditions).toEqual({ ready: false, serving: false, terminating: true });
    expect(c.resolve('kafka-1.kafka-headless.ns-one.svc.cluster.local')).toEqual([]);
    const back = await until('kafka-1 recreated', () => {
      const p = c.get('/api/v1/namespaces/ns-one/pods/kafka-1');
      return p && p.metadata.uid !== old.metadata.uid && isReady(p) ? p : undefined;
    }, 5000);
    expect((back.status as { podIP: string }).podIP).not.toBe((old.status as { podIP: string }).podIP);
  });

  it('gives each cluster its own pod CIDR, and deletes a StatefulSet\'s pods with it', async () => {
    const c = await start(10);
    const two = fleet!.cluster('clusterTwo');
    two.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
    two.apply(sts(2, 'Parallel'));
    await until('pods in two', () => (two.list('pods', 'ns-one').filter(isReady).length === 2 ? true : undefined));
    for (const p of two.list('pods', 'ns-one')) expect((p.status as { podIP: string }).podIP).toMatch(/^10\.200\./);
    c.apply(sts(2, 'Parallel'));
    await until('pods in one', () => (c.list('pods', 'ns-one').filter(isReady).length === 2 ? true : undefined));
    c.registry.delete(findResource('apps', 'v1', 'statefulsets')!, 'ns-one', 'kafka');
    await until('pods collected', () => (c.list('pods', 'ns-one').length === 0 ? true : undefined));
    expect(two.list('pods', 'ns-one')).toHaveLength(2);
  });

  it('refuses bad fleet options with clear errors', async () => {
    await expect(startSimClusters({ clusters: [] })).rejects.toThrow(/at least one cluster/);
    await expect(startSimClusters({ clusters: [{ name: 'a', podCidr: '10.1.0.0' }] })).rejects.toThrow(/cluster "a": "10.1.0.0" is not an IPv4 CIDR/);
    await expect(startSimClusters({ clusters: [{ name: 'a' }], portBase: -1 })).rejects.toThrow(/not a port number/);
  });
});

describe('StatefulSet rolling update', () => {
  it('replaces pods on an old template one at a time from the highest ordinal, each with a new IP', async () => {
    const fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], readyDelayMs: 10, containerStopMs: 0 });
    try {
      const c = fleet.cluster('clusterOne');
      c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
      c.apply(sts(3, 'Parallel'));
      await until('3 ready', () => (c.list('pods', 'ns-one').filter(isReady).length === 3 ? true : undefined));
      const before = new Map(c.list('pods', 'ns-one').map((p) => [p.metadata.name, (p.status as { podIP: string }).podIP]));
      const order: string[] = [];
      c.store.subscribe((ev) => {
        if (ev.storage === 'pods' && ev.type === 'DELETED') order.push(ev.object.metadata.name ?? '');
      });
      const next = sts(3, 'Parallel') as { spec: { template: { metadata: { annotations?: Record<string, string> } } } };
      next.spec.template.metadata.annotations = { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' };
      c.apply(next);
      const rev = await until('rolled', () => {
        const obj = c.get('/apis/apps/v1/namespaces/ns-one/statefulsets/kafka')!;
        const s = obj.status as { observedGeneration: number; updatedReplicas: number; readyReplicas: number; currentRevision: string; updateRevision: string };
        const settled = s.observedGeneration === obj.metadata.generation && s.updatedReplicas === 3 && s.readyReplicas === 3 && s.currentRevision === s.updateRevision;
        return settled ? s : undefined;
      }, 5000);
      expect(order).toEqual(['kafka-2', 'kafka-1', 'kafka-0']);
      for (const p of c.list('pods', 'ns-one')) {
        expect(p.metadata.labels?.['controller-revision-hash']).toBe(rev.updateRevision);
        expect((p.status as { podIP: string }).podIP).not.toBe(before.get(p.metadata.name));
      }
    } finally {
      await fleet.stop();
    }
  });
});

describe('StatefulSet ordinals', () => {
  it('starts at spec.ordinals.start', async () => {
    const fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], readyDelayMs: 5 });
    try {
      const c = fleet.cluster('clusterOne');
      c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
      const s = sts(2, 'Parallel') as { spec: Record<string, unknown> };
      s.spec.ordinals = { start: 3 };
      c.apply(s);
      await until('2 ready', () => (c.list('pods', 'ns-one').filter(isReady).length === 2 ? true : undefined));
      expect(c.list('pods', 'ns-one').map((p) => [p.metadata.name, p.metadata.labels?.['apps.kubernetes.io/pod-index']])).toEqual([['kafka-3', '3'], ['kafka-4', '4']]);
    } finally {
      await fleet.stop();
    }
  });
});
