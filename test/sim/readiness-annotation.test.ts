// A user of the demo makes a pod not-ready with kubectl alone: the simulated kubelet reads the
// annotation `sim.gns-sync.io/ready: "false"` (a real kubelet would fail a readiness probe;
// the sim has none). Removing it, or any other value, makes the pod Ready again.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject, SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { findResource } from '../../local/sim/api/resources.ts';
import { SIM_READY_ANNOTATION } from '../../local/sim/controllers/kubelet.ts';
import { until } from './helpers.ts';

const PODS = findResource('', 'v1', 'pods')!;
const labels = { app: 'kafka' };
const sts = {
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'kafka', namespace: 'ns-one' },
  spec: { replicas: 2, podManagementPolicy: 'Parallel', serviceName: 'kafka-headless', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'kafka', image: 'kafka:3' }] } } },
};
const readyOf = (p: KubeObject | undefined): boolean | undefined =>
  p === undefined ? undefined : ((p.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

describe('sim kubelet: readiness by annotation', () => {
  let fleet: SimFleet | undefined;
  afterEach(async () => {
    await fleet?.stop();
    fleet = undefined;
  });

  it(`${SIM_READY_ANNOTATION}=false turns a Ready pod not-ready (the others stay Ready); removing it turns it Ready again`, async () => {
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], readyDelayMs: 10 });
    const c = fleet.cluster('clusterOne');
    c.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
    c.apply(sts);
    const pod = (name: string) => c.get(`/api/v1/namespaces/ns-one/pods/${name}`);
    await until('2 ready', () => (readyOf(pod('kafka-0')) && readyOf(pod('kafka-1')) ? true : undefined));

    // As `kubectl annotate pod kafka-0 sim.gns-sync.io/ready=false` does: a merge patch of metadata.
    c.registry.patch(PODS, 'ns-one', 'kafka-0', 'merge', { metadata: { annotations: { [SIM_READY_ANNOTATION]: 'false' } } });
    await until('kafka-0 not ready', () => (readyOf(pod('kafka-0')) === false ? true : undefined));
    expect(readyOf(pod('kafka-1'))).toBe(true);
    expect((pod('kafka-0')!.status as { phase?: string }).phase).toBe('Running');

    // `kubectl annotate pod kafka-0 sim.gns-sync.io/ready-`
    c.registry.patch(PODS, 'ns-one', 'kafka-0', 'merge', { metadata: { annotations: { [SIM_READY_ANNOTATION]: null } } });
    await until('kafka-0 ready again', () => (readyOf(pod('kafka-0')) === true ? true : undefined));
  });
});
