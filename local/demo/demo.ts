// `gns-sync demo` (what `npm start` runs): two simulated clusters with DNS and Istio's CRDs
// (`sim --istio`), the seed's Kafka scenario, the control plane with `routing: istio`, and a
// live table of what each target's names resolve to and where `gns-sync trace` says each ends up.
// `--once` plays the scenario (restart kafka-1, scale to 5), verifies DNS and routing after
// each step, and exits 0 or 1.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSimClusters } from '../sim/index.ts';
import { OWN_NAMESPACE } from '../manifests/contribution.ts';
import { installGnsSync } from './identities.ts';
import type { SimFleet } from '../sim/index.ts';
import type { LocalRuntime } from '../runner/runtime.ts';
import { startLocal } from '../runner/runtime.ts';
import { GnsSyncError } from '../../shared/errors.ts';
import { DEFAULT_DEMO_STATE_DIR, lockOwner, processAlive, StateDirLockedError, statePaths } from '../runner/state-dir.ts';
import { checkConverged, kafkaPodIps, unroutedNames, waitFor, type Converged } from './checks.ts';
import { Kube } from './kube.ts';
import { formatResolutions, resolveTargets } from './resolve-table.ts';
import { routeEnds } from './route-ends.ts';
import type { RouteEnd } from './route-ends.ts';
import {
  DEMO_ROUTED_CONFIG, DEMO_ROUTED_CONFIG_YAML, kafkaHeadlessService, kafkaStatefulSet, NAMESPACES, SELECTORLESS_SERVICE_YAML, selectorlessService, SOURCE, TARGETS,
} from './scenario.ts';
import { kubeMeshReader } from '../trace/kube-reader.ts';
import type { MeshReader, MeshTopology } from '../trace/mesh.ts';
import { topologyFromConfig } from '../trace/topology.ts';

export interface DemoOptions {
  readonly once: boolean;
  readonly stateDir: string;
  readonly out?: (line: string) => void;
  /** Live mode: redraw in place (ANSI) rather than printing each new table. */
  readonly tty?: boolean;
  /** Live mode ends when this resolves (default: SIGINT or SIGTERM). */
  readonly until?: Promise<unknown>;
  /** Each verification step's time limit (default 30 s). */
  readonly stepTimeoutMs?: number;
}

export interface DemoWorld {
  readonly fleet: SimFleet;
  readonly kube: Kube;
  readonly runtime: LocalRuntime;
  readonly kubeconfigPath: string;
  /** The demo's config (`config.yaml` in its state directory), for `gns-sync trace --config`. */
  readonly configPath: string;
  /** What `gns-sync trace` reads: the config's clusters, and the clusters through the kubeconfig. */
  readonly mesh: { readonly topology: MeshTopology; readonly reader: MeshReader };
}

/** Creates the seed's objects in the simulated clusters (namespaces, Kafka, the step-5 Services). */
export async function createScenario(kube: Kube, replicas = 3): Promise<void> {
  for (const { cluster, namespace } of NAMESPACES) await kube.namespace(cluster, namespace);
  await kube.create(SOURCE.cluster, kafkaHeadlessService(SOURCE.namespace));
  await kube.create(SOURCE.cluster, kafkaStatefulSet(SOURCE.namespace, replicas));
  for (const t of TARGETS) await kube.create(t.cluster, selectorlessService(t.namespace));
}

export function kubectlHelp(kubeconfigPath: string, fleet: SimFleet, configPath: string): string {
  const dig = fleet.clusters
    .filter((c) => c.dnsPort !== undefined)
    .map((c) => `  dig @127.0.0.1 -p ${c.dnsPort} +short kafka-0.kafka-headless.${c.name === SOURCE.cluster ? 'ns-two' : 'ns-one'}.svc.cluster.local   # ${c.name}'s DNS`);
  return [
    'Try it with kubectl (in another terminal):',
    '',
    `  export KUBECONFIG=${kubeconfigPath}`,
    '  kubectl --context clusterOne -n ns-one get pods -o wide             # the Kafka pods and their IPs',
    '  kubectl --context clusterOne -n ns-two get endpointslices -o yaml   # pod IPs (same network)',
    '  kubectl --context clusterTwo -n ns-one get endpointslices -o wide   # VIPs (another network)',
    '  kubectl --context clusterOne -n ns-one delete pod kafka-1           # new pod IP; its VIP stays',
    '  kubectl --context clusterOne -n ns-one scale statefulset kafka --replicas 5',
    '  kubectl --context clusterTwo -n ns-one get events                   # Warnings, if any',
    '  kubectl --context clusterTwo -n ns-one get serviceentries           # routing: one per VIP',
    `  npx gns-sync trace kafka-0.kafka-headless.ns-one.svc.cluster.local --from clusterTwo --config ${configPath}`,
    '  npx gns-sync status                                                 # the control plane\'s view',
    ...dig,
  ].join('\n');
}

/** The state directory holds another runner's state (`gns-sync local`'s): the demo resets only its own. */
export class NotADemoStateDirError extends GnsSyncError {
  override readonly name = 'NotADemoStateDirError';
}

/** Starts the world: clusters, objects, control plane. The demo's state directory starts clean. */
export async function startDemoWorld(stateDir: string, log: (line: string) => void, replicas = 3): Promise<DemoWorld> {
  const paths = statePaths(stateDir);
  const owner = lockOwner(stateDir);
  if (owner !== undefined && processAlive(owner)) throw new StateDirLockedError(paths.dir, owner);
  if (existsSync(paths.dynamodb) && !existsSync(paths.demoMarker)) {
    throw new NotADemoStateDirError(`${paths.dir} holds the state of gns-sync local, not of a demo; the demo resets its state directory at start, so give it another --state-dir (default ${DEFAULT_DEMO_STATE_DIR}/)`);
  }
  for (const sub of [paths.dynamodb, join(paths.dir, 'archive'), join(paths.dir, 'dlq'), paths.control]) rmSync(sub, { recursive: true, force: true });
  mkdirSync(paths.dir, { recursive: true });
  writeFileSync(paths.demoMarker, `${JSON.stringify({ demo: true, note: 'gns-sync demo resets this directory at start' })}\n`);
  // The seed's selectorless Service, to create it again after deleting it (the README's undo).
  writeFileSync(join(paths.dir, 'kafka-headless.yaml'), SELECTORLESS_SERVICE_YAML);
  // Kafka's controlled shutdown: a deleted broker's containers exit 2 s after SIGTERM (within its 30 s grace).
  // The config's routing: istio is trace's too (`gns-sync trace --config <state dir>/config.yaml`).
  const configPath = join(paths.dir, 'config.yaml');
  writeFileSync(configPath, DEMO_ROUTED_CONFIG_YAML);
  // Istio's CRDs and an east-west gateway per cluster, labelled with the config's network.
  const clusters = DEMO_ROUTED_CONFIG.clusters.map((c) => ({ name: c.name, network: c.network }));
  // The clusters enforce RBAC; the agents and the writer run with their own tokens and what `gns-sync manifests` grants them.
  const fleet = await startSimClusters({ clusters, dns: true, istio: true, containerStopMs: 2000, rbac: true });
  try {
    await fleet.writeKubeconfig(paths.kubeconfig);
    const kube = new Kube(fleet.kubeconfigYaml());
    await createScenario(kube, replicas);
    const identities = await installGnsSync(fleet, DEMO_ROUTED_CONFIG);
    const runtime = await startLocal({ config: DEMO_ROUTED_CONFIG, kubeconfigYaml: fleet.kubeconfigYaml(), identities, leaseNamespace: OWN_NAMESPACE, stateDir, log, reconcileIntervalMs: 60_000 });
    const mesh = { topology: topologyFromConfig(DEMO_ROUTED_CONFIG), reader: kubeMeshReader(fleet.kubeconfigYaml(), new Map(DEMO_ROUTED_CONFIG.clusters.map((c) => [c.name, c.context]))) };
    return { fleet, kube, runtime, kubeconfigPath: paths.kubeconfig, configPath, mesh };
  } catch (error) {
    await fleet.stop();
    throw error;
  }
}

async function replicasOf(kube: Kube): Promise<number> {
  const [sts] = await kube.list<{ spec?: { replicas?: number } } & { metadata?: { name?: string } }>(SOURCE.cluster, 'apps/v1', 'StatefulSet', SOURCE.namespace);
  return sts?.spec?.replicas ?? 0;
}

/** What each target's names resolve to and, as `gns-sync trace` follows them, where each ends up. */
async function traced(world: DemoWorld, replicas: number): Promise<{ rows: ReturnType<typeof resolveTargets>; ends: Map<string, RouteEnd> }> {
  const rows = resolveTargets((n) => world.fleet.cluster(n), replicas);
  return { rows, ends: await routeEnds(rows, world.mesh.topology, world.mesh.reader) };
}

/** Waits until every name of `replicas` pods reaches its own ready pod at `podIps` (trace, from each target cluster). */
async function waitRouted(world: DemoWorld, replicas: number, podIps: ReadonlyMap<string, string>, stepTimeoutMs: number): Promise<void> {
  let unrouted: string[] = [];
  try {
    await waitFor(`routing: every name reaches its own ready pod (gns-sync trace from ${TARGETS.map((t) => t.cluster).join(', ')})`, async () => {
      const { rows, ends } = await traced(world, replicas);
      unrouted = unroutedNames(rows, ends, podIps, replicas);
      return unrouted.length === 0 ? true : undefined;
    }, stepTimeoutMs, 100);
  } catch (error) {
    throw new Error(`${(error as Error).message}; still: ${unrouted.join('; ')}`, { cause: error });
  }
}

/** The scenario of `demo --once`; throws with the step that failed. */
export async function playScenario(world: DemoWorld, say: (line: string) => void, stepTimeoutMs = 30_000): Promise<Converged> {
  const resolver = (name: string) => world.fleet.cluster(name);
  const first = await waitFor('3 Kafka pods published (pod IPs in clusterOne/ns-two, VIPs in clusterTwo/ns-one)', () => checkConverged(world.kube, resolver, 3), stepTimeoutMs);
  say(`ok   3 replicas: pod IPs in clusterOne/ns-two, VIPs ${[...first.vips.values()].join(', ')} in clusterTwo/ns-one`);
  await waitRouted(world, 3, first.podIps, stepTimeoutMs);
  say('ok   routing: each VIP reaches its pod through net-one\'s east-west gateway (gns-sync trace from clusterTwo)');

  const oldIp = first.podIps.get('kafka-1')!;
  await world.kube.delete(SOURCE.cluster, 'v1', 'Pod', SOURCE.namespace, 'kafka-1');
  const restarted = await waitFor('kafka-1 restarted with a new IP, followed in ns-two', async () => {
    const ip = (await kafkaPodIps(world.kube)).get('kafka-1');
    if (!ip || ip === oldIp) return undefined;
    const c = await checkConverged(world.kube, resolver, 3);
    return c && c.podIps.get('kafka-1') === ip ? c : undefined;
  }, stepTimeoutMs);
  if (restarted.vips.get('kafka-1') !== first.vips.get('kafka-1')) throw new Error(`kafka-1's VIP changed on restart: ${first.vips.get('kafka-1')} → ${restarted.vips.get('kafka-1')}`);
  say(`ok   kafka-1 restarted: ${oldIp} → ${restarted.podIps.get('kafka-1')} in ns-two; VIP ${restarted.vips.get('kafka-1')} unchanged`);
  await waitRouted(world, 3, restarted.podIps, stepTimeoutMs);
  say(`ok   routing: VIP ${restarted.vips.get('kafka-1')} reaches kafka-1 at its new IP ${restarted.podIps.get('kafka-1')}`);

  await world.kube.scale(SOURCE.cluster, SOURCE.namespace, 'kafka', 5);
  const scaled = await waitFor('scale to 5: 5 names resolve in both targets', () => checkConverged(world.kube, resolver, 5), stepTimeoutMs);
  for (const [pod, vip] of first.vips) {
    if (scaled.vips.get(pod) !== vip) throw new Error(`${pod}'s VIP changed on scale-up: ${vip} → ${scaled.vips.get(pod)}`);
  }
  say(`ok   scaled to 5: 2 new VIPs ${['kafka-3', 'kafka-4'].map((p) => scaled.vips.get(p)).join(', ')}; the first 3 unchanged`);
  await waitRouted(world, 5, scaled.podIps, stepTimeoutMs);
  say('ok   routing: all 5 names reach their own ready pods');
  return scaled;
}

export async function runDemo(options: DemoOptions): Promise<number> {
  const out = options.out ?? ((line: string) => console.log(line));
  out(`demo: starting two simulated clusters (clusterOne, clusterTwo) and the control plane; state in ${statePaths(options.stateDir).dir}`);
  const syncLines: string[] = [];
  const world = await startDemoWorld(options.stateDir, (line) => (options.once ? syncLines.push(line) : out(line)));
  try {
    if (!options.once) {
      // Only while the clusters keep running: --once stops them when it ends.
      out(`demo: kubeconfig written to ${world.kubeconfigPath} (contexts clusterOne, clusterTwo)`);
      out('');
      out(kubectlHelp(world.kubeconfigPath, world.fleet, world.configPath));
      out('');
    }
    const table = async (width?: number) => {
      const { rows, ends } = await traced(world, await replicasOf(world.kube));
      return formatResolutions(rows, width, ends);
    };
    if (options.once) {
      try {
        await playScenario(world, out, options.stepTimeoutMs);
      } catch (error) {
        out(`FAIL ${(error as Error).message}`);
        out(await table());
        out(`(last sync lines:)\n${syncLines.slice(-10).join('\n')}`);
        return 1;
      }
      out('');
      out(await table());
      out('\ndemo --once: every check passed. The clusters are stopped; run `gns-sync demo` to keep them running and try kubectl.');
      return 0;
    }
    const until = options.until ?? new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    let stopped = false;
    void until.then(() => { stopped = true; });
    let last = '';
    let drawn = 0; // lines of the last drawing, redrawn in place on a terminal
    const dns = world.fleet.clusters.filter((c) => c.dnsPort !== undefined).map((c) => `${c.name} 127.0.0.1:${c.dnsPort}`).join(', ');
    // DNS is asked every 200 ms; the traces (a few lists per cluster) when the answers change, else once a second.
    let ends = new Map<string, RouteEnd>();
    let tracedAt = 0;
    let tracedRows = '';
    const live = async (width?: number): Promise<string> => {
      const rows = resolveTargets((n) => world.fleet.cluster(n), await replicasOf(world.kube));
      const key = JSON.stringify(rows);
      if (key !== tracedRows || Date.now() - tracedAt >= 1000) {
        ends = await routeEnds(rows, world.mesh.topology, world.mesh.reader);
        tracedAt = Date.now();
        tracedRows = key;
      }
      return formatResolutions(rows, width, ends);
    };
    while (!stopped) {
      const width = options.tty ? Math.max(process.stdout.columns || 80, 40) : undefined;
      const now = await live(width).catch((error: unknown) => `(cannot read the clusters: ${(error as Error).message})`);
      if (now !== last) {
        last = now;
        const block = [
          `${new Date().toISOString().slice(11, 19)}  what each target resolves (redrawn on change; Ctrl-C stops)`,
          `DNS: ${dns}`,
          'REACHES: the pod a client in that cluster ends up at (gns-sync trace)',
          now,
          '',
        ].join('\n');
        // On a terminal: move up over the last drawing and clear to the end, so it stays in place.
        out(options.tty && drawn > 0 ? `\u001b[${drawn}F\u001b[J${block}` : block);
        drawn = block.split('\n').length;
      }
      await Promise.race([until, new Promise((resolve) => setTimeout(resolve, 200))]);
    }
    out('demo: stopping…');
    return 0;
  } finally {
    await world.runtime.stop();
    await world.fleet.stop();
  }
}
