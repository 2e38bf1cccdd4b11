// Graceful deletion as Kubernetes v1.33 does it (pkg/registry/core/pod/strategy.go
// CheckGracefulDelete; apiserver registry/rest/delete.go BeforeDelete; the namespace controller;
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination and
// https://kubernetes.io/docs/concepts/architecture/garbage-collection/): a deleted pod is first
// marked (deletionTimestamp = now + grace, deletionGracePeriodSeconds), not ready, then removed by
// the kubelet; `--grace-period=0 --force` removes it at once; a namespace with finalized content
// stays Terminating; foreground deletion gives the owner the foregroundDeletion finalizer first.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../local/sim/index.ts';
import { planDeletion, podGraceSeconds } from '../../local/sim/api/deletion.ts';
import { findResource } from '../../local/sim/api/resources.ts';
import type { SimEnv } from './helpers.ts';
import { hasKubectl, http, startEnv, until } from './helpers.ts';

const PODS = findResource('', 'v1', 'pods')!;
const labels = { app: 'kafka' };
const pod = (name: string, grace?: number): unknown => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns-one', labels },
  spec: { ...(grace !== undefined ? { terminationGracePeriodSeconds: grace } : {}), containers: [{ name: 'c', image: 'kafka:3' }] },
});
const sts = (grace: number): unknown => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'kafka', namespace: 'ns-one' },
  spec: { replicas: 2, podManagementPolicy: 'Parallel', serviceName: 'kafka-headless', selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: grace, containers: [{ name: 'kafka', image: 'kafka:3' }] } } },
});
const isReady = (p: KubeObject): boolean => ((p.status as { conditions?: { type: string; status: string }[] }).conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

describe('graceful deletion', () => {
  let env: SimEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  async function start(containerStopMs?: number): Promise<SimEnv> {
    env = await startEnv(containerStopMs === undefined ? { containerStopMs: Number.POSITIVE_INFINITY } : { containerStopMs });
    env.fleet.cluster('clusterOne').apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns-one' } });
    return env;
  }

  async function running(e: SimEnv, name: string): Promise<KubeObject> {
    const c = e.fleet.cluster('clusterOne');
    return until(`${name} ready`, () => {
      const p = c.get(`/api/v1/namespaces/ns-one/pods/${name}`);
      return p && isReady(p) ? p : undefined;
    });
  }

  it('marks a running pod Terminating for its terminationGracePeriodSeconds (not ready), then the kubelet removes it', async () => {
    const e = await start();
    const c = e.fleet.cluster('clusterOne');
    c.apply(pod('p', 2));
    await running(e, 'p');
    const before = Date.now();
    const res = await http(c.url, 'DELETE', '/api/v1/namespaces/ns-one/pods/p');
    const after = Date.now();
    expect(res.status).toBe(200);
    const marked = res.body as KubeObject;
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(2);
    // now + grace, in whole seconds (metav1.Time), with "now" between before and after.
    const at = Date.parse(marked.metadata.deletionTimestamp ?? '');
    expect(at).toBeGreaterThanOrEqual(Math.floor((before + 2000) / 1000) * 1000);
    expect(at).toBeLessThanOrEqual(after + 2000);
    const terminating = await until('not ready', () => {
      const p = c.get('/api/v1/namespaces/ns-one/pods/p');
      return p && !isReady(p) ? p : undefined;
    });
    expect(terminating.metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);
    // A second delete without a shorter grace changes nothing.
    expect(((await http(c.url, 'DELETE', '/api/v1/namespaces/ns-one/pods/p')).body as KubeObject).metadata.resourceVersion).toBe(terminating.metadata.resourceVersion);
    const phases: string[] = [];
    c.store.subscribe((ev) => {
      if (ev.storage === 'pods') phases.push(`${ev.type} ${(ev.object.status as { phase?: string }).phase}`);
    });
    await until('gone', () => (c.get('/api/v1/namespaces/ns-one/pods/p') === undefined ? true : undefined), 6000);
    expect(Date.now() - before).toBeGreaterThanOrEqual(1000);
    // The kubelet records the terminal phase (containers killed at the end of the grace), then deletes.
    expect(phases).toEqual(['MODIFIED Failed', 'MODIFIED Failed', 'DELETED Failed']);
  });

  it('defaults the grace to 30 s; a pod whose containers exit on SIGTERM goes as soon as they have, Succeeded', async () => {
    const e = await start(100);
    const c = e.fleet.cluster('clusterOne');
    c.apply(pod('p'));
    await running(e, 'p');
    const marked = (await http(c.url, 'DELETE', '/api/v1/namespaces/ns-one/pods/p')).body as KubeObject;
    expect(marked.metadata.deletionGracePeriodSeconds).toBe(30);
    let last: KubeObject | undefined;
    c.store.subscribe((ev) => {
      if (ev.storage === 'pods' && ev.type === 'DELETED') last = ev.object;
    });
    await until('gone', () => last);
    expect((last!.status as { phase: string }).phase).toBe('Succeeded');
  });

  it('a shorter grace on a second delete moves the deletion earlier; grace 0 removes at once', async () => {
    const e = await start();
    const c = e.fleet.cluster('clusterOne');
    c.apply(pod('p', 60));
    await running(e, 'p');
    const first = (await http(c.url, 'DELETE', '/api/v1/namespaces/ns-one/pods/p')).body as KubeObject;
    const second = (await http(c.url, 'DELETE', '/api/v1/namespaces/ns-one/pods/p', { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 10 })).body as KubeObject;
    expect(second.metadata.deletionGracePeriodSeconds).toBe(10);
    expect(Date.parse(first.metadata.deletionTimestamp!) - Date.parse(second.metadata.deletionTimestamp!)).toBe(50_000);
    expect((await http(c.url, 'DELETE', '/api/v1/namespaces/ns-one/pods/p?gracePeriodSeconds=0')).status).toBe(200);
    expect(c.get('/api/v1/namespaces/ns-one/pods/p')).toBeUndefined();
  });

  it.skipIf(!hasKubectl)('kubectl delete --grace-period=0 --force deletes at once; a StatefulSet pod comes back only once the old one is gone', async () => {
    const e = await start();
    const c = e.fleet.cluster('clusterOne');
    c.apply(sts(30));
    const old = await running(e, 'kafka-1');
    const r = await e.kubectl(['-n', 'ns-one', 'delete', 'pod', 'kafka-1', '--grace-period=0', '--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Immediate deletion does not wait for confirmation');
    const back = await running(e, 'kafka-1');
    expect(back.metadata.uid).not.toBe(old.metadata.uid);
    // Graceful (30 s): the controller waits; the pod stays Terminating with its old uid.
    await e.k(['-n', 'ns-one', 'delete', 'pod', 'kafka-0', '--wait=false']);
    await new Promise((res) => setTimeout(res, 300));
    const still = c.get('/api/v1/namespaces/ns-one/pods/kafka-0')!;
    expect(still.metadata.deletionTimestamp).toBeDefined();
    expect(await e.k(['-n', 'ns-one', 'get', 'pod', 'kafka-0'])).toContain('Terminating');
  });

  it.skipIf(!hasKubectl)('foreground: the owner gets the foregroundDeletion finalizer and goes after its dependents; orphan keeps them', async () => {
    const e = await start(300);
    const c = e.fleet.cluster('clusterOne');
    c.apply(sts(30));
    await running(e, 'kafka-0');
    await running(e, 'kafka-1');
    await e.k(['-n', 'ns-one', 'delete', 'statefulset', 'kafka', '--cascade=foreground', '--wait=false']);
    const owner = c.get('/apis/apps/v1/namespaces/ns-one/statefulsets/kafka')!;
    expect(owner.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(owner.metadata.deletionTimestamp).toBeDefined();
    await until('pods terminating', () => (c.list('pods', 'ns-one').every((p) => p.metadata.deletionTimestamp) ? true : undefined));
    expect(c.get('/apis/apps/v1/namespaces/ns-one/statefulsets/kafka')).toBeDefined();
    await until('owner gone', () => (c.get('/apis/apps/v1/namespaces/ns-one/statefulsets/kafka') === undefined ? true : undefined));
    expect(c.list('pods', 'ns-one')).toEqual([]);

    c.apply(sts(30));
    await running(e, 'kafka-0');
    await e.k(['-n', 'ns-one', 'delete', 'statefulset', 'kafka', '--cascade=orphan']);
    await until('sts gone', () => (c.get('/apis/apps/v1/namespaces/ns-one/statefulsets/kafka') === undefined ? true : undefined));
    const orphans = await until('orphaned', () => {
      const ps = c.list('pods', 'ns-one');
      return ps.length === 2 && ps.every((p) => p.metadata.ownerReferences === undefined) ? ps : undefined;
    });
    expect(orphans.every((p) => !p.metadata.deletionTimestamp)).toBe(true);
  });

  it('a namespace with finalized content stays Terminating, saying what remains, until the finalizer is removed', async () => {
    const e = await start(100);
    const c = e.fleet.cluster('clusterOne');
    c.apply({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', namespace: 'ns-one', finalizers: ['example.com/hold'] }, data: {} });
    c.apply(pod('p', 30));
    await running(e, 'p');
    expect((await http(c.url, 'DELETE', '/api/v1/namespaces/ns-one')).status).toBe(200);
    const ns = await until('conditions', () => {
      const n = c.get('/api/v1/namespaces/ns-one');
      const conds = (n?.status as { conditions?: { type: string; status: string; message: string }[] } | undefined)?.conditions;
      const content = conds?.find((x) => x.type === 'NamespaceContentRemaining')?.message;
      return conds?.find((x) => x.type === 'NamespaceFinalizersRemaining' && x.status === 'True') && content && !content.includes('pods') ? n : undefined;
    });
    expect((ns.status as { phase: string }).phase).toBe('Terminating');
    const conds = (ns.status as { conditions: { type: string; message: string }[] }).conditions;
    expect(conds.find((x) => x.type === 'NamespaceContentRemaining')!.message).toBe('Some resources are remaining: configmaps. has 1 resource instances');
    expect(conds.find((x) => x.type === 'NamespaceFinalizersRemaining')!.message).toBe('Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    // Deleting it again while the system empties it: 409, as the namespace registry answers.
    expect((await http(c.url, 'DELETE', '/api/v1/namespaces/ns-one')).status).toBe(409);
    await new Promise((res) => setTimeout(res, 200));
    expect(c.get('/api/v1/namespaces/ns-one')).toBeDefined();
    expect((await http(c.url, 'PATCH', '/api/v1/namespaces/ns-one/configmaps/held', { metadata: { finalizers: null } }, 'application/merge-patch+json')).status).toBe(200);
    await until('namespace gone', () => (c.get('/api/v1/namespaces/ns-one') === undefined ? true : undefined));
  });
});

describe('the deletion plan (pure)', () => {
  const base = (spec: Record<string, unknown>, status: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', uid: 'u', generation: 1 }, spec, status });

  it('an unscheduled or terminal pod is deleted at once; a negative grace becomes 1', () => {
    expect(podGraceSeconds(base({ terminationGracePeriodSeconds: 30 }), undefined)).toBe(0);
    expect(podGraceSeconds(base({ nodeName: 'n', terminationGracePeriodSeconds: 30 }, { phase: 'Failed' }), undefined)).toBe(0);
    expect(podGraceSeconds(base({ nodeName: 'n', terminationGracePeriodSeconds: 30 }), -5)).toBe(1);
    expect(planDeletion(PODS, base({ terminationGracePeriodSeconds: 30 }), {}, 0)).toEqual({ action: 'remove' });
  });

  it('the first graceful deletion bumps metadata.generation; Background removes a GC finalizer, Orphan adds one', () => {
    const step = planDeletion(PODS, base({ nodeName: 'n', terminationGracePeriodSeconds: 5 }), {}, Date.parse('2026-01-01T00:00:00Z'));
    expect(step).toMatchObject({ action: 'write', object: { metadata: { generation: 2, deletionGracePeriodSeconds: 5, deletionTimestamp: '2026-01-01T00:00:05Z' } } });
    const held = { ...base({}), metadata: { ...base({}).metadata, deletionTimestamp: '2026-01-01T00:00:00Z', deletionGracePeriodSeconds: 0, finalizers: ['orphan'] } };
    expect(planDeletion(PODS, held, { propagationPolicy: 'Background' }, 0)).toEqual({ action: 'remove' });
    const cm = findResource('', 'v1', 'configmaps')!;
    expect(planDeletion(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', uid: 'u' } }, { propagationPolicy: 'Orphan' }, 0)).toMatchObject({ action: 'write', object: { metadata: { finalizers: ['orphan'], deletionGracePeriodSeconds: 0 } } });
  });
});
