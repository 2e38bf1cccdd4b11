// One unreachable cluster never delays the others, in a Lambda-shaped batch too (docs/design.md §8):
// over the simulated clusters (real HTTP, real client), with clusterTwo down, a sync batch that
// mixes a clusterTwo target and a clusterOne target pays the dead cluster's timeouts once; the
// next batches make no call to clusterTwo at all until its breaker's interval ends, then one
// probe closes it. Asserted on the calls clusterTwo received and the breaker state, not on time.
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { kubeConfigClusterApis } from '../../../shared/adapters/kubernetes/cluster-apis.ts';
import { ClusterUnavailableError } from '../../../shared/adapters/kubernetes/circuit-breaker.ts';
import { guardClusterApis } from '../../../shared/adapters/kubernetes/guarded-cluster-apis.ts';
import type { GuardedClusterApis } from '../../../shared/adapters/kubernetes/guarded-cluster-apis.ts';
import type { ClusterApis } from '../../../shared/ports.ts';
import { syncBatch } from '../../../functions/sync/batch.ts';
import type { SyncBatchDeps } from '../../../functions/sync/batch.ts';
import { encodeSyncMessage } from '../../../functions/sync/message.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import {
  FakeClock, FakeStatuses, FakeStore, FakeVips, T_LOCAL, T_REMOTE, kafkaPod, podUpsert, serviceUpsert, targetService, topology,
} from '../../unit/functions/fakes.ts';
import { createSimTarget } from './sim-targets.ts';

let fleet: SimFleet;
let kc: KubeConfig;
let apis: GuardedClusterApis;
let deps: SyncBatchDeps;
/** Calls that reached the Kubernetes adapter, per cluster (a dead sim cluster resets connections before any request is counted). */
const calls = new Map<string, number>();
const callsTo = (cluster: string): number => calls.get(cluster) ?? 0;

function counting(inner: ClusterApis): ClusterApis {
  return {
    async get(cluster) {
      const api = await inner.get(cluster);
      const c = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => {
        calls.set(cluster, callsTo(cluster) + 1);
        return f(...a);
      };
      return {
        listSlices: c(api.listSlices), listManagedSlices: c(api.listManagedSlices), createSlice: c(api.createSlice),
        updateSlice: c(api.updateSlice), deleteSlice: c(api.deleteSlice), recordEvent: c(api.recordEvent), inventory: api.inventory,
      };
    },
  };
}
const clock = new FakeClock();

function createTarget(cluster: string, namespace: string): string {
  return createSimTarget(fleet, cluster, namespace);
}

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], dns: false, events: false });
  kc = new KubeConfig();
  kc.loadFromString(fleet.kubeconfigYaml());
  // Short per-call timeouts keep the one slow failure short; the breaker is what the test is about.
  const inner = kubeConfigClusterApis(kc, new Map(), { policy: { timeoutMs: 300, attempts: 2, baseDelayMs: 10 } });
  apis = guardClusterApis(counting(inner), { clock: () => clock.now(), random: () => 0.5 });
  const store = new FakeStore();
  await store.put(
    podUpsert('clusterOne', 'ns-one', kafkaPod(0)),
    podUpsert('clusterOne', 'ns-one', kafkaPod(1)),
    serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { uid: createTarget('clusterOne', 'ns-two') })),
    serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-headless', { uid: createTarget('clusterTwo', 'ns-one') })),
  );
  deps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: apis, clock, memo: newSyncMemo() };
});
afterAll(async () => {
  await fleet?.stop();
});

const batch = (n: number) => [
  { messageId: `two-${n}`, body: encodeSyncMessage(T_REMOTE, `cause-${n}`) },
  { messageId: `one-${n}`, body: encodeSyncMessage(T_LOCAL, `cause-${n}`) },
];

describe('a batch mixing a dead cluster and a live one', () => {
  it('after the first failure, the dead cluster is not called until its breaker probes; the live target syncs in every batch', async () => {
    const two = fleet.cluster('clusterTwo');
    two.faults.down = true;
    try {
      const first = await syncBatch(deps, batch(1), clock.now());
      expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'two-1' }]);
      expect(first.outcomes.map((o) => o.target)).toEqual([T_LOCAL]);
      expect(apis.state('clusterTwo')).toMatchObject({ kind: 'open', failures: 1, until: clock.now() + 2_000 });
      expect(apis.state('clusterOne').kind).toBe('closed');

      const before = callsTo('clusterTwo');
      expect(before).toBe(1); // the first batch's one call (its retries inside the adapter) failed
      for (let n = 2; n <= 4; n++) {
        clock.ms += 500; // still inside the open interval
        const next = await syncBatch(deps, batch(n), clock.now());
        expect(next.batchItemFailures).toEqual([{ itemIdentifier: `two-${n}` }]);
        expect(next.failed).toEqual([expect.objectContaining({ target: T_REMOTE, error: expect.stringMatching(/^ClusterUnavailableError: cluster clusterTwo is unavailable/), retried: true })]);
        expect(next.outcomes.map((o) => o.action)).toEqual(['synced']);
      }
      expect(callsTo('clusterTwo')).toBe(before); // not one call reached the dead cluster

      clock.ms += 1_000; // the interval ended: one probe, which fails (still down) and doubles it
      await syncBatch(deps, batch(5), clock.now());
      expect(callsTo('clusterTwo')).toBe(before + 1); // exactly one probe
      expect(apis.state('clusterTwo')).toMatchObject({ kind: 'open', failures: 2, until: clock.now() + 4_000 });
    } finally {
      two.faults.down = false;
    }

    const api = await apis.get('clusterTwo');
    await expect(api.listSlices('ns-one', 'kafka-headless')).rejects.toBeInstanceOf(ClusterUnavailableError);
    clock.ms += 4_000; // back up: the probe closes the breaker and the target converges
    const healed = await syncBatch(deps, batch(6), clock.now());
    expect(healed.batchItemFailures).toEqual([]);
    expect(apis.state('clusterTwo').kind).toBe('closed');
    expect(fleet.cluster('clusterTwo').resolve('kafka-1.kafka-headless.ns-one.svc.cluster.local')).toHaveLength(1);
  });
});

describe('an unresponsive cluster (every call times out)', () => {
  it('the first call pays its attempts once; the probe costs one attempt, not the whole retry budget', async () => {
    const two = fleet.cluster('clusterTwo');
    let now = clock.now();
    const guarded = guardClusterApis(
      (stopRetrying) => kubeConfigClusterApis(kc, new Map(), { policy: { timeoutMs: 150, attempts: 3, baseDelayMs: 10 }, stopRetrying }),
      { clock: () => now, random: () => 0.5 },
    );
    const api = await guarded.get('clusterTwo');
    two.faults.latencyMs = 1_000; // answers after every timeout: each attempt reaches the server and times out
    try {
      let requests = two.counters.requests;
      await expect(api.listSlices('ns-one', 'kafka-headless')).rejects.toThrow(/timed out after 3 attempt\(s\)/);
      expect(two.counters.requests - requests).toBe(3); // closed: the adapter's retries as before
      expect(guarded.state('clusterTwo')).toMatchObject({ kind: 'open', failures: 1 });

      now += 2_000;
      requests = two.counters.requests;
      await expect(api.listSlices('ns-one', 'kafka-headless')).rejects.toThrow(/timed out after 1 attempt\(s\)/);
      expect(two.counters.requests - requests).toBe(1); // the probe: one attempt
      expect(guarded.state('clusterTwo')).toMatchObject({ kind: 'open', failures: 2 });
    } finally {
      two.faults.latencyMs = 0;
    }
  });
});
