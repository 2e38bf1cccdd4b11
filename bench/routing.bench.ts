// routing: istio — Istio objects written per pod change (docs/adr/0013-routing-through-istio.md),
// counted through the real use cases (the target syncs, the gateway-entry writer, a sync batch
// each time) over in-memory stores and clusters: 3 clusters on 2 networks, 3 StatefulSets × 5
// replicas, each published to a same-network and a remote target. Every pod is restarted (new
// IP) one at a time, then each affected target and writer runs; every ServiceEntry write is
// counted and divided by the clusters holding that pod's routing (its gateway entries' config
// clusters). Also: writes of an idle resync of everything (expected 0). Counts, not times: the
// simulated clusters do not serve Istio's CRDs yet, so this is not the e2e bench's wall clock.
import { syncBatch } from '../functions/sync/batch.ts';
import { encodeRoutingMessage, encodeSyncMessage } from '../functions/sync/message.ts';
import { newSyncMemo } from '../functions/sync/memo.ts';
import { indexTopology } from '../functions/topology.ts';
import type { RoutingKey } from '../shared/core/routing/types.ts';
import type { TargetRef } from '../shared/core/types.ts';
import type { Topology } from '../shared/ports.ts';
import { FakeRoutingApis, eastWestGateway } from '../test/unit/functions/fake-routing.ts';
import { FakeClock, FakeClusters, FakeStatuses, FakeStore, FakeVips, kafkaPod, podDelete, podUpsert, serviceUpsert, targetService } from '../test/unit/functions/fakes.ts';

const CLUSTERS = [{ name: 'west-a', network: 'west' }, { name: 'west-b', network: 'west' }, { name: 'east', network: 'east' }];
const STS = 3;
const REPLICAS = 5;

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const layout = Array.from({ length: STS }, (_, i) => {
    const source = CLUSTERS[i % CLUSTERS.length]!.name;
    const same = CLUSTERS.find((c) => c.name !== source && c.network === CLUSTERS.find((x) => x.name === source)!.network)?.name;
    const far = CLUSTERS.find((c) => c.network !== CLUSTERS.find((x) => x.name === source)!.network)!.name;
    return { gns: `gns-${i}`, ns: `app-${i}`, source, targets: [same, far].filter((t): t is string => t !== undefined) };
  });
  const topology: Topology = {
    clusters: CLUSTERS,
    globalNamespaces: layout.map((l) => ({ name: l.gns, members: [l.source, ...l.targets].map((cluster) => ({ cluster, namespace: l.ns })) })),
    vipPool: '241.0.0.0/16',
    vipReleaseAfterMs: 3_600_000,
    routing: 'istio',
  };
  const store = new FakeStore();
  const routing = new FakeRoutingApis(CLUSTERS.map((c) => c.name));
  for (const c of CLUSTERS) routing.cluster(c.name).services = [eastWestGateway(c.network)];
  const clock = new FakeClock();
  const routed: RoutingKey[] = [];
  const queue = { enqueue: async () => undefined, enqueueRouting: async (keys: readonly RoutingKey[]) => void routed.push(...keys) };
  const deps = { topology: indexTopology(topology), store, vips: new FakeVips('241.0.0.1'), statuses: new FakeStatuses(), clusters: new FakeClusters(CLUSTERS.map((c) => c.name)), clock, memo: newSyncMemo(), routing: { apis: routing }, queue };
  let ip = 0;
  for (const l of layout) {
    for (let r = 0; r < REPLICAS; r++) await store.put(podUpsert(l.source, l.ns, { ...kafkaPod(r, { ips: [`10.9.${ip >> 8}.${ip++ & 255}`] }), uid: `${l.gns}-${r}` }));
    for (const t of l.targets) await store.put(serviceUpsert(t, l.ns, targetService()));
  }
  const targets = (l: (typeof layout)[number]): TargetRef[] => l.targets.map((cluster) => ({ gns: l.gns, cluster, namespace: l.ns, name: 'kafka-headless' }));
  let seq = 0;
  async function round(ts: readonly TargetRef[]): Promise<void> {
    routed.length = 0;
    await syncBatch(deps, ts.map((t) => ({ messageId: `m${++seq}`, body: encodeSyncMessage(t, `c${seq}`) })), clock.now());
    const keys = [...new Map(routed.map((k) => [`${k.gns}/${k.cluster}`, k])).values()];
    await syncBatch(deps, keys.map((k) => ({ messageId: `m${++seq}`, body: encodeRoutingMessage(k, `c${seq}`) })), clock.now());
  }
  await round(layout.flatMap(targets));
  const entries = [...routing.clusters.values()].reduce((n, c) => n + c.entries.size, 0);
  log(`${CLUSTERS.length} clusters, 2 networks, ${STS} StatefulSets × ${REPLICAS}: ${entries} ServiceEntries after convergence`);

  routing.clearWrites();
  await round(layout.flatMap(targets));
  const idle = routing.writes().length;

  let changes = 0;
  let perCluster = 0;
  const perChange: number[] = [];
  for (const l of layout) {
    const holders = new Set(CLUSTERS.filter((c) => c.network === CLUSTERS.find((x) => x.name === l.source)!.network).map((c) => c.name)).size;
    for (let r = 0; r < REPLICAS; r++) {
      routing.clearWrites();
      await store.put(podDelete(l.source, l.ns, `kafka-${r}`, `${l.gns}-${r}`));
      await store.put(podUpsert(l.source, l.ns, { ...kafkaPod(r, { ips: [`10.8.${ip >> 8}.${ip++ & 255}`] }), uid: `${l.gns}-${r}-new` }));
      await round(targets(l));
      const writes = routing.writes().length;
      perChange.push(writes / holders);
      perCluster += writes / holders;
      changes++;
    }
  }
  perChange.sort((a, b) => a - b);
  log(`${changes} pod restarts: Istio objects written per change per cluster holding its routing — median ${perChange[Math.floor(changes / 2)]}, max ${perChange.at(-1)}`);
  return {
    'routing.writes_per_pod_change_per_cluster': perCluster / changes,
    'routing.writes_per_pod_change_per_cluster_max': perChange.at(-1) ?? 0,
    'routing.idle_resync_writes': idle,
  };
}
