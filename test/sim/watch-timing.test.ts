// Watches as a real API server ends and feeds them (Kubernetes v1.33: apiserver
// endpoints/handlers/get.go ListResource — a watch without timeoutSeconds lasts a random
// [min-request-timeout, 2×min-request-timeout); the watch cache sends BOOKMARKs to watches with
// allowWatchBookmarks about once a minute and answers 410 Gone for a resourceVersion whose
// successors it forgot; KEP-3157 sendInitialEvents), with the durations shortened for the test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { http } from './helpers.ts';

interface WatchLine { type: string; object: { kind?: string; code?: number; reason?: string; metadata?: { name?: string; resourceVersion?: string; annotations?: Record<string, string> } } }

/** Reads a watch until it ends or `stop` says enough; the lines and whether the server ended it. */
async function readWatch(url: string, stop: (lines: readonly WatchLine[]) => boolean, maxMs = 5000): Promise<{ lines: WatchLine[]; ended: boolean; ms: number }> {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), maxMs);
  const res = await fetch(url, { signal: controller.signal });
  const lines: WatchLine[] = [];
  let buffered = '';
  let ended = false;
  try {
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        ended = true;
        break;
      }
      buffered += Buffer.from(value).toString('utf8');
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buffered.slice(0, nl)) as WatchLine);
        buffered = buffered.slice(nl + 1);
      }
      if (stop(lines)) break;
    }
  } catch (error) {
    if (!controller.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { lines, ended, ms: Date.now() - started };
}

let fleet: SimFleet;
let base: string;
const cms = '/api/v1/namespaces/default/configmaps';
beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], events: false, watchHistoryMs: 300, minRequestTimeoutMs: 400, bookmarkIntervalMs: 100 });
  base = fleet.cluster('clusterOne').url;
});
afterAll(async () => fleet?.stop());

const create = async (name: string): Promise<string> => {
  const r = await http(base, 'POST', cms, { metadata: { name }, data: {} });
  expect(r.status).toBe(201);
  return (r.body as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
};

describe('watch timing', () => {
  it('sends BOOKMARKs (kind and current resourceVersion only) to watches that allow them, and only to those', async () => {
    const rv = await create('b-1');
    const [withMarks, without] = await Promise.all([
      readWatch(`${base}${cms}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`, (l) => l.filter((x) => x.type === 'BOOKMARK').length >= 2),
      readWatch(`${base}${cms}?watch=true&resourceVersion=${rv}&timeoutSeconds=1`, () => false),
    ]);
    const marks = withMarks.lines.filter((l) => l.type === 'BOOKMARK');
    expect(marks[0]!.object).toEqual({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(fleet.cluster('clusterOne').resourceVersion) } });
    expect(without.lines.filter((l) => l.type === 'BOOKMARK')).toEqual([]);
  });

  it('answers 410 Gone to a watch from a resourceVersion whose successors are older than the history keeps; the newest is still watchable', async () => {
    const before = await create('g-1');
    const latest = await create('g-2');
    await new Promise((r) => setTimeout(r, 450));
    const stale = await readWatch(`${base}${cms}?watch=true&resourceVersion=${before}`, (l) => l.length > 0);
    expect(stale.lines[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
    const fresh = await readWatch(`${base}${cms}?watch=true&resourceVersion=${latest}`, (l) => l.length > 0, 200);
    expect(fresh.lines).toEqual([]);
  });

  it('ends a watch without timeoutSeconds after at least the minimum request timeout', async () => {
    const rv = await create('t-1');
    const w = await readWatch(`${base}${cms}?watch=true&resourceVersion=${rv}`, () => false, 5000);
    expect(w.ended).toBe(true);
    expect(w.ms).toBeGreaterThanOrEqual(390);
  });

  it('sendInitialEvents: the current objects, then a BOOKMARK annotated k8s.io/initial-events-end; without its companions: 422', async () => {
    await create('i-1');
    const w = await readWatch(`${base}${cms}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`, (l) => l.some((x) => x.type === 'BOOKMARK'));
    const end = w.lines.findIndex((l) => l.type === 'BOOKMARK');
    expect(w.lines.slice(0, end).every((l) => l.type === 'ADDED')).toBe(true);
    expect(w.lines.slice(0, end).map((l) => l.object.metadata?.name)).toContain('i-1');
    expect(w.lines[end]!.object.metadata?.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    const bad = await http(base, 'GET', `${cms}?watch=true&sendInitialEvents=true&allowWatchBookmarks=true`);
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    expect((await http(base, 'GET', `${cms}?watch=true&resourceVersionMatch=NotOlderThan`)).status).toBe(422);
  });
});
