// routing: istio end to end (issue 9): Istio objects written per pod change, per cluster that
// holds that pod's routing, measured on simulated clusters started with `--istio` through the
// whole local pipeline (agents, bus, ingest, syncs, the gateway-entry writers). 3 clusters on 2
// networks (west-a and west-b on `west`, east on `east`), S StatefulSets × R replicas, each
// published to a same-network target (pod IPs: no routing) and a remote one (VIPs). Every pod is
// restarted once, one at a time; each restart waits until the pod's gateway entries carry its
// new IP and the pipeline is idle, and every ServiceEntry write the simulated clusters see is
// counted (creates, updates, deletes, of any entry) and divided by the clusters holding that
// pod's gateway entries (each gateway cluster of its network). Those restarts fold: the old pod
// goes and the new one has its IP before the pipeline publishes the absence. Then every pod is
// restarted again the way a node drain does it, so the absence IS published: the node cordoned,
// the pod deleted, its recreation held Pending without an IP until its gateway entries are gone,
// then uncordoned (`e2e.routing_writes_per_stepped_restart`: the gateway entry carrying the IP is
// deleted and created again, 2 writes per holding cluster, one per published change; and
// `e2e.routing_client_writes_per_stepped_restart`: client entries written, expected 0 — ADR 19).
// Also: writes of one idle reconcile (every target and writer run again; expected 0).
// Knobs (env): GNS_BENCH_ROUTING_STS (3), GNS_BENCH_ROUTING_REPLICAS (5).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kube } from '../local/demo/kube.ts';
import { findResource } from '../local/sim/api/resources.ts';
import { startLocal } from '../local/runner/runtime.ts';
import { startSimClusters } from '../local/sim/index.ts';
import type { Config } from '../shared/config/schema.ts';
import { ANNOTATION_TSM } from '../shared/core/types.ts';

const env = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
const SE = 'serviceentries.networking.istio.io';
const CLUSTERS = [{ name: 'west-a', network: 'west' }, { name: 'west-b', network: 'west' }, { name: 'east', network: 'east' }];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: readonly number[], p: number): number => sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

type Obj = { metadata: { name?: string; namespace?: string; labels?: Record<string, string>; deletionTimestamp?: string }; status?: { podIP?: string }; spec?: { endpoints?: { address?: string }[] } };

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const STS = env('GNS_BENCH_ROUTING_STS', 3);
  const REPLICAS = env('GNS_BENCH_ROUTING_REPLICAS', 5);
  const networkOf = (c: string) => CLUSTERS.find((x) => x.name === c)!.network;
  const layout = Array.from({ length: STS }, (_, i) => {
    const source = CLUSTERS[i % CLUSTERS.length]!.name;
    const same = CLUSTERS.find((c) => c.name !== source && c.network === networkOf(source))?.name;
    const far = CLUSTERS.find((c) => c.network !== networkOf(source))!.name;
    return { i, gns: `gns-${i}`, ns: `app-${i}`, source, targets: [same, far].filter((t): t is string => t !== undefined) };
  });
  const config: Config = {
    clusters: CLUSTERS.map((c) => ({ ...c, context: c.name })),
    globalNamespaces: layout.map((l) => ({ name: l.gns, members: [l.source, ...l.targets].map((cluster) => ({ cluster, namespace: l.ns })) })),
    vipPool: '241.0.0.0/16',
    vipReleaseAfterMs: 3_600_000,
    routing: 'istio',
  };
  const fleet = await startSimClusters({ clusters: CLUSTERS, istio: true, readyDelayMs: 5, containerStopMs: 5, events: false });
  const kube = new Kube(fleet.kubeconfigYaml());
  const stateDir = mkdtempSync(join(tmpdir(), 'gns-bench-routing-'));
  for (const l of layout) {
    for (const c of [l.source, ...l.targets]) fleet.cluster(c).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: l.ns } });
    const labels = { app: `sts-${l.i}` };
    fleet.cluster(l.source).apply({
      apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: `sts-${l.i}`, namespace: l.ns },
      spec: { replicas: REPLICAS, serviceName: `sts-${l.i}`, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app', ports: [{ name: 'client', containerPort: 9092, protocol: 'TCP' }] }] } } },
    });
    for (const c of l.targets) {
      fleet.cluster(c).apply({
        apiVersion: 'v1', kind: 'Service', metadata: { name: `sts-${l.i}`, namespace: l.ns, annotations: { [ANNOTATION_TSM]: JSON.stringify(labels) } },
        spec: { clusterIP: 'None', ports: [{ name: 'client', port: 9092, protocol: 'TCP', targetPort: 'client' }] },
      });
    }
  }
  let writes = 0;
  let clientWrites = 0;
  for (const c of fleet.clusters) {
    c.store.subscribe((event) => {
      const labels = (event.object as Obj).metadata.labels;
      if (event.storage !== SE || labels?.['app.kubernetes.io/managed-by'] !== 'gns-sync.io') return;
      writes += 1;
      if (labels['gns-sync.io/routing'] === 'client') clientWrites += 1;
    });
  }
  const nodes = findResource('', 'v1', 'nodes')!;
  const cordon = (cluster: string, on: boolean): void => {
    for (const node of fleet.cluster(cluster).list('nodes')) fleet.cluster(cluster).registry.patch(nodes, undefined, node.metadata.name!, 'merge', { spec: { unschedulable: on ? true : null } });
  };

  const podIp = (l: (typeof layout)[number], pod: string): string | undefined => {
    const p = fleet.cluster(l.source).list('pods', l.ns).find((x) => x.metadata.name === pod && !x.metadata.deletionTimestamp) as Obj | undefined;
    return p?.status?.podIP;
  };
  const gatewayClusters = (l: (typeof layout)[number]) => CLUSTERS.filter((c) => c.network === networkOf(l.source)).map((c) => c.name);
  const gatewayEntries = (l: (typeof layout)[number], pod: string, c: string) =>
    [...fleet.cluster(c).store.bucket(SE).values()].filter((o) => o.metadata.labels?.['gns-sync.io/routing'] === 'gateway' && o.metadata.labels['gns-sync.io/gns'] === l.gns && o.metadata.labels['gns-sync.io/source-pod'] === pod);
  /** The pod's gateway entries in every gateway cluster of its network carry `ip`. */
  const routedAt = (l: (typeof layout)[number], pod: string, ip: string): boolean => gatewayClusters(l).every((c) => {
    const mine = gatewayEntries(l, pod, c);
    return mine.length === 1 && (mine[0] as Obj).spec?.endpoints?.[0]?.address === ip;
  });
  const until = async (what: string, done: () => boolean): Promise<void> => {
    for (const t0 = Date.now(); !done(); await sleep(20)) {
      if (Date.now() - t0 > 30_000) throw new Error(`${what} within 30 s`);
    }
  };

  const runtime = await startLocal({ config, kubeconfigYaml: fleet.kubeconfigYaml(), stateDir, log: () => undefined, reconcileIntervalMs: 0, control: false, quiet: true });
  const figures: Record<string, number> = {};
  try {
    const start = Date.now();
    for (;;) {
      await runtime.idle();
      const done = layout.every((l) => Array.from({ length: REPLICAS }, (_, r) => `sts-${l.i}-${r}`).every((pod) => { const ip = podIp(l, pod); return ip !== undefined && routedAt(l, pod, ip); }));
      if (done) break;
      if (Date.now() - start > 120_000) throw new Error('the routed bench world did not converge within 2 minutes');
      await sleep(100);
    }
    log(`${CLUSTERS.length} clusters on 2 networks, ${STS} StatefulSets × ${REPLICAS}: ${fleet.clusters.reduce((n, c) => n + c.store.bucket(SE).size, 0)} ServiceEntries after convergence`);

    await sleep(2_100); // past the syncs' gateway view cache, as a scheduled reconcile would be
    await runtime.idle();
    const idleBefore = writes;
    await runtime.reconcile();
    await runtime.idle();
    await runtime.idle();
    const idle = writes - idleBefore;

    /**
     * Restarts every pod once, one at a time, until its gateway entries carry its new IP; per
     * restart, the ServiceEntry writes per cluster holding its routing and the client-entry
     * writes. `stepped`: as a node drain does it — the node cordoned, so the new pod waits
     * without an IP until its gateway entries are withdrawn (the absence published), then
     * uncordoned.
     */
    const restartEach = async (stepped: boolean): Promise<{ perRestart: number[]; clients: number[] }> => {
      const perRestart: number[] = [];
      const clients: number[] = [];
      for (const l of layout) {
        const holders = gatewayClusters(l).length;
        for (let r = 0; r < REPLICAS; r++) {
          const pod = `sts-${l.i}-${r}`;
          const old = podIp(l, pod);
          await runtime.idle();
          const before = writes;
          const clientsBefore = clientWrites;
          if (stepped) cordon(l.source, true);
          await kube.delete(l.source, 'v1', 'Pod', l.ns, pod);
          if (stepped) {
            await until(`${pod}: its gateway entries were not withdrawn while it waited for an IP`, () => podIp(l, pod) === undefined && gatewayClusters(l).every((c) => gatewayEntries(l, pod, c).length === 0));
            await runtime.idle();
            cordon(l.source, false);
          }
          await until(`${pod}: its gateway entries did not follow its new IP`, () => { const ip = podIp(l, pod); return ip !== undefined && ip !== old && routedAt(l, pod, ip); });
          await runtime.idle();
          perRestart.push((writes - before) / holders);
          clients.push(clientWrites - clientsBefore);
        }
      }
      return { perRestart, clients };
    };
    const summary = (values: readonly number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { mean: values.reduce((a, b) => a + b, 0) / values.length, median: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) };
    };

    const foldedRun = await restartEach(false);
    const folded = summary(foldedRun.perRestart);
    log(`${foldedRun.perRestart.length} pod restarts: ServiceEntry writes per change per cluster holding its routing — mean ${folded.mean.toFixed(3)}, median ${folded.median}, p99 ${folded.p99}, max ${folded.max}; idle reconcile: ${idle} writes`);
    figures['e2e.routing_writes_per_change'] = folded.mean;
    figures['e2e.routing_writes_per_change_p99'] = folded.p99;
    figures['e2e.routing_idle_reconcile_writes'] = idle;

    const steppedRun = await restartEach(true);
    const stepped = summary(steppedRun.perRestart);
    const clientWritten = steppedRun.clients.reduce((a, b) => a + b, 0);
    log(`${steppedRun.perRestart.length} stepped restarts (absence published, then the new IP): ServiceEntry writes per restart per cluster holding its routing — mean ${stepped.mean.toFixed(3)}, median ${stepped.median}, max ${stepped.max} (2 = the gateway entry withdrawn with the old IP and created with the new: one per published change); client entries written: ${clientWritten}`);
    figures['e2e.routing_writes_per_stepped_restart'] = stepped.mean;
    figures['e2e.routing_client_writes_per_stepped_restart'] = clientWritten / steppedRun.clients.length;
  } finally {
    await runtime.stop();
    await fleet.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
  return figures;
}
