// Member removal with routing: istio, end to end as a user runs it (issue 9, "Done when": member
// removal removes the routing objects with the slices; idle, nothing is rewritten). `gns-sync sim
// --istio` and `gns-sync local` are child processes; the user edits the config and restarts
// `local` (it reads its config once, at start). Three clusters on two networks (net-a:
// clusterOne, clusterThree; net-b: clusterTwo) and one GNS whose member clusterTwo/ns-two is both
// a source (StatefulSet `broker`, published as VIPs to the net-a targets) and a target (it gets
// kafka's VIPs). Removed from the config, the restarted runner's first reconcile pass (the one
// at its start; the next comes a minute later) removes its pods' endpoints from every target's
// slices, their client ServiceEntries in the targets' namespaces, their gateway ServiceEntries
// in clusterTwo's istio-system, and the slices and client entries it had as a target; every
// other member's ServiceEntry keeps its uid and resourceVersion. `gns-sync trace` then exits 1
// for a removed pod, naming the DNS hop, and 0 for a remaining one. Started again (a whole pass:
// every target synced, every gateway writer run) it rewrites nothing and forgets the namespace in
// its inventory (docs/adr/0018-inventory.md). Then clusterTwo's last member goes too: its slices,
// its client entries and kafka's gateway entries (no target on another network needs them any
// more) go in one pass, the same-network targets' slices are untouched. Another installation's
// objects in those namespaces (docs/adr/0015-installation-identity.md) are never touched.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../local/demo/checks.ts';
import { Kube } from '../../local/demo/kube.ts';
import { kafkaHeadlessService, kafkaStatefulSet } from '../../local/demo/scenario.ts';
import { kubeMeshReader } from '../../local/trace/kube-reader.ts';
import { topologyFromConfig } from '../../local/trace/topology.ts';
import { traceName } from '../../local/trace/trace.ts';
import { parseConfig } from '../../shared/config/load.ts';
import { type CliProcess, killCli, runCli, startCli } from '../support/cli.ts';
import { THREE, layOut } from './scenario-world.ts';

const CLUSTERS = THREE.clusters.map((c) => [c.name, c.network] as const);
type Member = readonly [cluster: string, namespace: string];
const SOURCE: Member = ['clusterOne', 'ns-one'];
/** The source and target member removed first. */
const REMOVED: Member = ['clusterTwo', 'ns-two'];
/** The targets that stay (at first): each gets every kafka pod and, before the removal, the brokers. */
const TARGETS: readonly Member[] = THREE.targets;
const KAFKA = ['kafka-0', 'kafka-1', 'kafka-2'];
const BROKERS = ['broker-0', 'broker-1'];
const OURS = 'gns-sync.io/installation=default';

const configText = (members: readonly Member[]): string => [
  'routing: istio',
  'clusters:',
  ...CLUSTERS.map(([name, network]) => `  - { name: ${name}, network: ${network} }`),
  'globalNamespaces:',
  '  - name: kafka-gns',
  '    members:',
  ...members.map(([c, ns]) => `      - { cluster: ${c}, namespace: ${ns} }`),
  '',
].join('\n');

let dir: string;
let kube: Kube;

async function stop(p: CliProcess): Promise<void> {
  expect(await p.stop(), p.lines.slice(-20).join('\n')).toBe(0);
}

/** `gns-sync local` on the config the user wrote (its JSON logs name each reconcile and sync). */
function startLocal(members: readonly Member[]): CliProcess {
  writeFileSync(join(dir, 'config.yaml'), configText(members));
  return startCli(['local', '--config', join(dir, 'config.yaml'), '--kubeconfig', join(dir, 'kubeconfig'), '--state-dir', join(dir, 'state'), '--log-format', 'json', '--verbose']);
}
const logged = (p: CliProcess, message: string): string[] => p.lines.filter((l) => l.includes(`"message":"${message}"`));

const trace = (name: string, from: string) => runCli(['trace', name, '--from', from, '--config', join(dir, 'config.yaml'), '--kubeconfig', join(dir, 'kubeconfig')]);

interface Listed extends KubernetesObject { endpoints?: { hostname?: string }[]; data?: Record<string, string> }
/** An object in a cluster: where it is, what it routes or publishes, its uid and resourceVersion. */
interface Seen { readonly key: string; readonly cluster: string; readonly namespace: string; readonly route?: string; readonly hostnames?: readonly string[]; readonly version: string }
const seen = (cluster: string, o: Listed, more: Partial<Seen>): Seen =>
  ({ key: `${cluster}/${o.metadata!.namespace}/${o.metadata!.name}`, cluster, namespace: o.metadata!.namespace!, version: `${o.metadata!.uid}@${o.metadata!.resourceVersion}`, ...more });
const sorted = (xs: Seen[]): Seen[] => xs.sort((a, b) => a.key.localeCompare(b.key));

/** This installation's ServiceEntries and slices in every cluster; `selector` picks another installation's. */
async function written(selector = OURS): Promise<{ entries: Seen[]; slices: Seen[] }> {
  const entries: Seen[] = [];
  const slices: Seen[] = [];
  for (const [cluster] of CLUSTERS) {
    for (const o of await kube.list<Listed>(cluster, 'networking.istio.io/v1', 'ServiceEntry', undefined, `app.kubernetes.io/managed-by=gns-sync.io,${selector}`)) {
      const l = o.metadata!.labels!;
      entries.push(seen(cluster, o, { route: `${l['gns-sync.io/routing']} ${cluster}/${o.metadata!.namespace} ${l['gns-sync.io/source-cluster']}/${l['gns-sync.io/source-namespace']}/${l['gns-sync.io/source-pod']}` }));
    }
    for (const s of await kube.list<Listed>(cluster, 'discovery.k8s.io/v1', 'EndpointSlice', undefined, `endpointslice.kubernetes.io/managed-by=gns-sync.io,${selector}`)) {
      slices.push(seen(cluster, s, { hostnames: (s.endpoints ?? []).map((e) => e.hostname ?? '') }));
    }
  }
  return { entries: sorted(entries), slices: sorted(slices) };
}
const versions = (xs: readonly Seen[]): string[] => xs.map((x) => `${x.key} ${x.version}`);
const routes = (entries: readonly Seen[]): string[] => entries.map((e) => e.route!).sort();

/** The hostnames each target's slices publish, by `cluster/namespace`. */
function published(slices: readonly Seen[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const s of slices) (out[`${s.cluster}/${s.namespace}`] ??= []).push(...s.hostnames!);
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}
const publishing = (targets: readonly Member[], pods: readonly string[]): Record<string, string[]> => Object.fromEntries(targets.map((t) => [t.join('/'), [...pods].sort()]));

/** The namespaces each cluster's inventory lists per kind, and the ConfigMap's version. */
async function inventories(): Promise<Record<string, { version: string; kinds: Record<string, string> }>> {
  const out: Record<string, { version: string; kinds: Record<string, string> }> = {};
  for (const [cluster] of CLUSTERS) {
    const map = (await kube.list<Listed>(cluster, 'v1', 'ConfigMap', 'default')).find((m) => m.metadata!.name === 'gns-sync-inventory')!;
    out[cluster] = { version: `${map.metadata!.uid}@${map.metadata!.resourceVersion}`, kinds: map.data ?? {} };
  }
  return out;
}

const ONE = (pod: string) => `clusterOne/ns-one/${pod}`;
const TWO = (pod: string) => `clusterTwo/ns-two/${pod}`;
/** kafka's routing objects for its VIP target clusterTwo/ns-one. */
const KAFKA_TO_NS_ONE = [
  ...KAFKA.map((p) => `client clusterTwo/ns-one ${ONE(p)}`),
  ...KAFKA.map((p) => `gateway clusterOne/istio-system ${ONE(p)}`),
  ...KAFKA.map((p) => `gateway clusterThree/istio-system ${ONE(p)}`),
];
/** The removed member's: its brokers' VIPs in the net-a targets and their gateway entries, and kafka's VIPs in it as a target. */
const OF_REMOVED = [
  ...BROKERS.map((p) => `client clusterOne/ns-two ${TWO(p)}`),
  ...BROKERS.map((p) => `client clusterThree/ns-one ${TWO(p)}`),
  ...BROKERS.map((p) => `gateway clusterTwo/istio-system ${TWO(p)}`),
  ...KAFKA.map((p) => `client clusterTwo/ns-two ${ONE(p)}`),
];

/** Every (target, pod) pair reaches its ready pod, by the trace's reading of the clusters. */
async function reachable(members: readonly Member[], targets: readonly Member[], pods: readonly string[]): Promise<void> {
  const config = parseConfig(configText(members), 'config.yaml');
  const topology = topologyFromConfig(config);
  await waitFor(`${pods.join(', ')} reached from ${targets.map((t) => t.join('/')).join(', ')}`, async () => {
    const reader = kubeMeshReader(readFileSync(join(dir, 'kubeconfig'), 'utf8'), new Map(config.clusters.map((c) => [c.name, c.context])));
    for (const [cluster, ns] of targets) {
      for (const pod of pods) {
        const r = await traceName({ name: `${pod}.kafka-headless.${ns}.svc.cluster.local`, from: cluster }, topology, reader);
        if (!r.ok || r.end?.pod !== pod) return undefined;
      }
    }
    return true;
  }, 60_000, 200);
}

/** Objects of another installation (`gns-sync.io/installation: other`) where the removals happen. */
async function otherInstallation(): Promise<void> {
  const labels = { 'gns-sync.io/installation': 'other', 'gns-sync.io/gns': 'kafka-gns' };
  const entry = (namespace: string, name: string, routing: string) => ({
    apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry',
    metadata: { name, namespace, labels: { ...labels, 'app.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/routing': routing, 'gns-sync.io/source-cluster': 'clusterTwo', 'gns-sync.io/target-cluster': 'clusterTwo', 'gns-sync.io/target': 'kafka-headless' } },
    spec: { hosts: [`other-0.${namespace}.other.gns-sync.local`], location: 'MESH_INTERNAL', resolution: 'STATIC', ports: [{ name: 'tcp-9092', number: 9092, protocol: 'TCP' }], endpoints: [{ address: '10.9.9.9' }], exportTo: ['.'] },
  });
  for (const ns of ['ns-one', 'ns-two']) {
    await kube.create('clusterTwo', entry(ns, 'gnsc-other', 'client'));
    await kube.create('clusterTwo', {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', addressType: 'IPv4',
      metadata: { name: 'kafka-headless-other', namespace: ns, labels: { ...labels, 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'kubernetes.io/service-name': 'kafka-headless' } },
      endpoints: [{ addresses: ['10.9.9.9'], hostname: 'other-0', conditions: { ready: true } }],
      ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP' }],
    });
  }
  await kube.create('clusterTwo', entry('istio-system', 'gnsg-other', 'gateway'));
}

let sim: CliProcess;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gns-member-removal-'));
  sim = startCli(['sim', '--clusters', CLUSTERS.map(([c]) => c).join(','), '--kubeconfig', join(dir, 'kubeconfig'), '--istio', ...CLUSTERS.flatMap(([c, n]) => ['--network', `${c}=${n}`]), '--ready-delay-ms', '20', '--container-stop-ms', '20']);
  await waitFor('the simulated clusters', () => (sim.lines.some((l) => l.startsWith('kubeconfig written')) ? true : undefined), 30_000, 50);
  kube = new Kube(readFileSync(join(dir, 'kubeconfig'), 'utf8'));
  await layOut(kube, { ...THREE, targets: [...TARGETS, REMOVED] }, KAFKA.length);
  // The removed member's own StatefulSet: the same labels (the targets select it), its own Service.
  const service = kafkaHeadlessService(REMOVED[1]) as { metadata: { name: string } };
  service.metadata.name = 'broker-headless';
  await kube.create(REMOVED[0], service);
  const broker = kafkaStatefulSet(REMOVED[1], BROKERS.length) as { metadata: { name: string }; spec: { serviceName: string } };
  broker.metadata.name = 'broker';
  broker.spec.serviceName = 'broker-headless';
  await kube.create(REMOVED[0], broker);
  await otherInstallation();
}, 60_000);

afterAll(async () => {
  await killCli();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('a member removed from the config (a VIP source and a target) loses its endpoints, client and gateway entries in the restarted runner\'s first pass; others\' entries untouched; trace exits 1 for its pods; idle, nothing rewritten', async () => {
  const all: Member[] = [SOURCE, ...TARGETS, REMOVED];
  const other = await written('gns-sync.io/installation=other');
  const first = startLocal(all);
  await reachable(all, [...TARGETS, REMOVED], [...KAFKA, ...BROKERS]);
  const before = await written();
  expect(routes(before.entries)).toEqual([...KAFKA_TO_NS_ONE, ...OF_REMOVED].sort());
  expect(published(before.slices)).toEqual(publishing([...TARGETS, REMOVED], [...KAFKA, ...BROKERS]));
  await stop(first);

  // The user removes the member from the config and restarts the runner.
  const kept: Member[] = [SOURCE, ...TARGETS];
  const second = startLocal(kept);
  await waitFor('the removed member\'s objects gone', async () => {
    const now = await written();
    return isDeepStrictEqual([routes(now.entries), published(now.slices)], [[...KAFKA_TO_NS_ONE].sort(), publishing(TARGETS, KAFKA)]) ? true : undefined;
  }, 60_000, 100);
  // All in the first pass: the reconcile at the runner's start and the syncs and writers it enqueued.
  expect(logged(second, 'reconciled'), second.lines.join('\n')).toHaveLength(1);
  const after = await written();
  // Every other member's routing object is the same object, never rewritten.
  expect(versions(after.entries)).toEqual(versions(before.entries.filter((e) => !OF_REMOVED.includes(e.route!))));

  // trace, as a user runs it: a removed pod's name stops at DNS (exit 1); a remaining pod is reached (exit 0).
  const gone = await trace('broker-0.kafka-headless.ns-two.svc.cluster.local', 'clusterOne');
  expect(gone.code, gone.out + gone.err).toBe(1);
  expect(gone.out).toContain('no endpoint with hostname broker-0 in the EndpointSlices of ns-two/kafka-headless in clusterOne (NXDOMAIN)');
  const stays = await trace('kafka-0.kafka-headless.ns-one.svc.cluster.local', 'clusterTwo');
  expect(stays.code, stays.out + stays.err).toBe(0);
  expect(stays.out).toContain('reaches pod ns-one/kafka-0 in clusterOne');
  await reachable(kept, TARGETS, KAFKA);
  await stop(second);

  // Idle: started again, a whole pass (every target synced, every gateway writer run) rewrites
  // nothing; the inventory forgets the removed namespace, now clean (other clusters' untouched).
  const inventoryBefore = await inventories();
  expect(inventoryBefore.clusterTwo!.kinds).toEqual({ 'endpointslices.discovery.k8s.io': 'ns-one\nns-two\n', 'serviceentries.networking.istio.io': 'istio-system\nns-one\nns-two\n' });
  const third = startLocal(kept);
  await waitFor('the reconcile and its syncs', () => (logged(third, 'reconciled').length === 1 && TARGETS.every(([c, ns]) => logged(third, 'sync').some((l) => l.includes(`"cluster":"${c}","namespace":"${ns}"`))) ? true : undefined), 60_000, 100);
  await stop(third); // drains what the pass enqueued
  const idle = await written();
  expect(versions(idle.entries)).toEqual(versions(after.entries));
  expect(versions(idle.slices)).toEqual(versions(after.slices));
  const inventoryAfter = await inventories();
  expect(inventoryAfter.clusterTwo!.kinds).toEqual({ 'endpointslices.discovery.k8s.io': 'ns-one\n', 'serviceentries.networking.istio.io': 'istio-system\nns-one\n' });
  expect(logged(third, 'namespaces clean: they hold none of this installation\'s slices and left its inventory; the writer\'s grants there may go (render the manifests again and delete the old Role and RoleBinding)')).toHaveLength(1);
  for (const c of ['clusterOne', 'clusterThree']) expect(inventoryAfter[c]).toEqual(inventoryBefore[c]);

  // clusterTwo's last member goes: its slices and client entries, and kafka's gateway entries (no
  // target on another network left), in the first pass; the same-network targets' slices untouched.
  const last: Member[] = [SOURCE, ['clusterOne', 'ns-two'], ['clusterThree', 'ns-one']];
  const fourth = startLocal(last);
  await waitFor('clusterTwo\'s objects gone', async () => {
    const now = await written();
    return now.entries.length === 0 && isDeepStrictEqual(published(now.slices), publishing(last.slice(1), KAFKA)) ? true : undefined;
  }, 60_000, 100);
  expect(logged(fourth, 'reconciled'), fourth.lines.join('\n')).toHaveLength(1);
  expect(versions((await written()).slices)).toEqual(versions(after.slices.filter((s) => s.cluster !== 'clusterTwo')));
  const unrouted = await trace('kafka-0.kafka-headless.ns-one.svc.cluster.local', 'clusterTwo');
  expect(unrouted.code, unrouted.out + unrouted.err).toBe(1);
  expect(unrouted.out).toContain('no endpoint with hostname kafka-0 in the EndpointSlices of ns-one/kafka-headless in clusterTwo (NXDOMAIN)');
  const direct = await trace('kafka-0.kafka-headless.ns-two.svc.cluster.local', 'clusterOne');
  expect(direct.code, direct.out + direct.err).toBe(0);
  await stop(fourth);

  // Another installation's slices and entries, in the removed namespaces and istio-system: never touched.
  expect(other.entries).toHaveLength(3);
  expect(other.slices).toHaveLength(2);
  const otherAfter = await written('gns-sync.io/installation=other');
  expect(versions(otherAfter.entries)).toEqual(versions(other.entries));
  expect(versions(otherAfter.slices)).toEqual(versions(other.slices));
  await stop(sim);
}, 300_000);
