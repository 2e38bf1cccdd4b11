// The agent against a simulated cluster (local/sim), through @kubernetes/client-node's real
// informers, list calls and Lease API; the bus is an in-memory recorder.
import { CoordinationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../../agent/agent.ts';
import type { Agent, AgentOptions } from '../../../agent/agent.ts';
import { FLOOR_ANNOTATION } from '../../../agent/lease.ts';
import { AgentMetrics } from '../../../agent/metrics.ts';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { DETAIL_TYPES } from '../../../shared/schemas/events.ts';
import { RecordingBus, SELECTOR, quietLogger, until } from '../../unit/agent/fakes.ts';

let fleet: SimFleet;
let kubeConfig: KubeConfig;
let core: CoreV1Api;

beforeAll(async () => {
  // Deleted pods are Terminating for 50 ms (their containers exit), then gone.
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], readyDelayMs: 5, events: false, containerStopMs: 50 });
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(fleet.kubeconfigYaml('clusterOne'));
  core = kubeConfig.makeApiClient(CoreV1Api);
  for (const name of ['ns-a', 'ns-b', 'ns-c', 'ns-d', 'ns-e', 'gns-sync']) await core.createNamespace({ body: { metadata: { name } } });
});

afterAll(async () => {
  await fleet?.stop();
});

const podBody = (name: string, labels: Record<string, string> = { app: 'kafka' }): V1Pod => ({
  metadata: { name, labels },
  spec: { hostname: name, subdomain: 'kafka-headless', containers: [{ name: 'kafka', image: 'kafka', ports: [{ name: 'tcp-client', containerPort: 9092 }] }] },
});

async function start(bus: RecordingBus, namespace: string, extra: Partial<AgentOptions> = {}): Promise<Agent> {
  const agent = await startAgent({
    cluster: 'clusterOne', namespaces: [namespace], kubeConfig, bus, logger: quietLogger(), snapshotIntervalMs: 0,
    watchBackoff: { baseMs: 20, maxMs: 200 }, publisher: { backoff: { baseMs: 5, maxMs: 50 } },
    ...extra,
  });
  await agent.ready();
  await agent.idle();
  return agent;
}

/** The published state of pod `name`: its IPs and readiness, as the functions would see it. */
const podState = (bus: RecordingBus, ns: string, name: string) => bus.state(ns).entries.get(`pod/${name}`);

describe('agent on a simulated cluster', () => {
  it('publishes upserts and deletes in order and suppresses no-op updates', async () => {
    const ns = 'ns-a';
    await core.createNamespacedPod({ namespace: ns, body: podBody('kafka-0') });
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'kafka-headless', annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': SELECTOR } }, spec: { clusterIP: 'None', ports: [{ port: 9092, targetPort: 'tcp-client' }] } },
    });
    const bus = new RecordingBus();
    const agent = await start(bus, ns);
    try {
      expect(bus.types()[0]).toBe(DETAIL_TYPES.snapshot);
      await until(() => podState(bus, ns, 'kafka-0')?.record !== undefined && (podState(bus, ns, 'kafka-0')?.record as { ready: boolean }).ready);
      expect(bus.visible(ns)).toEqual({ pods: ['kafka-0'], services: ['kafka-headless'] });

      // An annotation change unrelated to gns-sync: nothing is published. A marker pod created
      // afterwards proves the agent has seen the change (one watch stream, in order).
      const before = bus.accepted.length;
      await core.patchNamespacedPod({ namespace: ns, name: 'kafka-0', body: [{ op: 'add', path: '/metadata/annotations', value: { 'example.com/note': 'x' } }] });
      await core.createNamespacedPod({ namespace: ns, body: podBody('marker', { app: 'other' }) });
      await until(() => podState(bus, ns, 'marker') !== undefined);
      const since = bus.events().slice(before);
      expect(since.every((e) => e.type !== DETAIL_TYPES.podUpsert || e.detail.pod.name === 'marker')).toBe(true);

      await core.deleteNamespacedPod({ namespace: ns, name: 'kafka-0' });
      await until(() => !bus.visible(ns).pods.includes('kafka-0'));
      const events = bus.events();
      expect(events.at(-1)?.type).toBe(DETAIL_TYPES.podDelete);
      const versions = events.map((e) => e.detail.v);
      expect([...versions].sort()).toEqual(versions);
    } finally {
      await agent.stop();
    }
  });

  it('survives a dropped watch, a forced 410 (a relist with nothing new publishes nothing) and an unreachable API server', async () => {
    const ns = 'ns-b';
    const sim = fleet.cluster('clusterOne');
    const bus = new RecordingBus();
    const agent = await start(bus, ns);
    try {
      const snapshots = (): number => bus.types().filter((t) => t === DETAIL_TYPES.snapshot).length;
      expect(snapshots()).toBe(1);

      sim.faults.dropWatches();
      await core.createNamespacedPod({ namespace: ns, body: podBody('p-1') });
      await until(() => bus.visible(ns).pods.includes('p-1'));

      // The relist finds nothing new (p-1, Ready, was published): it publishes nothing, and says so.
      await until(() => (podState(bus, ns, 'p-1')?.record as { ready?: boolean } | undefined)?.ready === true);
      await agent.idle();
      sim.faults.forceGone();
      await until(async () => (await AgentMetrics.value(agent.metrics.snapshotsUnchanged)) >= 1);
      expect(snapshots()).toBe(1);
      await core.createNamespacedPod({ namespace: ns, body: podBody('p-2') });
      await until(() => bus.visible(ns).pods.includes('p-2'));

      sim.faults.down = true;
      sim.faults.dropWatches();
      await until(async () => (await AgentMetrics.value(agent.metrics.watchRestarts)) >= 1);
      sim.faults.down = false;
      await core.deleteNamespacedPod({ namespace: ns, name: 'p-1' });
      await until(() => !bus.visible(ns).pods.includes('p-1'));
      expect(bus.visible(ns).pods).toEqual(['p-2']);
      await until(() => agent.health().ok);
    } finally {
      sim.faults.down = false;
      await agent.stop();
    }
  });

  it('the Lease elects one publisher and its HLC floor survives an agent restart', async () => {
    const ns = 'ns-c';
    await core.createNamespacedPod({ namespace: ns, body: podBody('kafka-0') });
    const leases = kubeConfig.makeApiClient(CoordinationV1Api);
    const lease = { leaseNamespace: 'gns-sync', lease: { durationMs: 30_000, renewMs: 50, windowMs: 60_000 } };
    const busA = new RecordingBus();
    const a = await start(busA, ns, { ...lease, identity: 'agent-a' });
    const busB = new RecordingBus();
    const standby = await start(busB, ns, { ...lease, identity: 'agent-b' });
    let lastOfA = '';
    try {
      expect(a.isPublishing()).toBe(true);
      expect(standby.isPublishing()).toBe(false);
      const held = await leases.readNamespacedLease({ namespace: 'gns-sync', name: 'gns-sync-agent' });
      expect(held.spec?.holderIdentity).toBe('agent-a');
      expect(held.metadata?.annotations?.[FLOOR_ANNOTATION]).toMatch(/^\d{15}\.000000$/);
      await core.patchNamespacedPod({ namespace: ns, name: 'kafka-0', body: [{ op: 'add', path: '/metadata/labels/extra', value: 'y' }] });
      await until(() => (podState(busA, ns, 'kafka-0')?.record as { labels?: Record<string, string> } | undefined)?.labels?.extra === 'y');
      lastOfA = busA.events().at(-1)!.detail.v;
      expect(busB.accepted).toHaveLength(0);
    } finally {
      await a.stop();
      await standby.stop();
    }
    const released = await leases.readNamespacedLease({ namespace: 'gns-sync', name: 'gns-sync-agent' });
    expect(released.spec?.holderIdentity ?? '').toBe('');

    // Restarted on a node whose clock is an hour behind: it may not issue versions more than S/2
    // ahead of its own clock (docs/adr/0006), and the floor is an hour ahead of it. So it publishes
    // nothing rather than versions older than the ones already stored (which would lose to them).
    const busC = new RecordingBus();
    const c = await start(busC, ns, { ...lease, identity: 'agent-c', clock: () => Date.now() - 3_600_000 });
    try {
      expect(c.isPublishing()).toBe(false);
      expect(busC.events().filter((e) => e.detail.v <= lastOfA)).toEqual([]);
    } finally {
      await c.stop();
    }
  });

  it('serves /healthz and /metrics', async () => {
    const bus = new RecordingBus();
    const agent = await start(bus, 'ns-d', { healthPort: 0, healthHost: '127.0.0.1' });
    try {
      const base = `http://127.0.0.1:${agent.healthPort}`;
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      const metrics = await (await fetch(`${base}/metrics`)).text();
      for (const name of ['events_published_total', 'events_failed_total', 'events_buffered', 'events_dropped_total', 'watch_restarts_total', 'snapshots_total']) {
        expect(metrics).toContain(`gns_sync_agent_${name}`);
      }
      expect(metrics).toContain('gns_sync_agent_snapshots_total{cluster="clusterOne"} 1');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await agent.stop();
    }
  });
});
