import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../agent/metrics.ts';
import { assessHealth, startHealthServer } from '../../../agent/health.ts';
import { FLOOR_ANNOTATION, leaseFloorStore, leaseNameOf, parseFloor, toLeaseRecord } from '../../../agent/lease.ts';

/** A Lease API in memory with resourceVersion checks, like the API server. */
function fakeLeaseApi() {
  let stored: V1Lease | undefined;
  let rv = 0;
  const fail = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });
  const api = {
    failNext: undefined as number | undefined,
    async readNamespacedLease() {
      if (api.failNext) { const c = api.failNext; api.failNext = undefined; throw fail(c); }
      if (!stored) throw fail(404);
      return structuredClone(stored);
    },
    async createNamespacedLease({ body }: { body: V1Lease }) {
      if (stored) throw fail(409);
      stored = { ...JSON.parse(JSON.stringify(body)), metadata: { ...body.metadata, resourceVersion: String(++rv) } };
      return stored;
    },
    async replaceNamespacedLease({ body }: { body: V1Lease }) {
      if (body.metadata?.resourceVersion !== stored?.metadata?.resourceVersion) throw fail(409);
      stored = { ...JSON.parse(JSON.stringify(body)), metadata: { ...body.metadata, resourceVersion: String(++rv) } };
      return stored;
    },
    get stored() { return stored; },
  };
  return api;
}

describe('leaseFloorStore', () => {
  it('creates the Lease, then replaces it conditionally; a stale token loses (409 → false)', async () => {
    const api = fakeLeaseApi();
    const store = leaseFloorStore(api as unknown as CoordinationV1Api, 'gns-sync');
    const empty = await store.read();
    expect(empty.record).toBeUndefined();
    expect(await store.write({ holder: 'a', renewTimeMs: 1_000, durationMs: 15_000, floorMs: 61_000 }, empty.token)).toBe(true);
    expect(api.stored?.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15 });
    expect(api.stored?.metadata?.annotations?.[FLOOR_ANNOTATION]).toBe('000000000061000.000000');
    expect(api.stored?.spec?.renewTime).toBe('1970-01-01T00:00:01.000000Z');
    // Someone else created it meanwhile: the create conflicts.
    expect(await store.write({ holder: 'b', renewTimeMs: 1, durationMs: 15_000, floorMs: 1 }, empty.token)).toBe(false);

    const current = await store.read();
    expect(current.record).toEqual({ holder: 'a', renewTimeMs: 1_000, durationMs: 15_000, floorMs: 61_000 });
    expect(await store.write({ holder: 'a', renewTimeMs: 6_000, durationMs: 15_000, floorMs: 66_000 }, current.token)).toBe(true);
    expect(await store.write({ holder: 'b', renewTimeMs: 6_000, durationMs: 15_000, floorMs: 66_000 }, current.token)).toBe(false);
    expect(api.stored?.spec?.holderIdentity).toBe('a');
  });

  it('other API errors throw a clear, retryable-next-round error with the cause', async () => {
    const api = fakeLeaseApi();
    api.failNext = 500;
    const store = leaseFloorStore(api as unknown as CoordinationV1Api, 'gns-sync');
    const error = await store.read().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'LeaseError' });
    expect((error as Error).message).toMatch(/could not read Lease gns-sync\/gns-sync-agent: .*retries next round/);
    expect((error as Error).cause).toBeDefined();
  });

  it('each installation has its own Lease, labelled with it: two installations in one namespace never compete', async () => {
    const leases = new Map<string, V1Lease>();
    const fail = (code: number) => Object.assign(new Error(`HTTP ${code}`), { code });
    const api = {
      async readNamespacedLease({ name }: { name: string }) {
        const lease = leases.get(name);
        if (!lease) throw fail(404);
        return structuredClone(lease);
      },
      async createNamespacedLease({ body }: { body: V1Lease }) {
        const name = body.metadata?.name ?? '';
        if (leases.has(name)) throw fail(409);
        leases.set(name, { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: '1' } });
        return leases.get(name);
      },
    };
    const first = leaseFloorStore(api as unknown as CoordinationV1Api, 'default');
    const second = leaseFloorStore(api as unknown as CoordinationV1Api, 'default', 'team-b');
    expect(await first.write({ holder: 'a', renewTimeMs: 1_000, durationMs: 15_000, floorMs: 61_000 }, (await first.read()).token)).toBe(true);
    const seen = await second.read();
    expect(seen.record).toBeUndefined(); // not the first installation's Lease
    expect(await second.write({ holder: 'b', renewTimeMs: 1_000, durationMs: 15_000, floorMs: 61_000 }, seen.token)).toBe(true);
    expect([...leases.keys()].sort()).toEqual(['gns-sync-agent', 'gns-sync-agent-team-b']);
    expect(leases.get('gns-sync-agent')?.metadata?.labels).toEqual({ 'gns-sync.io/installation': 'default' });
    expect(leases.get('gns-sync-agent-team-b')?.metadata?.labels).toEqual({ 'gns-sync.io/installation': 'team-b' });
    expect(leaseNameOf('team-b')).toBe('gns-sync-agent-team-b');
    // A Lease of this name labelled as another installation's is not taken.
    leases.set('gns-sync-agent', { ...leases.get('gns-sync-agent'), metadata: { name: 'gns-sync-agent', labels: { 'gns-sync.io/installation': 'team-c' } } });
    await expect(first.read()).rejects.toThrow(/belongs to installation "team-c", not "default"/);
  });

  it('parses the floor annotation leniently and a Lease without one as floor 0', () => {
    expect(parseFloor('001764366000123.000004')).toBe(1_764_366_000_123);
    expect(parseFloor('1764366000123')).toBe(1_764_366_000_123);
    expect(parseFloor('garbage')).toBe(0);
    expect(toLeaseRecord({ spec: {} })).toEqual({ holder: '', renewTimeMs: 0, durationMs: 15_000, floorMs: 0 });
  });
});

describe('health server', () => {
  it('answers 503 with the reasons when unhealthy, 200 when healthy', async () => {
    let health = { ok: false, reasons: ['informers not synced yet: ns-one/pods', 'publisher stuck: PutEvents failing for 61 s'] };
    const server = await startHealthServer({ port: 0, host: '127.0.0.1', metrics: new AgentMetrics('c'), health: () => health });
    try {
      const bad = await fetch(`http://127.0.0.1:${server.port}/healthz`);
      expect(bad.status).toBe(503);
      expect(await bad.text()).toBe('informers not synced yet: ns-one/pods\npublisher stuck: PutEvents failing for 61 s\n');
      health = { ok: true, reasons: [] };
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${server.port}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
    }
  });

  it('two agents in one process keep separate registries', async () => {
    const a = new AgentMetrics('a');
    const b = new AgentMetrics('b');
    a.published.inc(3);
    expect(await AgentMetrics.value(a.published)).toBe(3);
    expect(await AgentMetrics.value(b.published)).toBe(0);
  });
});

describe('assessHealth', () => {
  const publisher = { buffered: 0, inFlight: 0, resnapshotNeeded: false };
  const informer = (name: string, synced = true, failingSinceMs?: number) => ({ name, synced, failingSinceMs, lastError: failingSinceMs === undefined ? undefined : 'Error: ECONNREFUSED' });

  it('is healthy when synced and nothing keeps failing (a short failure is tolerated)', () => {
    expect(assessHealth({ now: 100_000, stuckAfterMs: 60_000, informers: [informer('ns/pods', true, 50_000)], publisher: { ...publisher, failingSinceMs: 90_000 } }))
      .toEqual({ ok: true, reasons: [] });
  });

  it('names every reason: unsynced informers, an informer failing too long, a stuck publisher', () => {
    const health = assessHealth({
      now: 200_000, stuckAfterMs: 60_000,
      informers: [informer('ns/pods', false), informer('ns/services', true, 100_000)],
      publisher: { ...publisher, buffered: 42, failingSinceMs: 130_000, lastError: 'EventBusCallError: 503' },
    });
    expect(health.ok).toBe(false);
    expect(health.reasons).toEqual([
      'informers not synced yet: ns/pods',
      'informer ns/services failing for 100 s: Error: ECONNREFUSED',
      'publisher stuck: PutEvents failing for 70 s (EventBusCallError: 503), 42 entries buffered',
    ]);
  });
});
