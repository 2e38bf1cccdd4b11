// routing: istio end to end on `sim --istio` (issue 9, "Done when"): the source network's gateway
// Service deleted → `gns-sync trace` exits 1 naming it and one reconcile puts a RoutingNoGateway
// Warning on the targets; restored → one reconcile repairs both. For the seed scenario and three
// clusters on two networks: a pod restart rewrites at most the gateway entries carrying its IP
// (counted) and never a VIP or a client entry; idle, no ServiceEntry is rewritten
// (resourceVersions unchanged); scale down and the target Service's deletion remove the routing
// objects with the slices; routing switched to none, one reconcile deletes every ServiceEntry
// gns-sync wrote. The periodic reconcile is off: each "within one reconcile interval"
// is one explicit reconcile run, so nothing here depends on timing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../local/demo/checks.ts';
import { Kube } from '../../local/demo/kube.ts';
import type { LocalRuntime } from '../../local/runner/runtime.ts';
import { startLocal } from '../../local/runner/runtime.ts';
import { findResource } from '../../local/sim/api/resources.ts';
import { startSimClusters, type SimFleet } from '../../local/sim/index.ts';
import { kubeMeshReader } from '../../local/trace/kube-reader.ts';
import { topologyFromConfig } from '../../local/trace/topology.ts';
import { traceName } from '../../local/trace/trace.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { VIEW_TTL_MS } from '../../functions/sync/routing-views.ts';
import { layOut, layoutConfigText, SEED, THREE } from './scenario-world.ts';
import type { Layout } from './scenario-world.ts';

const ROOT = join(import.meta.dirname, '../..');
const SE = 'serviceentries.networking.istio.io';

type Setup = Layout;
const remoteTargets = (s: Setup) => s.targets.filter(([c]) => s.clusters.find((x) => x.name === c)!.network !== s.clusters[0]!.network);

const configText = (s: Setup) => layoutConfigText(s, 'istio');

let fleet: SimFleet | undefined;
let runtime: LocalRuntime | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await runtime?.stop();
  await fleet?.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  fleet = undefined;
  runtime = undefined;
});

interface World { fleet: SimFleet; runtime: LocalRuntime; kube: Kube; dir: string; writes: { cluster: string; type: string; name: string; host: string }[] }

async function routedWorld(s: Setup, replicas = 3): Promise<World> {
  const config = parseConfig(configText(s), 'routed.yaml');
  fleet = await startSimClusters({ clusters: s.clusters, istio: true, readyDelayMs: 20, containerStopMs: 20 });
  const kube = new Kube(fleet.kubeconfigYaml());
  await layOut(kube, s, replicas);
  const dir = mkdtempSync(join(tmpdir(), 'gns-routing-'));
  dirs.push(dir);
  await fleet.writeKubeconfig(join(dir, 'kubeconfig'));
  writeFileSync(join(dir, 'config.yaml'), configText(s));
  const writes: World['writes'] = [];
  for (const c of fleet.clusters) {
    c.store.subscribe((event) => {
      if (event.storage !== SE) return;
      const o = event.object as { metadata: { name?: string; labels?: Record<string, string> }; spec?: { hosts?: string[] } };
      if (o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'gns-sync.io') writes.push({ cluster: c.name, type: event.type, name: o.metadata.name ?? '', host: o.spec?.hosts?.[0] ?? '' });
    });
  }
  runtime = await startLocal({ config, kubeconfigYaml: fleet.kubeconfigYaml(), stateDir: join(dir, 'state'), log: () => {}, reconcileIntervalMs: 0, quiet: true, control: false });
  return { fleet, runtime, kube, dir, writes };
}

function cli(w: World, name: string, from: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'bin/gns-sync.mjs'), 'trace', name, '--from', from, '--config', join(w.dir, 'config.yaml'), '--kubeconfig', join(w.dir, 'kubeconfig')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

const podIps = (w: World): Map<string, string> => new Map(w.fleet.cluster('clusterOne').list('pods', 'ns-one')
  .filter((p) => !p.metadata.deletionTimestamp && (p.status as { podIP?: string }).podIP)
  .map((p) => [p.metadata.name!, (p.status as { podIP: string }).podIP]));

/** Every target reaches each of the `replicas` pods, ready, at its current IP (trace as the CLI does). */
async function routed(w: World, s: Setup, replicas: number): Promise<void> {
  const config = parseConfig(configText(s), 'routed.yaml');
  const topology = topologyFromConfig(config);
  await waitFor(`every replica reached from every target (${s.name})`, async () => {
    const reader = kubeMeshReader(w.fleet.kubeconfigYaml(), new Map(config.clusters.map((c) => [c.name, c.context])));
    const ips = podIps(w);
    for (const [cluster, ns] of s.targets) {
      for (let i = 0; i < replicas; i++) {
        const r = await traceName({ name: `kafka-${i}.kafka-headless.${ns}.svc.cluster.local`, from: cluster }, topology, reader);
        if (!r.ok || r.end?.pod !== `kafka-${i}` || r.end.cluster !== 'clusterOne' || r.end.ip !== ips.get(`kafka-${i}`)) return undefined;
      }
    }
    return true;
  }, 60_000, 100);
}

const entries = (w: World, cluster: string, kind: 'client' | 'gateway') =>
  [...w.fleet.cluster(cluster).store.bucket(SE).values()].filter((o) => o.metadata.labels?.['gns-sync.io/routing'] === kind && o.metadata.labels['app.kubernetes.io/managed-by'] === 'gns-sync.io');
const versions = (w: World) => w.fleet.clusters.flatMap((c) => c.store.bucket(SE).size > 0 ? [...c.store.bucket(SE).values()].map((o) => `${c.name}/${o.metadata.namespace}/${o.metadata.name}@${o.metadata.resourceVersion}`) : []).sort();
const vipsOf = (w: World, cluster: string, ns: string) => new Map(w.fleet.cluster(cluster).list('endpointslices', ns)
  .flatMap((s) => ((s as unknown as { endpoints?: { hostname?: string; addresses: string[] }[] }).endpoints ?? []).map((e) => [e.hostname ?? '', e.addresses[0] ?? ''] as const)));
const warnings = (w: World, cluster: string, ns: string) => w.fleet.cluster(cluster).list('events', ns)
  .filter((e) => (e as unknown as { type?: string }).type === 'Warning').map((e) => (e as unknown as { reason?: string }).reason);

/**
 * One run of the reconcile, as its schedule would run it — after an interval longer than the
 * syncs' cache of the clusters' gateway Services (VIEW_TTL_MS): the short reconcile interval of
 * this test. Then everything it enqueued (target syncs, then the gateway-entry writers) ran.
 */
async function oneReconcile(w: World): Promise<void> {
  await new Promise((r) => setTimeout(r, VIEW_TTL_MS));
  await w.runtime.idle();
  await w.runtime.reconcile();
  await w.runtime.idle();
  await w.runtime.idle(); // the gateway-entry writers the syncs enqueued
}

describe.each([SEED, THREE])('routing on sim --istio: $name', (s) => {
  it('the source network\'s gateway Service deleted: trace exits 1 naming it and one reconcile warns every VIP target; restored: one reconcile repairs both', async () => {
    const w = await routedWorld(s);
    await routed(w, s, 3);
    const [remoteCluster, remoteNs] = remoteTargets(s)[0]!;
    const network = s.clusters[0]!.network;
    // Every cluster of the source network loses its gateway (in THREE: clusterOne and clusterThree).
    const services = findResource('', 'v1', 'services')!;
    const saved = s.clusters.filter((c) => c.network === network).map((c) => ({ cluster: c.name, object: w.fleet.cluster(c.name).get('/api/v1/namespaces/istio-system/services/istio-eastwestgateway')! }));
    for (const { cluster } of saved) w.fleet.cluster(cluster).registry.delete(services, 'istio-system', 'istio-eastwestgateway');

    const broken = await cli(w, `kafka-0.kafka-headless.${remoteNs}.svc.cluster.local`, remoteCluster);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain(`no gateway Service labelled for network ${network}`);
    await oneReconcile(w);
    for (const [c, ns] of remoteTargets(s)) expect(warnings(w, c, ns)).toContain('RoutingNoGateway');
    expect((await w.runtime.status()).targets.find((t) => t.target.cluster === remoteCluster)?.warnings?.some((l) => l.startsWith('RoutingNoGateway'))).toBe(true);

    for (const { cluster, object } of saved) {
      const { name, namespace, labels } = object.metadata;
      w.fleet.cluster(cluster).apply({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace, labels }, spec: { ...(object.spec as Record<string, unknown>), clusterIP: undefined, clusterIPs: undefined } });
    }
    await waitFor('the restored gateways have a load-balancer address', () => (saved.every(({ cluster }) => ((w.fleet.cluster(cluster).get('/api/v1/namespaces/istio-system/services/istio-eastwestgateway')?.status as { loadBalancer?: { ingress?: unknown[] } } | undefined)?.loadBalancer?.ingress?.length ?? 0) > 0) ? true : undefined));
    await oneReconcile(w);
    const repaired = await cli(w, `kafka-0.kafka-headless.${remoteNs}.svc.cluster.local`, remoteCluster);
    expect(repaired.out).toMatch(/reaches pod ns-one\/kafka-0 in clusterOne .*ready/);
    expect(repaired.code).toBe(0);
    expect((await w.runtime.status()).targets.find((t) => t.target.cluster === remoteCluster)?.warnings ?? []).toEqual([]);
    await routed(w, s, 3);
  }, 240_000);

  it('a pod restart that does not fold changes only the gateway entries carrying its IP, never a client entry nor a VIP; idle rewrites nothing; scale down and the Service\'s deletion remove the routing objects with the slices', async () => {
    const w = await routedWorld(s);
    await routed(w, s, 3);
    await oneReconcile(w);
    // Idle: one more reconcile (every target synced, every writer run) writes no ServiceEntry.
    const idle = versions(w);
    w.writes.length = 0;
    await oneReconcile(w);
    expect(w.writes).toEqual([]);
    expect(versions(w)).toEqual(idle);

    const [remoteCluster, remoteNs] = remoteTargets(s)[0]!;
    const vipsBefore = new Map(remoteTargets(s).map(([c, ns]) => [`${c}/${ns}`, vipsOf(w, c, ns)]));
    const clientsOf = () => remoteTargets(s).flatMap(([c]) => entries(w, c, 'client').map((o) => `${c}/${o.metadata.name} uid=${o.metadata.uid} rv=${o.metadata.resourceVersion}`)).sort();
    const clientsBefore = clientsOf();
    expect(clientsBefore.length).toBe(3 * remoteTargets(s).length);
    const oldPod = w.fleet.cluster('clusterOne').get('/api/v1/namespaces/ns-one/pods/kafka-1')!;
    const oldIp = podIps(w).get('kafka-1');
    // A restart staged so that its events do NOT fold, as a node drain does it: the node is
    // cordoned, kafka-1 deleted; the StatefulSet recreates it at once, Pending without an IP, and
    // every VIP target publishes the pod's absence (its VIP endpoint leaves the slices) before
    // the node is uncordoned and the pod comes back with a new IP.
    const nodes = findResource('', 'v1', 'nodes')!;
    const node = w.fleet.cluster('clusterOne').list('nodes')[0]!.metadata.name!;
    w.fleet.cluster('clusterOne').registry.patch(nodes, undefined, node, 'merge', { spec: { unschedulable: true } });
    await w.kube.delete('clusterOne', 'v1', 'Pod', 'ns-one', 'kafka-1');
    await waitFor('kafka-1 recreated Pending without an IP, and gone from every VIP target\'s slices', async () => {
      await w.runtime.idle();
      const pod = w.fleet.cluster('clusterOne').get('/api/v1/namespaces/ns-one/pods/kafka-1');
      const pending = pod !== undefined && pod.metadata.uid !== oldPod.metadata.uid && (pod.status as { podIP?: string }).podIP === undefined;
      return pending && remoteTargets(s).every(([c, ns]) => !vipsOf(w, c, ns).has('kafka-1')) ? true : undefined;
    }, 30_000, 100);
    await w.runtime.idle();
    await w.runtime.idle(); // the gateway-entry writers the syncs enqueued
    w.fleet.cluster('clusterOne').registry.patch(nodes, undefined, node, 'merge', { spec: { unschedulable: null } });
    await waitFor('kafka-1 back with a new IP', () => { const ip = podIps(w).get('kafka-1'); return ip && ip !== oldIp ? true : undefined; }, 30_000);
    await routed(w, s, 3);
    await w.runtime.idle();
    await w.runtime.idle();
    // Only the routing objects that carry kafka-1's IP changed: its gateway entries, each at most
    // deleted and created again (the pod had no IP for a while) or updated once. No client entry
    // was written (same uid, same resourceVersion) and no VIP changed.
    expect(w.writes.length, JSON.stringify(w.writes)).toBeGreaterThan(0);
    expect(w.writes.every((x) => x.host.startsWith('kafka-1.') && x.name.startsWith('gnsg-')), JSON.stringify(w.writes)).toBe(true);
    for (const perEntry of Map.groupBy(w.writes, (x) => `${x.cluster}/${x.name}`).values()) {
      expect([['DELETED', 'ADDED'], ['MODIFIED']], JSON.stringify(w.writes)).toContainEqual(perEntry.map((x) => x.type));
    }
    expect(clientsOf()).toEqual(clientsBefore);
    expect(new Map(remoteTargets(s).map(([c, ns]) => [`${c}/${ns}`, vipsOf(w, c, ns)]))).toEqual(vipsBefore);
    expect(vipsOf(w, remoteCluster, remoteNs).has('kafka-1')).toBe(true);

    // Scale down: kafka-2's routing objects go with its endpoints.
    await w.kube.scale('clusterOne', 'ns-one', 'kafka', 2);
    await waitFor('kafka-2 unrouted with its endpoint', async () => {
      await w.runtime.idle();
      const left = [...remoteTargets(s).flatMap(([c]) => entries(w, c, 'client')), ...s.clusters.flatMap((c) => entries(w, c.name, 'gateway'))]
        .filter((o) => o.metadata.labels?.['gns-sync.io/source-pod'] === 'kafka-2');
      return left.length === 0 && !vipsOf(w, remoteCluster, remoteNs).has('kafka-2') ? true : undefined;
    }, 30_000, 100);
    await routed(w, s, 2);

    // The VIP targets' Services deleted: their client entries go with their slices, and the gateway entries no target needs.
    for (const [c, ns] of remoteTargets(s)) await w.kube.delete(c, 'v1', 'Service', ns, 'kafka-headless');
    await waitFor('routing objects removed with the slices', async () => {
      await w.runtime.idle();
      const left = [...remoteTargets(s).flatMap(([c]) => entries(w, c, 'client')), ...s.clusters.flatMap((c) => entries(w, c.name, 'gateway'))];
      return left.length === 0 && vipsOf(w, remoteCluster, remoteNs).size === 0 ? true : undefined;
    }, 30_000, 100);
  }, 240_000);
});

describe('routing switched off', () => {
  it('routing: istio → none: one reconcile of the restarted runtime deletes every ServiceEntry gns-sync wrote; the slices stay', async () => {
    const w = await routedWorld(SEED);
    await routed(w, SEED, 3);
    expect(entries(w, 'clusterTwo', 'client').length).toBe(3);
    await w.runtime.stop();
    runtime = undefined;
    const none = parseConfig(configText(SEED).replace('routing: istio', 'routing: none'), 'none.yaml');
    runtime = await startLocal({ config: none, kubeconfigYaml: w.fleet.kubeconfigYaml(), stateDir: join(w.dir, 'state'), log: () => {}, reconcileIntervalMs: 0, quiet: true, control: false });
    await runtime.idle();
    await runtime.reconcile();
    await runtime.idle();
    expect(w.fleet.clusters.flatMap((c) => [...c.store.bucket(SE).values()].filter((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'gns-sync.io'))).toEqual([]);
    expect(vipsOf(w, 'clusterTwo', 'ns-one').size).toBe(3);
  }, 120_000);
});
