// @kubernetes/client-node informers against a simulated cluster: events in order, a dropped
// watch survived without a relist, a forced 410 answered by a relist, pods seen going Ready.
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../local/sim/index.ts';
import { startSimClusters } from '../../local/sim/index.ts';
import { until } from './helpers.ts';

describe('client-node informers', () => {
  let fleet: SimFleet;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;

  beforeAll(async () => {
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }], readyDelayMs: 20 });
    kc = new k8s.KubeConfig();
    kc.loadFromString(fleet.kubeconfigYaml());
    kc.setCurrentContext('clusterOne');
    core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'ns-a' } } });
  });
  afterAll(async () => fleet?.stop());

  function serviceInformer(): { informer: k8s.Informer<k8s.V1Service> & k8s.ObjectCache<k8s.V1Service>; log: string[]; lists: () => number; errors: unknown[] } {
    let lists = 0;
    const log: string[] = [];
    const errors: unknown[] = [];
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/ns-a/services', () => {
      lists++;
      return core.listNamespacedService({ namespace: 'ns-a' });
    });
    for (const verb of ['add', 'update', 'delete'] as const) {
      informer.on(verb, (obj: k8s.V1Service) => log.push(`${verb} ${obj.metadata?.name} ${obj.metadata?.labels?.v ?? ''}`.trim()));
    }
    informer.on('error', (e: unknown) => errors.push(e));
    return { informer, log, lists: () => lists, errors };
  }

  const svc = (name: string): k8s.V1Service => ({ metadata: { name, annotations: { 'gns-sync.io/endpoints.statefulset': '{"app":"kafka"}' } }, spec: { clusterIP: 'None' } });

  it('sees add, update and delete in order', async () => {
    const { informer, log, errors } = serviceInformer();
    await informer.start();
    await core.createNamespacedService({ namespace: 'ns-a', body: svc('a') });
    await core.createNamespacedService({ namespace: 'ns-a', body: svc('b') });
    await core.patchNamespacedService({ namespace: 'ns-a', name: 'a', body: { metadata: { labels: { v: '2' } } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedService({ namespace: 'ns-a', name: 'b' });
    await core.deleteNamespacedService({ namespace: 'ns-a', name: 'a' });
    await until('five events', () => (log.length >= 5 ? log : undefined));
    expect(log).toEqual(['add a', 'add b', 'update a 2', 'delete b', 'delete a 2']);
    expect(errors).toEqual([]);
    await informer.stop();
  });

  it('survives a dropped watch without relisting and misses nothing', async () => {
    const { informer, log, lists, errors } = serviceInformer();
    await informer.start();
    await core.createNamespacedService({ namespace: 'ns-a', body: svc('c') });
    await until('add c', () => (log.includes('add c') ? true : undefined));
    fleet.cluster('clusterOne').faults.dropWatches();
    // Written while no watch is open: the informer resumes from its resourceVersion and gets it.
    await core.createNamespacedService({ namespace: 'ns-a', body: svc('d') });
    await until('add d', () => (log.includes('add d') ? true : undefined), 10_000);
    expect(lists()).toBe(1);
    expect(errors).toEqual([]);
    await core.deleteNamespacedService({ namespace: 'ns-a', name: 'c' });
    await until('delete c', () => (log.includes('delete c') ? true : undefined), 10_000);
    await informer.stop();
    await core.deleteNamespacedService({ namespace: 'ns-a', name: 'd' });
  });

  it('relists after a forced 410 Gone, and keeps its cache right', async () => {
    const { informer, log, lists, errors } = serviceInformer();
    await informer.start();
    await core.createNamespacedService({ namespace: 'ns-a', body: svc('e') });
    await until('add e', () => (log.includes('add e') ? true : undefined));
    fleet.cluster('clusterOne').faults.forceGone();
    await until('a relist', () => (lists() >= 2 ? true : undefined), 10_000);
    await core.createNamespacedService({ namespace: 'ns-a', body: svc('f') });
    await until('add f', () => (log.includes('add f') ? true : undefined), 10_000);
    expect(informer.list('ns-a').map((s) => s.metadata?.name).sort()).toEqual(['e', 'f']);
    expect(errors).toEqual([]);
    await informer.stop();
  });

  it('sees a pod get its IP and turn Ready', async () => {
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/ns-a/pods', () => core.listNamespacedPod({ namespace: 'ns-a' }));
    const seen: { ip?: string; ready: boolean }[] = [];
    const record = (p: k8s.V1Pod): void => {
      seen.push({ ...(p.status?.podIP ? { ip: p.status.podIP } : {}), ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false });
    };
    informer.on('add', record);
    informer.on('update', record);
    await informer.start();
    await core.createNamespacedPod({ namespace: 'ns-a', body: { metadata: { name: 'web-0' }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } });
    await until('ready', () => (seen.some((s) => s.ready) ? true : undefined));
    expect(seen[0]).toEqual({ ready: false });
    const firstIp = seen.find((s) => s.ip)!;
    expect(firstIp.ip).toMatch(/^10\.1\.\d+\.\d+$/);
    expect(seen.at(-1)).toEqual({ ip: firstIp.ip, ready: true });
    await informer.stop();
  });
});
