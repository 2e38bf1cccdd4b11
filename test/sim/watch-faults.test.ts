// Watch streams (history, selectors, 410 Gone for a version that fell out of the bounded
// history) and the fault knobs (latency, 429, 500, dropped watches, forced 410, down).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { http, until } from './helpers.ts';

interface WatchEvent { type: string; object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string } }

/** Opens a watch and collects its events until closed. */
async function openWatch(url: string): Promise<{ events: WatchEvent[]; closed: Promise<void>; abort(): void }> {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  expect(res.status).toBe(200);
  const events: WatchEvent[] = [];
  const closed = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        let i;
        while ((i = buffer.indexOf('\n')) >= 0) {
          events.push(JSON.parse(buffer.slice(0, i)) as WatchEvent);
          buffer = buffer.slice(i + 1);
        }
      }
    } catch {
      // aborted
    }
  })();
  return { events, closed, abort: () => controller.abort() };
}

describe('watch streams and faults', () => {
  let fleet: SimFleet;
  let base: string;
  const cms = '/api/v1/namespaces/default/configmaps';
  const cm = (name: string, labels: Record<string, string> = {}): unknown => ({ metadata: { name, labels }, data: { k: 'v' } });

  beforeAll(async () => {
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], watchHistory: 20 });
    base = fleet.clusters[0]!.url;
  });
  afterAll(async () => fleet?.stop());

  it('replays from a resourceVersion, filters by label and field selectors, and streams new changes', async () => {
    const start = (await http(base, 'GET', cms)).body as { metadata: { resourceVersion: string } };
    await http(base, 'POST', cms, cm('w1', { app: 'a' }));
    await http(base, 'POST', cms, cm('w2', { app: 'b' }));
    const all = await openWatch(`${base}${cms}?watch=true&resourceVersion=${start.metadata.resourceVersion}`);
    const sel = await openWatch(`${base}${cms}?watch=true&resourceVersion=${start.metadata.resourceVersion}&labelSelector=app%3Da`);
    const byName = await openWatch(`${base}${cms}?watch=true&resourceVersion=${start.metadata.resourceVersion}&fieldSelector=metadata.name%3Dw2`);
    await http(base, 'PATCH', `${cms}/w1`, { metadata: { labels: { app: 'c' } } }, 'application/merge-patch+json');
    await http(base, 'DELETE', `${cms}/w2`);
    await until('events', () => (all.events.length >= 4 && sel.events.length >= 2 && byName.events.length >= 2 ? true : undefined));
    expect(all.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED w1', 'ADDED w2', 'MODIFIED w1', 'DELETED w2']);
    const rvs = all.events.map((e) => Number(e.object.metadata?.resourceVersion));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    // Leaving the selection looks like a deletion to a selective watcher.
    expect(sel.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED w1', 'DELETED w1']);
    expect(byName.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED w2', 'DELETED w2']);
    for (const w of [all, sel, byName]) w.abort();
  });

  it('starts a watch without resourceVersion with the current objects (synthetic ADDED)', async () => {
    const w = await openWatch(`${base}${cms}?watch=true`);
    await until('synthetic adds', () => (w.events.length >= 1 ? true : undefined));
    expect(w.events.map((e) => `${e.type} ${e.object.metadata?.name}`)).toEqual(['ADDED w1']);
    w.abort();
  });

  it('answers 410 Gone (Expired) for a resourceVersion that fell out of the bounded history', async () => {
    const old = fleet.clusters[0]!.resourceVersion;
    for (let i = 0; i < 25; i++) await http(base, 'POST', cms, cm(`h${i}`));
    const w = await openWatch(`${base}${cms}?watch=true&resourceVersion=${old}`);
    await w.closed;
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 } });
    // A recent version still works.
    const recent = fleet.clusters[0]!.resourceVersion - 5;
    const ok = await openWatch(`${base}${cms}?watch=true&resourceVersion=${recent}`);
    await until('replayed', () => (ok.events.length === 5 ? true : undefined));
    expect(ok.events.every((e) => e.type === 'ADDED')).toBe(true);
    ok.abort();
  });

  it('drops watches and forces 410 on demand', async () => {
    const faults = fleet.clusters[0]!.faults;
    const rv = fleet.clusters[0]!.resourceVersion;
    const a = await openWatch(`${base}${cms}?watch=true&resourceVersion=${rv}`);
    faults.dropWatches();
    await a.closed;
    expect(a.events).toEqual([]);
    const b = await openWatch(`${base}${cms}?watch=true&resourceVersion=${rv}`);
    await http(base, 'POST', cms, cm('before-gone'));
    await until('before-gone', () => (b.events.length === 1 ? true : undefined));
    faults.forceGone();
    await b.closed;
    expect(b.events[1]).toEqual(expect.objectContaining({ type: 'ERROR', object: expect.objectContaining({ code: 410, reason: 'Expired' }) }));
    // The history is gone: resuming from the old version is refused too; the current one works.
    const c = await openWatch(`${base}${cms}?watch=true&resourceVersion=${rv}`);
    await c.closed;
    expect(c.events[0]?.object.code).toBe(410);
    const d = await openWatch(`${base}${cms}?watch=true&resourceVersion=${fleet.clusters[0]!.resourceVersion}`);
    await http(base, 'POST', cms, cm('after-gone'));
    await until('after-gone', () => (d.events.length === 1 ? true : undefined));
    d.abort();
  });

  it('answers a chosen fraction of requests 429 or 500, and adds latency', async () => {
    const cluster = fleet.clusters[0]!;
    cluster.faults.rate429 = 1;
    const throttled = await http(base, 'GET', cms);
    expect(throttled.status).toBe(429);
    expect(throttled.body).toMatchObject({ kind: 'Status', reason: 'TooManyRequests', code: 429, details: { retryAfterSeconds: 1 } });
    cluster.faults.rate429 = 0;
    cluster.faults.rate500 = 1;
    const before = cluster.resourceVersion;
    const failed = await http(base, 'POST', cms, cm('never'));
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ reason: 'InternalError', code: 500 });
    expect(cluster.resourceVersion).toBe(before);
    cluster.faults.rate500 = 0;
    cluster.faults.latencyMs = 50;
    const t0 = performance.now();
    expect((await http(base, 'GET', cms)).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(45);
    cluster.faults.latencyMs = 0;
  });

  it('refuses every connection while down, and serves again after', async () => {
    const cluster = fleet.clusters[0]!;
    const w = await openWatch(`${base}${cms}?watch=true&resourceVersion=${cluster.resourceVersion}`);
    cluster.faults.down = true;
    await w.closed;
    await expect(fetch(`${base}${cms}`)).rejects.toThrow();
    cluster.faults.down = false;
    expect((await http(base, 'GET', cms)).status).toBe(200);
  });

  it('counts requests and writes', async () => {
    const cluster = fleet.clusters[0]!;
    const { requests, writes } = cluster.counters;
    await http(base, 'GET', cms);
    await http(base, 'POST', cms, cm('counted'));
    await http(base, 'DELETE', `${cms}/counted`);
    expect(cluster.counters.requests - requests).toBe(3);
    expect(cluster.counters.writes - writes).toBe(2);
  });
});

describe('paginated lists', () => {
  it('pages with limit and continue, through kubectl-style chunking, and refuses a bad token', async () => {
    const fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }] });
    try {
      const base = fleet.clusters[0]!.url;
      for (let i = 0; i < 5; i++) await http(base, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `cm-${i}` } });
      const names: string[] = [];
      let token = '';
      let pages = 0;
      do {
        const r = await http(base, 'GET', `/api/v1/namespaces/default/configmaps?limit=2${token ? `&continue=${token}` : ''}`);
        const body = r.body as { metadata: { continue?: string; remainingItemCount?: number }; items: { metadata: { name: string } }[] };
        names.push(...body.items.map((i) => i.metadata.name));
        token = body.metadata.continue ?? '';
        pages++;
      } while (token);
      expect(pages).toBe(3);
      expect(names).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
      expect((await http(base, 'GET', '/api/v1/namespaces/default/configmaps?limit=2&continue=nonsense')).status).toBe(400);
      // A negative limit is no limit (storage pages only when limit > 0); a limit that is not a number is 400.
      expect(((await http(base, 'GET', '/api/v1/namespaces/default/configmaps?limit=-1')).body as { items: unknown[] }).items).toHaveLength(5);
      expect((await http(base, 'GET', '/api/v1/namespaces/default/configmaps?limit=two')).status).toBe(400);
    } finally {
      await fleet.stop();
    }
  });
});
