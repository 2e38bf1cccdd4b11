// The EndpointSlice controller for Services with a selector (managed-by
// endpointslice-controller.k8s.io): one endpoint per pod with an IP, conditions from the pod,
// hostname when the pod's subdomain is the Service, ports resolved against container ports.
// Selectorless Services (no selector, or `selector: {}`) are left alone: their slices belong to
// whoever wrote them, and taking the selector off a Service leaves the controller's slices in
// place, as Kubernetes' controller does (pkg/controller/endpointslice syncService, v1.33: a
// Service without a selector is skipped, not cleaned up).
import type { KubeObject } from '../api/objects.ts';
import { isPlainObject, jsonEqual, objectKey } from '../api/objects.ts';
import type { Registry } from '../api/registry.ts';
import { findResource } from '../api/resources.ts';
import type { StoreEvent } from '../api/store.ts';
import { WorkQueue } from './work-queue.ts';

type Obj = Record<string, unknown>;
const PODS = findResource('', 'v1', 'pods')!;
const SERVICES = findResource('', 'v1', 'services')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const MAX_ENDPOINTS = 100;

function podReady(pod: KubeObject): boolean {
  const status = isPlainObject(pod.status) ? pod.status : {};
  return ((status.conditions as Obj[] | undefined) ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** A selector with at least one label (an empty one selects nothing here, as in Kubernetes). */
function hasSelector(svc: KubeObject): boolean {
  const selector = isPlainObject(svc.spec) ? svc.spec.selector : undefined;
  return isPlainObject(selector) && Object.keys(selector).length > 0;
}

interface SlicePort { name: string; port: number; protocol: string; appProtocol?: string }

function resolvePorts(svc: Obj, pod: KubeObject): SlicePort[] | undefined {
  const out: SlicePort[] = [];
  const containers = (((pod.spec as Obj).containers as Obj[] | undefined) ?? []);
  for (const p of (svc.ports as Obj[] | undefined) ?? []) {
    let port: number | undefined;
    const target = p.targetPort ?? p.port;
    if (typeof target === 'number') port = target;
    else if (typeof target === 'string' && /^\d+$/.test(target)) port = Number(target);
    else {
      for (const c of containers) {
        const found = ((c.ports as Obj[] | undefined) ?? []).find((cp) => cp.name === target && (cp.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
        if (found) port = Number(found.containerPort);
      }
    }
    if (port === undefined) return undefined;
    out.push({ name: typeof p.name === 'string' ? p.name : '', port, protocol: String(p.protocol ?? 'TCP'), ...(typeof p.appProtocol === 'string' ? { appProtocol: p.appProtocol } : {}) });
  }
  return out;
}

export class EndpointSliceController {
  private readonly registry: Registry;
  private readonly queue: WorkQueue;
  private unsubscribe = (): void => {};

  constructor(registry: Registry) {
    this.registry = registry;
    this.queue = new WorkQueue((key) => this.sync(key));
  }

  start(): void {
    this.unsubscribe = this.registry.store.subscribe((ev) => this.onEvent(ev));
  }

  stop(): void {
    this.unsubscribe();
    this.queue.stop();
  }

  private onEvent(ev: StoreEvent): void {
    const ns = ev.object.metadata.namespace;
    if (ev.storage === SERVICES.storage) this.queue.add(objectKey(ns, ev.object.metadata.name ?? ''));
    else if (ev.storage === PODS.storage) {
      for (const svc of this.registry.store.list(SERVICES.storage, ns)) {
        if (hasSelector(svc)) this.queue.add(objectKey(ns, svc.metadata.name ?? ''));
      }
    } else if (ev.storage === SLICES.storage && ev.object.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === CONTROLLER_NAME) {
      const svc = ev.object.metadata.labels['kubernetes.io/service-name'];
      if (svc) this.queue.add(objectKey(ns, svc));
    }
  }

  private sync(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.registry.find(SERVICES, namespace, name);
    const existing = this.registry.store.list(SLICES.storage, namespace).filter((s) =>
      s.metadata.labels?.['kubernetes.io/service-name'] === name && s.metadata.labels['endpointslice.kubernetes.io/managed-by'] === CONTROLLER_NAME);
    const spec = svc && isPlainObject(svc.spec) ? svc.spec : undefined;
    if (!svc || !spec || svc.metadata.deletionTimestamp) {
      for (const s of existing) this.registry.delete(SLICES, namespace, s.metadata.name ?? '');
      return;
    }
    if (!hasSelector(svc)) return;
    const selector = spec.selector as Record<string, string>;
    const groups = new Map<string, { ports: SlicePort[]; endpoints: Obj[] }>();
    const pods = this.registry.store.list(PODS.storage, namespace).filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
    for (const pod of pods) {
      const status = isPlainObject(pod.status) ? pod.status : {};
      if (typeof status.podIP !== 'string' || status.podIP === '') continue;
      // A terminal pod is no endpoint, not even a terminating one (podutil ShouldPodBeInEndpoints).
      if (status.phase === 'Succeeded' || status.phase === 'Failed') continue;
      const ports = resolvePorts(spec, pod);
      if (!ports) continue;
      const podSpec = pod.spec as Obj;
      const ready = podReady(pod);
      const terminating = pod.metadata.deletionTimestamp !== undefined;
      const endpoint: Obj = {
        addresses: [status.podIP],
        conditions: { ready: spec.publishNotReadyAddresses === true || (ready && !terminating), serving: ready, terminating },
        ...(typeof podSpec.hostname === 'string' && podSpec.subdomain === name ? { hostname: podSpec.hostname } : {}),
        targetRef: { kind: 'Pod', namespace, name: pod.metadata.name, uid: pod.metadata.uid },
        ...(typeof podSpec.nodeName === 'string' ? { nodeName: podSpec.nodeName } : {}),
      };
      const sig = JSON.stringify(ports);
      const g = groups.get(sig) ?? { ports, endpoints: [] };
      g.endpoints.push(endpoint);
      groups.set(sig, g);
    }
    const desired: { ports: SlicePort[]; endpoints: Obj[] }[] = [];
    for (const g of groups.values()) {
      for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS) desired.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS) });
    }
    if (desired.length === 0) desired.push({ ports: [], endpoints: [] });
    const labels: Record<string, string> = {
      ...(svc.metadata.labels ?? {}),
      'endpointslice.kubernetes.io/managed-by': CONTROLLER_NAME,
      'kubernetes.io/service-name': name,
      ...(spec.clusterIP === 'None' ? { 'service.kubernetes.io/headless': '' } : {}),
    };
    const ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name, uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }];
    const family = (spec.ipFamilies as string[] | undefined)?.[0] === 'IPv6' ? 'IPv6' : 'IPv4';
    const remaining = [...existing];
    for (const d of desired) {
      const endpoints = d.endpoints.length ? d.endpoints : null;
      const ports = d.ports.length || d.endpoints.length ? d.ports : null;
      const match = remaining.findIndex((s) => jsonEqual(s.ports ?? null, ports)) ;
      const current = match >= 0 ? remaining.splice(match, 1)[0] : remaining.shift();
      if (current) {
        if (jsonEqual(current.endpoints ?? null, endpoints) && jsonEqual(current.ports ?? null, ports) && jsonEqual(current.metadata.labels, labels)) continue;
        this.registry.update(SLICES, namespace, current.metadata.name ?? '', { ...current, metadata: { ...current.metadata, labels }, endpoints, ports }, { internal: true });
      } else {
        this.registry.create(SLICES, namespace, {
          metadata: { generateName: `${name}-`, labels, ownerReferences, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString().replace(/\.\d+Z$/, 'Z') } },
          addressType: family, endpoints, ports,
        }, { internal: true });
      }
    }
    for (const s of remaining) this.registry.delete(SLICES, namespace, s.metadata.name ?? '');
  }
}
