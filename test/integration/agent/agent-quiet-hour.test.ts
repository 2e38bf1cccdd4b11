// An hour of quiet in one namespace while the rest of the cluster is busy, at 1:600 scale
// (6 s): watches end after a random 30–60 min (kube-apiserver's --min-request-timeout, here
// 3–6 s), client-node resumes them from its last resourceVersion, which the busy cluster has
// pushed out of the watch history (75 s, here 125 ms), so it gets 410 Gone and relists. Every
// relist finds what the agent already published: the agent publishes nothing for it (with the
// periodic snapshot off, only the first snapshot), and counts it (docs/adr/0006).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../../agent/agent.ts';
import { AgentMetrics } from '../../../agent/metrics.ts';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { DETAIL_TYPES } from '../../../shared/schemas/events.ts';
import { RecordingBus, SELECTOR, quietLogger, until } from '../../unit/agent/fakes.ts';

const SCALE = 600;
let fleet: SimFleet;
let core: CoreV1Api;
let kubeConfig: KubeConfig;

beforeAll(async () => {
  fleet = await startSimClusters({
    clusters: [{ name: 'clusterOne' }], readyDelayMs: 5, events: false,
    watchHistoryMs: 75_000 / SCALE, minRequestTimeoutMs: 1_800_000 / SCALE,
  });
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(fleet.kubeconfigYaml('clusterOne'));
  core = kubeConfig.makeApiClient(CoreV1Api);
  for (const name of ['quiet', 'busy']) await core.createNamespace({ body: { metadata: { name } } });
});
afterAll(async () => fleet?.stop());

describe('an agent on a quiet namespace for a (scaled) hour', () => {
  it('publishes its first snapshot and nothing for the relists that follow', async () => {
    const sim = fleet.cluster('clusterOne');
    sim.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kafka-headless', namespace: 'quiet', annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': SELECTOR } }, spec: { clusterIP: 'None', ports: [{ port: 9092 }] } });
    sim.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kafka-0', namespace: 'quiet', labels: { app: 'kafka' } }, spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'kafka', image: 'kafka', ports: [{ name: 'tcp-client', containerPort: 9092 }] }] } });
    await until(() => (sim.get('/api/v1/namespaces/quiet/pods/kafka-0')?.status as { conditions?: { type: string; status: string }[] }).conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
    const bus = new RecordingBus();
    const agent = await startAgent({ cluster: 'clusterOne', namespaces: ['quiet'], kubeConfig, bus, logger: quietLogger(), snapshotIntervalMs: 0, watchBackoff: { baseMs: 20, maxMs: 200 } });
    let n = 0;
    const churn = setInterval(() => {
      n += 1;
      sim.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c-${n % 5}`, namespace: 'busy' }, data: { n: String(n) } });
    }, 20);
    try {
      await agent.ready();
      await agent.idle();
      expect(bus.types()).toEqual([DETAIL_TYPES.snapshot]);
      const hourMs = 3_600_000 / SCALE;
      await new Promise((r) => setTimeout(r, hourMs));
      // Both informers' watches ended at least once in [30, 60) scaled minutes and relisted.
      await until(async () => (await AgentMetrics.value(agent.metrics.snapshotsUnchanged)) >= 2);
      await agent.idle();
      expect(bus.types()).toEqual([DETAIL_TYPES.snapshot]);
      expect(await AgentMetrics.value(agent.metrics.snapshots)).toBe(1);
    } finally {
      clearInterval(churn);
      await agent.stop();
    }
  });
});
