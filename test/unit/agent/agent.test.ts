// The whole agent over client-node's real ListWatch, fed by a fake API (test/unit/agent/fakes.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent } from '../../../agent/agent.ts';
import type { Agent, AgentOptions } from '../../../agent/agent.ts';
import { MemoryFloorStore } from '../../../agent/clock.ts';
import { AgentMetrics } from '../../../agent/metrics.ts';
import { DETAIL_TYPES } from '../../../shared/schemas/events.ts';
import { FakeKube, RecordingBus, pod, quietLogger, service, startFakeAgent, stopStartedAgents, unreachableKubeConfig, until } from './fakes.ts';

const kubeConfig = unreachableKubeConfig();
afterEach(stopStartedAgents);

async function start(kube: FakeKube, bus: RecordingBus, extra: Partial<AgentOptions> = {}): Promise<Agent> {
  const agent = await startFakeAgent(kube, bus, extra);
  await agent.ready();
  await agent.idle();
  return agent;
}

const settle = async (agent: Agent): Promise<void> => {
  await new Promise((r) => setImmediate(r));
  await agent.idle();
};

describe('agent', () => {
  it('publishes a snapshot at start, then upserts and deletes in order', async () => {
    const kube = new FakeKube();
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    kube.put(service('kafka-headless'));
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    expect(bus.types()).toEqual([DETAIL_TYPES.snapshot]);
    expect(bus.visible('ns-one')).toEqual({ pods: ['kafka-0'], services: ['kafka-headless'] });

    kube.put(pod('kafka-1', { ip: '10.1.0.2' }));
    kube.put(pod('kafka-0', { ip: '10.1.0.9' }));
    kube.delete('Pod', 'ns-one', 'kafka-1');
    kube.delete('Service', 'ns-one', 'kafka-headless');
    await settle(agent);
    expect(bus.types().slice(1)).toEqual([DETAIL_TYPES.podUpsert, DETAIL_TYPES.podUpsert, DETAIL_TYPES.podDelete, DETAIL_TYPES.serviceDelete]);
    const events = bus.events();
    const versions = events.map((e) => e.detail.v);
    expect([...versions].sort()).toEqual(versions); // the per-cluster clock increases
    expect(bus.visible('ns-one')).toEqual({ pods: ['kafka-0'], services: [] });
    expect(bus.state('ns-one').entries.get('pod/kafka-0')?.record).toMatchObject({ ips: ['10.1.0.9'] });
    expect(await AgentMetrics.value(agent.metrics.snapshots)).toBe(1);
  });

  it('suppresses updates that change no published field (an unrelated annotation, status noise)', async () => {
    const kube = new FakeKube();
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    kube.put(service('kafka-headless'));
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    const before = bus.accepted.length;
    kube.put(pod('kafka-0', { ip: '10.1.0.1', annotations: { 'example.com/note': 'changed' } }));
    kube.put(service('kafka-headless', { extraAnnotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"x":1}' } }));
    kube.put(service('unrelated', { annotated: false }));
    await settle(agent);
    expect(bus.accepted.length).toBe(before);
  });

  it('a Service that loses its selector annotation is deleted; one that gains it is upserted', async () => {
    const kube = new FakeKube();
    kube.put(service('a'));
    kube.put(service('b', { annotated: false }));
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    kube.put(service('a', { annotated: false }));
    kube.put(service('b'));
    await settle(agent);
    expect(bus.types().slice(1)).toEqual([DETAIL_TYPES.serviceDelete, DETAIL_TYPES.serviceUpsert]);
    expect(bus.visible('ns-one').services).toEqual(['b']);
  });

  it('a recreated pod (same name, new uid) wins over the old one', async () => {
    const kube = new FakeKube();
    kube.put(pod('kafka-0', { ip: '10.1.0.1', uid: 'old' }));
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    kube.delete('Pod', 'ns-one', 'kafka-0');
    kube.put(pod('kafka-0', { ip: '10.1.0.7', uid: 'new' }));
    await settle(agent);
    // Delivered in reverse (EventBridge does not order), the state is the same.
    const events = bus.events();
    const { mergeEvents, emptyNamespaceState, visiblePods } = await import('../../../shared/core/merge.ts');
    expect(visiblePods(mergeEvents(emptyNamespaceState(), [...events].reverse()))).toEqual(visiblePods(bus.state('ns-one')));
    expect(visiblePods(bus.state('ns-one'))[0]).toMatchObject({ uid: 'new', ips: ['10.1.0.7'] });
  });

  it('survives a dropped watch: reconnects from its resourceVersion, no relist, no event lost', async () => {
    const kube = new FakeKube();
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    const lists = kube.lists;
    kube.dropWatches();
    await until(() => kube.openWatches === 2);
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    await settle(agent);
    expect(kube.lists).toBe(lists);
    expect(bus.types().slice(1)).toEqual([DETAIL_TYPES.podUpsert]);
  });

  it('after a 410 Gone relists and publishes a snapshot that covers changes missed in the gap', async () => {
    const kube = new FakeKube();
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    kube.put(pod('kafka-1', { ip: '10.1.0.2' }));
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    kube.deleteSilently('Pod', 'ns-one', 'kafka-1');
    kube.putSilently(pod('kafka-2', { ip: '10.1.0.3' }));
    kube.putSilently(pod('kafka-0', { ip: '10.1.0.8' }));
    kube.forceGone();
    await until(() => bus.visible('ns-one').pods.join() === 'kafka-0,kafka-2');
    await settle(agent);
    // No individual events for what the relist found: the snapshots carry it.
    expect(new Set(bus.types().slice(1))).toEqual(new Set([DETAIL_TYPES.snapshot]));
    expect(bus.visible('ns-one').pods).toEqual(['kafka-0', 'kafka-2']);
    expect(bus.state('ns-one').entries.get('pod/kafka-0')?.record).toMatchObject({ ips: ['10.1.0.8'] });
  });

  it('a relist that finds nothing the bus has not seen publishes nothing (counted); one that finds a change publishes its snapshot', async () => {
    const kube = new FakeKube();
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    kube.put(pod('kafka-1', { ip: '10.1.0.2' })); // published as an upsert, before the relist
    await settle(agent);
    const published = bus.accepted.length;
    const lists = kube.lists;
    kube.forceGone();
    await until(async () => kube.lists >= lists + 2 && (await AgentMetrics.value(agent.metrics.snapshotsUnchanged)) >= 1);
    await settle(agent);
    expect(bus.accepted.length).toBe(published);
    kube.putSilently(pod('kafka-0', { ip: '10.1.0.9' }));
    kube.forceGone();
    await until(() => (bus.state('ns-one').entries.get('pod/kafka-0')?.record as { ips?: string[] } | undefined)?.ips?.[0] === '10.1.0.9');
    await settle(agent);
    expect(bus.types().slice(published)).toEqual([DETAIL_TYPES.snapshot]);
  });

  it('restarts an informer stopped by an error, with backoff, counting restarts', async () => {
    const kube = new FakeKube();
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    kube.failWatches = 2;
    kube.breakWatches();
    await until(async () => (await AgentMetrics.value(agent.metrics.watchRestarts)) >= 4 && kube.openWatches === 2);
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    await settle(agent);
    expect(bus.visible('ns-one').pods).toEqual(['kafka-0']);
    expect(agent.health().ok).toBe(true);
  });

  it('retries a failing initial list until it succeeds; not ready (and /healthz 503) before', async () => {
    const kube = new FakeKube();
    kube.failLists = 3;
    const bus = new RecordingBus();
    const agent = await startFakeAgent(kube, bus);
    expect(agent.health()).toMatchObject({ ok: false });
    expect(agent.health().reasons[0]).toMatch(/informers not synced yet: ns-one\/pods/);
    await agent.ready();
    expect(agent.health().ok).toBe(true);
    expect(await AgentMetrics.value(agent.metrics.watchRestarts)).toBeGreaterThanOrEqual(3);
  });

  it('publishes periodic snapshots', async () => {
    const kube = new FakeKube();
    const bus = new RecordingBus();
    await start(kube, bus, { snapshotIntervalMs: 5 });
    await until(() => bus.types().filter((t) => t === DETAIL_TYPES.snapshot).length >= 3);
  });

  it('resnapshots every namespace after the bus recovers from an outage', async () => {
    const kube = new FakeKube();
    const bus = new RecordingBus();
    const agent = await start(kube, bus, { namespaces: ['ns-one', 'ns-two'], publisher: { backoff: { baseMs: 1, maxMs: 2 }, maxBuffered: 2 } });
    let down = true;
    bus.behaviour = () => (down ? new Error('ECONNREFUSED') : []);
    // 4 calls in flight and 2 buffered: the rest overflows.
    for (let i = 0; i < 10; i += 1) kube.put(pod(`p-${i}`, { ip: `10.1.0.${i + 1}` }));
    await until(() => bus.calls.length > 5);
    expect(await AgentMetrics.value(agent.metrics.dropped)).toBeGreaterThan(0);
    down = false;
    await until(() => bus.types().filter((t) => t === DETAIL_TYPES.snapshot).length >= 4);
    await settle(agent);
    expect(bus.events().filter((e) => e.type === DETAIL_TYPES.snapshot).map((e) => e.detail.namespace).sort()).toEqual(['ns-one', 'ns-one', 'ns-two', 'ns-two']);
    // Whatever was dropped, the final state has every pod.
    expect(bus.visible('ns-one').pods).toEqual(Array.from({ length: 10 }, (_, i) => `p-${i}`));
  });

  it('a standby publishes nothing; when the publisher stops it takes over with a full snapshot above the floor', async () => {
    const kube = new FakeKube();
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    const store = new MemoryFloorStore();
    const busA = new RecordingBus();
    const busB = new RecordingBus();
    const a = await start(kube, busA, { floorStore: store, identity: 'a', lease: { durationMs: 60_000, renewMs: 5, windowMs: 120_000 } });
    const b = await start(kube, busB, { floorStore: store, identity: 'b', lease: { durationMs: 60_000, renewMs: 5, windowMs: 120_000 } });
    expect(a.isPublishing()).toBe(true);
    expect(b.isPublishing()).toBe(false);
    kube.put(pod('kafka-0', { ip: '10.1.0.2' }));
    await settle(a);
    expect(busB.accepted).toHaveLength(0);
    const lastOfA = busA.events().at(-1)!.detail.v;
    await a.stop();
    await until(() => b.isPublishing() && busB.accepted.length > 0);
    await settle(b);
    const [snap] = busB.events();
    expect(snap?.type).toBe(DETAIL_TYPES.snapshot);
    expect(snap!.detail.v > lastOfA).toBe(true);
    // Every record is restamped above the old publisher's versions.
    if (snap?.type === DETAIL_TYPES.snapshot) expect(snap.detail.pods.every((p) => p.v > lastOfA)).toBe(true);
  });

  it('the floor survives a restart even when the wall clock goes back', async () => {
    const kube = new FakeKube();
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    const store = new MemoryFloorStore();
    const bus = new RecordingBus();
    let wall = 1_000_000;
    const first = await start(kube, bus, { floorStore: store, clock: () => wall });
    kube.put(pod('kafka-0', { ip: '10.1.0.2' }));
    await settle(first);
    const lastV = bus.events().at(-1)!.detail.v;
    await first.stop();
    wall = 950_000; // restarted on a node whose clock is 50 s behind (the floor is then 110 s ahead: within the S/2 cap)
    const second = await start(kube, bus, { floorStore: store, clock: () => wall });
    kube.put(pod('kafka-0', { ip: '10.1.0.3' }));
    await settle(second);
    const after = bus.events().slice(-2);
    expect(after.every((e) => e.detail.v > lastV)).toBe(true);
    expect(bus.state('ns-one').entries.get('pod/kafka-0')?.record).toMatchObject({ ips: ['10.1.0.3'] });
  });

  it('a Service over a contract limit is published without its annotations and ports, with the problem, logged once: not as absent', async () => {
    const kube = new FakeKube();
    const huge = 'x'.repeat(70 * 1024);
    kube.put(service('too-big', { extraAnnotations: { 'gns-sync.io/endpoints.statefulset': huge } }));
    kube.put(service('fine'));
    const bus = new RecordingBus();
    const logger = quietLogger();
    const agent = await start(kube, bus, { logger });
    kube.put(service('too-big', { extraAnnotations: { 'gns-sync.io/endpoints.statefulset': `${huge}y` } }));
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    await settle(agent);
    expect(bus.visible('ns-one')).toEqual({ pods: ['kafka-0'], services: ['fine', 'too-big'] });
    expect(bus.state('ns-one').entries.get('service/too-big')?.record).toEqual({
      name: 'too-big', uid: 'uid-svc-too-big', annotations: {}, publishNotReadyAddresses: false, ports: [],
      problem: `annotation gns-sync.io/endpoints.statefulset has ${70 * 1024 + 1} characters, more than the 65536 gns-sync publishes; shorten it`,
    });
    const warnings = logger.lines.filter((l) => l.message.startsWith('Service published without its annotations and ports'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.extra).toMatchObject({ key: 'service/too-big' });
  });

  it('a valid target edited over a limit (too many ports, a huge annotation) is upserted with its problem, never deleted', async () => {
    const kube = new FakeKube();
    kube.put(service('kafka-headless'));
    const bus = new RecordingBus();
    const agent = await start(kube, bus);
    const manyPorts = service('kafka-headless');
    manyPorts.spec = { ...manyPorts.spec, ports: Array.from({ length: 300 }, (_, i) => ({ name: `p${i}`, port: 1000 + i, protocol: 'TCP' })) };
    kube.put(manyPorts);
    await settle(agent);
    expect(bus.types()).not.toContain(DETAIL_TYPES.serviceDelete);
    expect(bus.visible('ns-one').services).toEqual(['kafka-headless']);
    expect(bus.state('ns-one').entries.get('service/kafka-headless')?.record).toMatchObject({
      problem: 'the Service has 300 ports, more than the 256 gns-sync publishes; publish fewer ports', ports: [], annotations: {},
    });
    kube.put(service('kafka-headless')); // fixed
    await settle(agent);
    expect(bus.state('ns-one').entries.get('service/kafka-headless')?.record).not.toHaveProperty('problem');
  });

  it('a namespace larger than one PutEvents entry is snapshotted in parts, each a valid merge', async () => {
    const kube = new FakeKube();
    for (let i = 0; i < 900; i += 1) kube.put(pod(`p-${i}`, { ip: `10.1.${i >> 8}.${i & 255}`, labels: { app: 'kafka', i: String(i), ...Object.fromEntries(Array.from({ length: 12 }, (_, l) => [`example.com/label-${l}`, 'v'.repeat(63)])) } }));
    const bus = new RecordingBus();
    await start(kube, bus);
    const parts = bus.events();
    expect(parts.length).toBeGreaterThan(1);
    expect(bus.accepted.every((e) => Buffer.byteLength(e.detail) < 1_048_576)).toBe(true);
    for (const part of parts) {
      expect(part.type).toBe(DETAIL_TYPES.snapshot);
      if (part.type === DETAIL_TYPES.snapshot) expect(part.detail).toMatchObject({ parts: parts.length, snapshotId: parts[0]!.detail.v });
      if (part.type === DETAIL_TYPES.snapshot) expect(part.detail.keys).toHaveLength(900);
    }
    expect(bus.visible('ns-one').pods).toHaveLength(900);
  });

  it('rejects bad options with a clear error and starts nothing', async () => {
    const bus = new RecordingBus();
    const kube = new FakeKube();
    const base = { kubeConfig, bus, watchSource: kube.source(), logger: quietLogger() };
    await expect(startAgent({ ...base, cluster: 'bad name!', namespaces: [] })).rejects.toThrow(/cluster "bad name!": .*the agent was not started/);
    await expect(startAgent({ ...base, cluster: 'c', namespaces: ['Upper'] })).rejects.toThrow(/namespace "Upper": .*DNS-1123/);
    await expect(startAgent({ ...base, cluster: 'c', namespaces: [], snapshotIntervalMs: -1 })).rejects.toThrow(/snapshotIntervalMs/);
    await expect(startAgent({ ...base, cluster: 'c', namespaces: [], leaseNamespace: 'Bad_NS' })).rejects.toThrow(/leaseNamespace/);
    expect(kube.lists).toBe(0);
    expect(bus.calls).toHaveLength(0);
  });
});
