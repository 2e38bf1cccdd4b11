// Records core/v1 Events about objects, as controllers and the kubelet do (`kubectl get events`).
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/objects.ts';
import { timestamp } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { findResource } from '../api/resources.ts';

export class EventRecorder {
  private readonly registry: Registry;
  private readonly now: () => number;
  enabled = true;

  constructor(registry: Registry, now: () => number) {
    this.registry = registry;
    this.now = now;
  }

  record(involved: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string, host?: string): void {
    if (!this.enabled) return;
    const namespace = involved.metadata.namespace ?? 'default';
    const now = this.now();
    const def = findResource('', 'v1', 'events')!;
    try {
      this.registry.create(def, namespace, {
        metadata: { name: `${involved.metadata.name}.${randomBytes(8).toString('hex')}`, namespace },
        involvedObject: {
          kind: involved.kind, namespace: involved.metadata.namespace, name: involved.metadata.name, uid: involved.metadata.uid,
          apiVersion: involved.apiVersion, resourceVersion: involved.metadata.resourceVersion,
        },
        reason, message,
        source: { component, ...(host ? { host } : {}) },
        firstTimestamp: timestamp(now), lastTimestamp: timestamp(now), count: 1, type,
        eventTime: null, reportingComponent: component, reportingInstance: host ?? '',
      }, { internal: true });
    } catch {
      // The namespace is going away: events are best effort, as in Kubernetes.
    }
  }
}
