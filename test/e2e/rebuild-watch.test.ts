// Issue 10: the local rebuild, watched continuously. `gns-sync local` publishes the seed's Kafka
// with a VIP pool so small that several VIPs are not their identity's first choice; its
// DynamoDB data is deleted and it restarts — first without its agents, running the reconcile
// (as the cloud's schedule may before any snapshot), then with them. Every write of gns-sync's EndpointSlices in every
// simulated cluster is observed as it happens (a listener on the clusters' stores), and after
// each one every name published before the loss must still be there with the same address —
// not only at the end. Kafka scales from 5 to 6 replicas as the runtime comes back, so the
// rebuild writes slices (the new name) while the store is being rebuilt.
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { DEMO_CONFIG, TARGETS } from '../../local/demo/scenario.ts';
import { statePaths } from '../../local/runner/state-dir.ts';
import type { SimFleet } from '../../local/sim/index.ts';
import { vipCandidates } from '../../shared/core/vip-order.ts';
import { startWorld, type World } from './harness.ts';

let world: World | undefined;
let unwatch: (() => void)[] = [];
afterEach(async () => {
  for (const u of unwatch) u();
  unwatch = [];
  await world?.stop();
  world = undefined;
});

/** 6 usable addresses for 6 pods: first choices collide. */
const POOL = '241.0.0.0/29';
const REPLICAS = 5;

type Target = (typeof TARGETS)[number];

/** hostname → addresses of gns-sync's slices of a target, read from the simulated cluster's store. */
function names(fleet: SimFleet, t: Target): Map<string, string> {
  const out = new Map<string, string>();
  for (const slice of fleet.cluster(t.cluster).list('endpointslices', t.namespace, `kubernetes.io/service-name=${t.name},endpointslice.kubernetes.io/managed-by=gns-sync.io`)) {
    for (const e of (slice as { endpoints?: { hostname?: string; addresses: string[] }[] }).endpoints ?? []) out.set(e.hostname ?? '?', e.addresses.join(','));
  }
  return out;
}

it('delete the DynamoDB data and restart with a small VIP pool: no name is removed or moved at any slice write, and every VIP stays', async () => {
  world = await startWorld({ replicas: REPLICAS, config: { ...DEMO_CONFIG, vipPool: POOL } });
  const before = await world.converged(REPLICAS);
  const fleet = world.fleet;
  const baseline = new Map(TARGETS.map((t) => [t, names(fleet, t)] as const));
  const remote = [...baseline.values()].flatMap((m) => [...m.values()]).filter((a) => a.startsWith('241.0.0.'));
  expect(remote.length).toBeGreaterThanOrEqual(REPLICAS);
  // Some VIPs are not their identity's first choice: a rebuild that allocated afresh would move them.
  const notFirst = [...baseline].flatMap(([t, m]) => [...m].filter(([pod, address]) => address.startsWith('241.0.0.') &&
    vipCandidates({ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod }, POOL).next().value !== address).map(([pod]) => `${t.cluster}/${pod}`));
  expect(notFirst.length).toBeGreaterThan(0);

  const violations: string[] = [];
  let observed = 0;
  for (const cluster of fleet.clusters) {
    unwatch.push(cluster.store.subscribe((event) => {
      const labels = (event.object.metadata as { labels?: Record<string, string> } | undefined)?.labels;
      if (event.storage !== 'endpointslices.discovery.k8s.io' || labels?.['endpointslice.kubernetes.io/managed-by'] !== 'gns-sync.io') return;
      observed++;
      for (const [t, was] of baseline) {
        const now = names(fleet, t);
        for (const [hostname, address] of was) {
          const current = now.get(hostname);
          if (current !== address) violations.push(`${t.cluster}/${t.namespace}: ${hostname} ${address} → ${current ?? 'removed'} at ${event.type} ${event.object.metadata?.name ?? ''}`);
        }
      }
    }));
  }

  await world.runtime.stop();
  rmSync(statePaths(world.stateDir).dynamodb, { recursive: true, force: true });
  // The runtime comes back before its agents do, and the reconcile runs first (the cloud's shape:
  // the schedule fires before any snapshot); then the agents start, and Kafka scales up.
  const bare = await world.restart({ agents: false });
  await bare.reconcile();
  await bare.idle();
  expect(violations).toEqual([]);
  await world.restart();
  await world.kube.scale('clusterOne', 'ns-one', 'kafka', REPLICAS + 1);
  const after = await world.converged(REPLICAS + 1);
  await world.runtime.idle();
  expect(violations).toEqual([]);
  expect(observed).toBeGreaterThan(0);
  for (const [pod, vip] of before.vips) expect(after.vips.get(pod), pod).toBe(vip);
  for (const [t, was] of baseline) {
    const now = names(fleet, t);
    expect(now.size, `${t.cluster}/${t.namespace}`).toBe(REPLICAS + 1);
    for (const [hostname, address] of was) expect(now.get(hostname), `${t.cluster}/${t.namespace} ${hostname}`).toBe(address);
  }
  console.log(`rebuild watch: ${observed} slice writes observed during the rebuild, ${notFirst.length} VIPs not their first choice`);
});
