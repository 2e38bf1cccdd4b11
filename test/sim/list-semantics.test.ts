// Lists as kube-apiserver 1.33 answers them (local/sim/api/list.ts cites the sources): later
// pages of a paginated list come from the first page's snapshot; an expired continue token is
// 410 with a token to go on inconsistently; resourceVersion/resourceVersionMatch: Exact reads the
// past, NotOlderThan waits for the future and then answers 504 "Too large resource version",
// "0" is served from the cache with limit ignored; invalid combinations are 422/400.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCluster, SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { hasKubectl, http, startEnv } from './helpers.ts';

interface List {
  metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number };
  items: { metadata: { name: string }; data?: Record<string, string> }[];
}
const CMS = '/api/v1/namespaces/default/configmaps';

describe('list semantics', () => {
  let fleet: SimFleet;
  let c: SimCluster;
  let base: string;
  const list = async (query: string): Promise<{ status: number; body: List & Record<string, unknown> }> => {
    const r = await http(base, 'GET', `${CMS}?${query}`);
    return { status: r.status, body: r.body as List & Record<string, unknown> };
  };
  const names = (l: List): string[] => l.items.map((i) => i.metadata.name);
  const reset = async (): Promise<void> => {
    await http(base, 'DELETE', CMS);
    for (let i = 0; i < 5; i++) await http(base, 'POST', CMS, { metadata: { name: `cm-${i}` }, data: { v: 'old' } });
  };

  beforeAll(async () => {
    fleet = await startSimClusters({ clusters: [{ name: 'one' }] });
    c = fleet.clusters[0]!;
    base = c.url;
  });
  afterAll(async () => fleet?.stop());

  it('serves later pages from the first page\'s snapshot: later objects absent, deleted ones present, old contents', async () => {
    await reset();
    const first = await list('limit=2');
    expect(names(first.body)).toEqual(['cm-0', 'cm-1']);
    expect(first.body.metadata.remainingItemCount).toBe(3);
    const rv = first.body.metadata.resourceVersion;
    await http(base, 'POST', CMS, { metadata: { name: 'cm-1a' } });
    await http(base, 'DELETE', `${CMS}/cm-3`);
    await http(base, 'PATCH', `${CMS}/cm-2`, { data: { v: 'new' } }, 'application/merge-patch+json');
    const second = await list(`limit=2&continue=${first.body.metadata.continue}`);
    expect(names(second.body)).toEqual(['cm-2', 'cm-3']);
    expect(second.body.items[0]!.data).toEqual({ v: 'old' });
    expect(second.body.metadata.resourceVersion).toBe(rv);
    const third = await list(`limit=2&continue=${second.body.metadata.continue}`);
    expect(names(third.body)).toEqual(['cm-4']);
    expect(third.body.metadata.continue).toBeUndefined();
    // A list without limit is the current state.
    expect(names((await list('')).body)).toEqual(['cm-0', 'cm-1', 'cm-1a', 'cm-2', 'cm-4']);
  });

  it('answers a continue token whose version was compacted with 410 Expired and a token to continue inconsistently', async () => {
    await reset();
    const first = await list('limit=2');
    await http(base, 'POST', CMS, { metadata: { name: 'cm-1a' } });
    c.faults.forceGone();
    const expired = await list(`limit=2&continue=${first.body.metadata.continue}`);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    expect(expired.body.message).toBe('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
    const fresh = expired.body.metadata.continue!;
    expect(JSON.parse(Buffer.from(fresh, 'base64url').toString())).toEqual({ v: 'meta.k8s.io/v1', rv: -1, start: 'cm-1\u0000' });
    const rest = await list(`limit=10&continue=${fresh}`);
    expect(names(rest.body)).toEqual(['cm-1a', 'cm-2', 'cm-3', 'cm-4']);
    expect(rest.body.metadata.resourceVersion).toBe(String(c.store.resourceVersion));
  });

  it('resourceVersion=0 is served from the cache: limit ignored, no continue', async () => {
    await reset();
    const r = await list('resourceVersion=0&limit=2');
    expect(names(r.body)).toHaveLength(5);
    expect(r.body.metadata.continue).toBeUndefined();
  });

  it('Exact (and the legacy resourceVersion with limit) reads the state at that version; a forgotten one is 410, a future one fails as etcd does', async () => {
    await reset();
    const before = (await list('')).body.metadata.resourceVersion;
    await http(base, 'POST', CMS, { metadata: { name: 'cm-9' } });
    await http(base, 'DELETE', `${CMS}/cm-0`);
    const exact = await list(`resourceVersion=${before}&resourceVersionMatch=Exact`);
    expect(exact.status).toBe(200);
    expect(names(exact.body)).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
    expect(exact.body.metadata.resourceVersion).toBe(before);
    expect(names((await list(`resourceVersion=${before}&limit=10`)).body)).toEqual(['cm-0', 'cm-1', 'cm-2', 'cm-3', 'cm-4']);
    // Without limit and without a match, resourceVersion is "not older than": the current state.
    expect(names((await list(`resourceVersion=${before}`)).body)).toEqual(['cm-1', 'cm-2', 'cm-3', 'cm-4', 'cm-9']);
    const future = await list(`resourceVersion=${c.store.resourceVersion + 100}&resourceVersionMatch=Exact`);
    expect(future.status).toBe(500);
    expect(future.body.message).toMatch(/required revision is a future revision/);
    c.faults.forceGone();
    const old = await list(`resourceVersion=${before}&resourceVersionMatch=Exact`);
    expect(old.status).toBe(410);
    expect(old.body).toMatchObject({ reason: 'Expired', message: 'The resourceVersion for the provided list is too old.' });
  });

  it('NotOlderThan (and a GET with resourceVersion) waits for a version the server has not reached, then answers 504 Too large resource version', async () => {
    const current = c.store.resourceVersion;
    const pending = list(`resourceVersion=${current + 1}&resourceVersionMatch=NotOlderThan`);
    setTimeout(() => void http(base, 'POST', CMS, { metadata: { name: 'late' } }), 100);
    const reached = await pending;
    expect(reached.status).toBe(200);
    expect(names(reached.body)).toContain('late');
    const started = Date.now();
    // A GET of one object with a resourceVersion is served from the cache too: the same wait and 504.
    const [tooNew, get] = await Promise.all([list(`resourceVersion=${current + 50}&resourceVersionMatch=NotOlderThan`), http(base, 'GET', `${CMS}/late?resourceVersion=${current + 50}`)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect(get.status).toBe(504);
    expect((await http(base, 'GET', `${CMS}/late?resourceVersion=${current + 1}`)).status).toBe(200);
    expect(tooNew.status).toBe(504);
    expect(tooNew.body).toMatchObject({
      reason: 'Timeout', code: 504, message: `Timeout: Too large resource version: ${current + 50}, current: ${c.store.resourceVersion}`,
      details: { retryAfterSeconds: 1, causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }] },
    });
  });

  it("refuses the option combinations apimachinery's and storage's ValidateListOptions refuse", async () => {
    const first = await list('limit=1');
    const cases: [string, number, string][] = [
      ['resourceVersionMatch=NotOlderThan', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
      ['resourceVersion=0&resourceVersionMatch=Exact', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"'],
      ['resourceVersion=1&resourceVersionMatch=Newest', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""'],
      [`resourceVersion=5&continue=${first.body.metadata.continue}`, 400, 'specifying resource version is not allowed when using continue'],
      ['continue=bm9uc2Vuc2U', 400, 'invalid continue token: continue key is not valid: Unexpected token \'o\', "nonsense" is not valid JSON'],
      ['resourceVersion=abc', 400, 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'],
    ];
    for (const [query, code, message] of cases) {
      const r = await list(query);
      expect({ query, code: r.status, message: r.body.message }).toEqual({ query, code, message });
    }
  });
});

// kubectl is installed on every machine this project runs on; without it this test cannot say anything.
describe.skipIf(!hasKubectl)('kubectl chunked lists', () => {
  it('kubectl get --chunk-size pages through every object with limit and continue', async () => {
    const env = await startEnv({ clusters: [{ name: 'one' }] });
    try {
      for (let i = 0; i < 7; i++) await env.k(['create', 'configmap', `c${i}`]);
      const out = await env.kubectl(['get', 'configmaps', '--chunk-size=2', '-o', 'name', '-v=6']);
      expect(out.stdout.trim().split('\n')).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `configmap/c${i}`));
      expect(out.stderr.match(/limit=2/g)?.length).toBe(4);
    } finally {
      await env.close();
    }
  });
});
