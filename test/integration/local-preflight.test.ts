// `gns-sync local` at start (issue 14): one line per unreachable cluster (context, URL, error)
// and per missing member namespace; the reachable clusters are not reported.
import { createServer } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kube } from '../../local/demo/kube.ts';
import { formatReachability, preflight, reachability } from '../../local/runner/preflight.ts';
import type { SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { parseConfig } from '../../shared/config/load.ts';

let fleet: SimFleet;
let deadUrl: string;
let kc: KubeConfig;

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'live' }] });
  await new Kube(fleet.kubeconfigYaml()).namespace('live', 'ns-one');
  deadUrl = `http://127.0.0.1:${await closedPort()}`;
  const doc = parse(fleet.kubeconfigYaml()) as { clusters: { name: string; cluster: { server: string; 'insecure-skip-tls-verify'?: boolean } }[]; contexts: { name: string; context: { cluster: string; user: string } }[]; users: unknown[] };
  doc.clusters.push({ name: 'dead', cluster: { server: deadUrl, 'insecure-skip-tls-verify': true } });
  doc.contexts.push({ name: 'dead-ctx', context: { cluster: 'dead', user: doc.contexts[0]!.context.user } });
  kc = new KubeConfig();
  kc.loadFromString(stringify(doc));
});
afterAll(async () => {
  await fleet.stop();
});

describe('preflight', () => {
  it('names the unreachable cluster once (context, URL, error) and each missing member namespace; reachable ones are silent', async () => {
    const config = parseConfig(`
clusters: [{ name: live }, { name: dead, context: dead-ctx }, { name: idle }]
globalNamespaces:
  - name: g
    members: [{ cluster: live, namespace: ns-one }, { cluster: live, namespace: ns-gone }, { cluster: dead, namespace: a }, { cluster: dead, namespace: b }]
`, 'test');
    const liveUrl = kc.getCluster('live')?.server;
    const lines = await preflight(kc, config, 3_000);
    expect(lines).toHaveLength(2);
    expect(lines).toContain(`missing namespace: live/ns-gone (context live, ${liveUrl}): it does not exist; its pods and Services are published once it is created`);
    const dead = lines.find((l) => l.startsWith('unreachable:'));
    expect(dead).toMatch(new RegExp(`^unreachable: cluster dead \\(context dead-ctx, ${deadUrl.replace(/[.:/]/g, '\\$&')}\\): .*ECONNREFUSED.*; its agent keeps retrying$`));
  });

  it('every cluster reachable and every namespace there: nothing', async () => {
    const config = parseConfig('clusters: [{ name: live }]\nglobalNamespaces: [{ name: g, members: [{ cluster: live, namespace: ns-one }] }]\n', 'test');
    expect(await preflight(kc, config)).toEqual([]);
  });

  it('reachability (gns-sync status): each cluster reachable or not, with its context, URL and error', async () => {
    const config = parseConfig('clusters: [{ name: live }, { name: dead, context: dead-ctx }]\n', 'test');
    const lines = formatReachability(await reachability(kc, config, 3_000));
    expect(lines[0]).toBe(`cluster live (context live, ${kc.getCluster('live')?.server}): reachable`);
    expect(lines[1]).toMatch(new RegExp(`^cluster dead \\(context dead-ctx, ${deadUrl.replace(/[.:/]/g, '\\$&')}\\): UNREACHABLE: .*ECONNREFUSED`));
  });
});
