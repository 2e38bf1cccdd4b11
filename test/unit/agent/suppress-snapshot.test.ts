import { describe, expect, it } from 'vitest';
import { projectPod, projectService } from '../../../agent/project.ts';
import { buildSnapshot, projectionsOf } from '../../../agent/snapshot.ts';
import { Ledger } from '../../../agent/suppress.ts';
import type { Projection } from '../../../agent/suppress.ts';
import { NamespaceSnapshotV2 } from '../../../shared/schemas/events.ts';
import { pod, service } from './fakes.ts';

const versions = (): (() => string) => {
  let n = 0;
  return () => `001764366000000.${String(++n).padStart(6, '0')}`;
};
const podProjection = (p: Parameters<typeof projectPod>[0]): Projection => ({ kind: 'pod', record: projectPod(p) });

describe('Ledger (suppression)', () => {
  it('reports a change only when the projection changes', () => {
    const ledger = new Ledger();
    const v = versions();
    expect(ledger.observe(podProjection(pod('kafka-0', { ip: '10.0.0.1' })), v)).toBe(true);
    // An annotation or status change unrelated to gns-sync projects to the same record.
    const noisy = pod('kafka-0', { ip: '10.0.0.1', annotations: { 'unrelated/annotation': 'changed' } });
    noisy.status!.phase = 'Pending';
    expect(ledger.observe(podProjection(noisy), v)).toBe(false);
    expect(ledger.get('pod/kafka-0')?.v).toBe('001764366000000.000001');
    expect(ledger.observe(podProjection(pod('kafka-0', { ip: '10.0.0.2' })), v)).toBe(true);
    expect(ledger.get('pod/kafka-0')?.v).toBe('001764366000000.000002');
  });

  it('compares canonical JSON: key order does not matter', () => {
    const ledger = new Ledger();
    const a = pod('p', { labels: { a: '1', b: '2' } });
    const b = pod('p', { labels: { b: '2', a: '1' } });
    ledger.observe(podProjection(a), versions());
    expect(ledger.observe(podProjection(b), versions())).toBe(false);
  });

  it('a standby records projections without versions; stampMissing and clearVersions', () => {
    const ledger = new Ledger();
    ledger.observe(podProjection(pod('a')), () => undefined);
    expect(ledger.get('pod/a')?.v).toBeUndefined();
    ledger.stampMissing('001764366000009.000000');
    expect(ledger.get('pod/a')?.v).toBe('001764366000009.000000');
    ledger.clearVersions();
    expect(ledger.get('pod/a')?.v).toBeUndefined();
  });

  it('reconcile makes the ledger equal to the caches', () => {
    const ledger = new Ledger();
    const v = versions();
    ledger.observe(podProjection(pod('gone')), v);
    ledger.observe(podProjection(pod('same')), v);
    const sameV = ledger.get('pod/same')?.v;
    const changed = ledger.reconcile(projectionsOf([pod('same'), pod('new')], [service('svc'), service('plain', { annotated: false })]), v);
    expect(changed).toBe(true);
    expect([...ledger.entries()].map(([k]) => k).sort()).toEqual(['pod/new', 'pod/same', 'service/svc']);
    expect(ledger.get('pod/same')?.v).toBe(sameV);
    expect(ledger.reconcile(projectionsOf([pod('same'), pod('new')], [service('svc')]), v)).toBe(false);
  });
});

describe('buildSnapshot', () => {
  it('lists every key and each record with its own last-change version, valid per the contract', () => {
    const ledger = new Ledger();
    const v = versions();
    ledger.observe(podProjection(pod('kafka-1')), v);
    ledger.observe(podProjection(pod('kafka-0')), v);
    ledger.observe({ kind: 'service', record: projectService(service('kafka-headless'))! }, v);
    const snap = buildSnapshot({ cluster: 'clusterOne', namespace: 'ns-one', observedAt: 1764366000001 }, '001764366000001.000000', ledger);
    expect(NamespaceSnapshotV2.safeParse(snap).success).toBe(true);
    expect(snap.keys).toEqual(['pod/kafka-0', 'pod/kafka-1', 'service/kafka-headless']);
    expect(snap.pods.map((p) => [p.record.name, p.v])).toEqual([
      ['kafka-0', '001764366000000.000002'],
      ['kafka-1', '001764366000000.000001'],
    ]);
    expect(snap.services[0]?.v).toBe('001764366000000.000003');
    expect(snap).toMatchObject({ cluster: 'clusterOne', namespace: 'ns-one', v: '001764366000001.000000', part: 1, parts: 1 });
  });

  it('stamps records never published with the snapshot version, and keeps it for later snapshots', () => {
    const ledger = new Ledger();
    ledger.observe(podProjection(pod('a')), () => undefined);
    const first = buildSnapshot({ cluster: 'c', namespace: 'n', observedAt: 1764366000000 }, '001764366000005.000000', ledger);
    expect(first.pods[0]?.v).toBe('001764366000005.000000');
    const second = buildSnapshot({ cluster: 'c', namespace: 'n', observedAt: 1764366000000 }, '001764366000009.000000', ledger);
    expect(second.pods[0]?.v).toBe('001764366000005.000000');
  });

  it('an empty namespace gives an empty snapshot (everything stored becomes invisible)', () => {
    const snap = buildSnapshot({ cluster: 'c', namespace: 'n', observedAt: 1764366000000 }, '001764366000005.000000', new Ledger());
    expect(snap).toMatchObject({ keys: [], pods: [], services: [] });
  });
});
