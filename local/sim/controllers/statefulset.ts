// The StatefulSet controller: pods `<name>-<ordinal>` from the template with stable hostnames
// (`spec.hostname` = pod name, `spec.subdomain` = serviceName), created in order and each
// only once the previous is Ready (OrderedReady) or all at once (Parallel); scaling down
// removes the highest ordinals first; a deleted pod comes back with a new uid.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../api/objects.ts';
import { clone, isPlainObject, objectKey } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { findResource } from '../api/resources.ts';
import { fromLabelSelectorObject, matchesLabels } from '../api/selectors.ts';
import type { StoreEvent } from '../api/store.ts';
import type { EventRecorder } from './events.ts';
import { WorkQueue } from './work-queue.ts';

type Obj = Record<string, unknown>;
const PODS = findResource('', 'v1', 'pods')!;
const STS = findResource('apps', 'v1', 'statefulsets')!;

function isReady(pod: KubeObject): boolean {
  const status = isPlainObject(pod.status) ? pod.status : {};
  return status.phase === 'Running' && ((status.conditions as Obj[] | undefined) ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function ordinalOf(sts: KubeObject, pod: KubeObject): number | undefined {
  const prefix = `${sts.metadata.name}-`;
  const name = pod.metadata.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export function revisionHash(sts: KubeObject): string {
  const spec = sts.spec as Obj;
  return createHash('sha256').update(JSON.stringify(spec.template ?? {})).digest('hex').slice(0, 10);
}

export class StatefulSetController {
  private readonly registry: Registry;
  private readonly events: EventRecorder;
  private readonly queue: WorkQueue;
  private unsubscribe = (): void => {};

  constructor(registry: Registry, events: EventRecorder) {
    this.registry = registry;
    this.events = events;
    this.queue = new WorkQueue((key) => this.sync(key));
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
    for (const sts of this.registry.store.list(STS.storage)) this.queue.add(objectKey(sts.metadata.namespace, sts.metadata.name ?? ''));
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private onEvent(ev: StoreEvent): void {
    if (ev.storage === STS.storage) {
      if (ev.type !== 'DELETED') this.queue.add(objectKey(ev.object.metadata.namespace, ev.object.metadata.name ?? ''));
      return;
    }
    if (ev.storage !== PODS.storage) return;
    const owner = ev.object.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'StatefulSet');
    if (owner) this.queue.add(objectKey(ev.object.metadata.namespace, owner.name));
  }

  private sync(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const sts = this.registry.find(STS, namespace, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const spec = sts.spec as Obj;
    const replicas = typeof spec.replicas === 'number' ? spec.replicas : 1;
    // spec.ordinals.start: ordinals start..start+replicas-1 (KEP-3335).
    const start = Number(((spec.ordinals ?? {}) as Obj).start ?? 0);
    const parallel = spec.podManagementPolicy === 'Parallel';
    const pods = new Map<number, KubeObject>();
    for (const pod of this.registry.store.list(PODS.storage, namespace)) {
      if (!pod.metadata.ownerReferences?.some((r) => r.uid === sts.metadata.uid)) continue;
      const ordinal = ordinalOf(sts, pod);
      if (ordinal !== undefined) pods.set(ordinal, pod);
    }
    let blocked = false;
    for (let i = start; i < start + replicas && !blocked; i++) {
      const pod = pods.get(i);
      if (!pod) {
        const created = this.createPod(sts, i);
        pods.set(i, created);
        if (!parallel) blocked = true;
      } else if (!parallel && (!isReady(pod) || pod.metadata.deletionTimestamp)) blocked = true;
    }
    const excess = [...pods.keys()].filter((i) => i >= start + replicas || i < start).sort((a, b) => b - a);
    if (!blocked && excess.length > 0) {
      const victims = parallel ? excess : excess.slice(0, 1);
      for (const i of victims) {
        const pod = pods.get(i)!;
        if (pod.metadata.deletionTimestamp) continue;
        this.registry.delete(PODS, namespace, pod.metadata.name ?? '');
        this.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${name} successful`, 'statefulset-controller');
      }
    }
    if (!blocked && excess.length === 0) this.rollingUpdate(sts, pods, start, replicas);
    this.updateStatus(sts, [...pods.values()]);
  }

  /** RollingUpdate: once every pod is Ready, replace the highest ordinal still on an old revision. */
  private rollingUpdate(sts: KubeObject, pods: ReadonlyMap<number, KubeObject>, start: number, replicas: number): void {
    const strategy = ((sts.spec as Obj).updateStrategy ?? {}) as Obj;
    if (strategy.type === 'OnDelete') return;
    const partition = Number(((strategy.rollingUpdate ?? {}) as Obj).partition ?? 0);
    const revision = `${sts.metadata.name}-${revisionHash(sts)}`;
    const all = [...pods.values()];
    if (all.length < replicas || all.some((p) => !isReady(p) || p.metadata.deletionTimestamp)) return;
    for (let i = start + replicas - 1; i >= start + partition; i--) {
      const pod = pods.get(i);
      if (!pod || pod.metadata.labels?.['controller-revision-hash'] === revision) continue;
      this.registry.delete(PODS, sts.metadata.namespace, pod.metadata.name ?? '');
      this.events.record(sts, 'Normal', 'SuccessfulDelete', `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`, 'statefulset-controller');
      return;
    }
  }

  private createPod(sts: KubeObject, ordinal: number): KubeObject {
    const spec = sts.spec as Obj;
    const template = clone((spec.template ?? {}) as Obj);
    const tmeta = (isPlainObject(template.metadata) ? template.metadata : {}) as Obj;
    const podName = `${sts.metadata.name}-${ordinal}`;
    const podSpec = (isPlainObject(template.spec) ? template.spec : {}) as Obj;
    podSpec.hostname = podName;
    if (typeof spec.serviceName === 'string' && spec.serviceName !== '') podSpec.subdomain = spec.serviceName;
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: podName,
        namespace: sts.metadata.namespace,
        labels: {
          ...((tmeta.labels as Record<string, string> | undefined) ?? {}),
          'apps.kubernetes.io/pod-index': String(ordinal),
          'controller-revision-hash': `${sts.metadata.name}-${revisionHash(sts)}`,
          'statefulset.kubernetes.io/pod-name': podName,
        },
        ...(tmeta.annotations ? { annotations: tmeta.annotations } : {}),
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata.name ?? '', uid: sts.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
      },
      spec: podSpec,
    };
    const created = this.registry.create(PODS, sts.metadata.namespace, pod, { internal: true });
    this.events.record(sts, 'Normal', 'SuccessfulCreate', `create Pod ${podName} in StatefulSet ${sts.metadata.name} successful`, 'statefulset-controller');
    return created;
  }

  private updateStatus(sts: KubeObject, pods: readonly KubeObject[]): void {
    const spec = sts.spec as Obj;
    const selector = fromLabelSelectorObject(spec.selector);
    const owned = pods.filter((p) => matchesLabels(selector, p.metadata.labels));
    const ready = owned.filter((p) => isReady(p) && !p.metadata.deletionTimestamp).length;
    const revision = `${sts.metadata.name}-${revisionHash(sts)}`;
    const updated = owned.filter((p) => p.metadata.labels?.['controller-revision-hash'] === revision).length;
    const old = (isPlainObject(sts.status) ? sts.status : {}) as Obj;
    const done = updated === owned.length;
    const status = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: owned.length,
      readyReplicas: ready,
      currentReplicas: done ? owned.length : owned.length - updated,
      updatedReplicas: updated,
      availableReplicas: ready,
      currentRevision: done ? revision : (old.currentRevision ?? revision),
      updateRevision: revision,
      collisionCount: 0,
    };
    const next = clone(sts);
    next.status = status;
    this.registry.update(STS, sts.metadata.namespace, sts.metadata.name ?? '', next, { subresource: 'status', internal: true });
  }
}
