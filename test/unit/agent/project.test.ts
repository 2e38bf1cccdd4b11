import { describe, expect, it } from 'vitest';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { projectPod, projectService } from '../../../agent/project.ts';
import { PodRecordSchemaV2, ServiceRecordSchema } from '../../../shared/schemas/events.ts';
import { pod, service } from './fakes.ts';

const deepFreeze = <T>(o: T): T => {
  if (o !== null && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
};

describe('projectPod', () => {
  it('keeps only the fields gns-sync uses, valid per the contract', () => {
    const input = deepFreeze({
      ...pod('kafka-0', { ip: '10.1.0.5', labels: { app: 'kafka', 'statefulset.kubernetes.io/pod-name': 'kafka-0' } }),
      metadata: { name: 'kafka-0', namespace: 'ns-one', uid: 'u1', labels: { app: 'kafka' }, annotations: { noise: 'x' }, resourceVersion: '42', generation: 3 },
    } as V1Pod);
    const record = projectPod(input);
    expect(record).toEqual({
      name: 'kafka-0', uid: 'u1', labels: { app: 'kafka' }, ips: ['10.1.0.5'], hostname: 'kafka-0', ready: true, terminating: false,
      ports: [{ name: 'tcp-client', containerPort: 9092, protocol: 'TCP' }], nodeName: 'node-1', controller: null,
    });
    expect(PodRecordSchemaV2.safeParse(record).success).toBe(true);
  });

  it('states the controller: the ownerReference marked controller (contract v2), null without one', () => {
    const owned = pod('kafka-0');
    owned.metadata!.ownerReferences = [
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'not-the-controller', uid: 'c1' },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kafka', uid: 's1', controller: true, blockOwnerDeletion: true },
    ];
    expect(projectPod(owned).controller).toEqual({ kind: 'StatefulSet', name: 'kafka' });
    const ownerButNoController = pod('p');
    ownerButNoController.metadata!.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kafka', uid: 's1' }];
    expect(projectPod(ownerButNoController).controller).toBeNull();
    expect(projectPod(pod('bare')).controller).toBeNull();
  });

  it('takes podIPs (dual stack), falls back to podIP, and is empty before the pod has an IP', () => {
    const dual = pod('p'); dual.status = { podIP: '10.0.0.1', podIPs: [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }] };
    expect(projectPod(dual).ips).toEqual(['10.0.0.1', 'fd00::1']);
    const single = pod('p'); single.status = { podIP: '10.0.0.2' };
    expect(projectPod(single).ips).toEqual(['10.0.0.2']);
    expect(projectPod(pod('p')).ips).toEqual([]);
  });

  it('reads Ready, deletionTimestamp, and omits an empty hostname', () => {
    const p = pod('p', { ready: false });
    p.metadata!.deletionTimestamp = new Date(0);
    p.spec!.hostname = '';
    const r = projectPod(p);
    expect(r.ready).toBe(false);
    expect(r.terminating).toBe(true);
    expect('hostname' in r).toBe(false);
  });

  it('keeps named container ports only, TCP by default, first of a (name, protocol) winning', () => {
    const p = pod('p');
    p.spec!.containers = [
      { name: 'a', ports: [{ containerPort: 80 }, { name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] },
      { name: 'b', ports: [{ name: 'http', containerPort: 9090, protocol: 'TCP' }, { name: 'weird', containerPort: 1, protocol: 'QUIC' }] },
    ];
    expect(projectPod(p).ports).toEqual([
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'dns', containerPort: 53, protocol: 'UDP' },
    ]);
  });

  it('publishes a terminal (Succeeded/Failed, e.g. evicted) pod without IPs and not ready: its IP may be reused', () => {
    const evicted = pod('kafka-0', { ip: '10.1.0.5' });
    evicted.status!.phase = 'Failed';
    evicted.status!.reason = 'Evicted';
    expect(projectPod(evicted)).toMatchObject({ ips: [], ready: false });
  });

  it('does not change with status noise (phase, startTime, container statuses)', () => {
    const a = pod('p', { ip: '10.0.0.1' });
    const b = structuredClone(a);
    b.status!.phase = 'Pending';
    b.status!.startTime = new Date(5);
    b.status!.containerStatuses = [{ name: 'kafka', ready: true, restartCount: 3, image: 'x', imageID: 'y' }];
    expect(projectPod(b)).toEqual(projectPod(a));
  });
});

describe('projectService', () => {
  it('is null without a selector annotation (not our business)', () => {
    expect(projectService(service('plain', { annotated: false, extraAnnotations: { other: 'x' } }))).toBeNull();
  });

  it('keeps only the selector annotation keys, verbatim, even when invalid', () => {
    const s = service('kafka-headless', { extraAnnotations: { 'gns-sync.io/endpoints.statefulset': 'not json', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } });
    const r = projectService(deepFreeze(s));
    expect(r?.annotations).toEqual({
      'tsm.tanzu.vmware.com/endpoints.statefulset': '{"app":"kafka"}',
      'gns-sync.io/endpoints.statefulset': 'not json',
    });
    expect(ServiceRecordSchema.safeParse(r).success).toBe(true);
  });

  it('projects ports (numeric strings as numbers), clusterIP, selector, publishNotReadyAddresses, ipFamilies', () => {
    const s: V1Service = {
      metadata: { name: 's', uid: 'u', annotations: { 'gns-sync.io/endpoints.statefulset': '{}' } },
      spec: {
        clusterIP: '10.96.0.10', selector: { app: 'x' }, publishNotReadyAddresses: true, ipFamilies: ['IPv4'],
        ports: [{ port: 80, targetPort: '8080' }, { name: 'web', port: 443, protocol: 'TCP', targetPort: 'https', appProtocol: 'https' }],
      },
    };
    expect(projectService(s)).toEqual({
      name: 's', uid: 'u', annotations: { 'gns-sync.io/endpoints.statefulset': '{}' }, clusterIP: '10.96.0.10', selector: { app: 'x' },
      publishNotReadyAddresses: true, ipFamilies: ['IPv4'],
      ports: [{ port: 80, protocol: 'TCP', targetPort: 8080 }, { name: 'web', port: 443, protocol: 'TCP', targetPort: 'https', appProtocol: 'https' }],
    });
  });

  it('treats an empty selector as none', () => {
    const s = service('s');
    s.spec!.selector = {};
    expect(projectService(s)).not.toHaveProperty('selector');
  });
});
