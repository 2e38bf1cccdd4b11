// The agent against a simulated cluster says whether a deleted StatefulSet pod returns, reading
// the StatefulSet over the API as in a real cluster (agent/returning.ts, docs/adr/0019): a pod
// deleted by hand (a restart) returns; one removed by a scale-down does not; neither does one
// whose StatefulSet is deleted.
import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent } from '../../../agent/agent.ts';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { kafkaStatefulSet } from '../../../local/demo/scenario.ts';
import type { PodDelete } from '../../../shared/schemas/events.ts';
import { RecordingBus, quietLogger, until } from '../../unit/agent/fakes.ts';

let fleet: SimFleet;
let kubeConfig: KubeConfig;

beforeAll(async () => {
  fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], readyDelayMs: 5, events: false, containerStopMs: 20 });
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(fleet.kubeconfigYaml('clusterOne'));
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'ns-one' } } });
});

afterAll(async () => {
  await fleet?.stop();
});

describe('agent on a simulated cluster: returning deletions', () => {
  it('kubectl delete pod → returning; scale down → not; the StatefulSet deleted → not', async () => {
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const apps = kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedStatefulSet({ namespace: 'ns-one', body: kafkaStatefulSet('ns-one', 3) as never });
    const bus = new RecordingBus();
    const agent = await startAgent({ cluster: 'clusterOne', namespaces: ['ns-one'], kubeConfig, bus, logger: quietLogger(), snapshotIntervalMs: 0 });
    try {
      await agent.ready();
      const ready = (name: string) => bus.visible('ns-one').pods.includes(name) && (bus.state('ns-one').entries.get(`pod/${name}`)?.record as { ready?: boolean } | undefined)?.ready === true;
      await until(() => ready('kafka-0') && ready('kafka-1') && ready('kafka-2'), 20);
      const deletes = () => bus.events().filter((e) => e.type === 'gns-sync.pod.delete.v2').map((e) => e.detail as PodDelete);

      await core.deleteNamespacedPod({ namespace: 'ns-one', name: 'kafka-1' });
      await until(() => deletes().some((d) => d.name === 'kafka-1'), 20);
      await apps.patchNamespacedStatefulSetScale({ namespace: 'ns-one', name: 'kafka', body: [{ op: 'replace', path: '/spec/replicas', value: 2 }] });
      await until(() => deletes().some((d) => d.name === 'kafka-2'), 20);
      await until(() => ready('kafka-1'), 20);
      await apps.deleteNamespacedStatefulSet({ namespace: 'ns-one', name: 'kafka' });
      await until(() => deletes().some((d) => d.name === 'kafka-0') && deletes().filter((d) => d.name === 'kafka-1').length === 2, 20);
      await agent.idle();

      const flag = (name: string) => deletes().filter((d) => d.name === name).map((d) => d.returning === true);
      // kafka-1: restarted by hand (returns), later removed with its StatefulSet (does not).
      expect(flag('kafka-1')).toEqual([true, false]);
      expect(flag('kafka-2')).toEqual([false]);
      expect(flag('kafka-0')).toEqual([false]);
    } finally {
      await agent.stop();
    }
  });
});
