// Kubernetes objects → the records an agent publishes (shared/core/types.ts). Only the fields
// gns-sync uses are kept, so an update that changes anything else projects to the same record
// and is suppressed (agent/suppress.ts).
import type { V1Container, V1OwnerReference, V1Pod, V1Service } from '@kubernetes/client-node';
import type { ContainerPort, PodController, PodRecord, Protocol, ServicePort, ServiceRecord } from '../shared/core/types.ts';
import { SELECTOR_ANNOTATIONS } from '../shared/core/types.ts';

const PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);

/** Kubernetes defaults the protocol to TCP; an unknown value is kept out (the schema would reject it). */
function protocolOf(value: string | undefined): Protocol | undefined {
  if (value === undefined || value === '') return 'TCP';
  return PROTOCOLS.has(value) ? (value as Protocol) : undefined;
}

/**
 * Named container ports only: a named `targetPort` is the only use of a pod's ports
 * (docs/design.md §3). The first port of a (name, protocol) wins, as in Kubernetes' FindPort.
 */
function namedPorts(containers: readonly V1Container[] | undefined): ContainerPort[] {
  const ports: ContainerPort[] = [];
  const seen = new Set<string>();
  for (const container of containers ?? []) {
    for (const port of container.ports ?? []) {
      const protocol = protocolOf(port.protocol);
      if (port.name === undefined || port.name === '' || protocol === undefined) continue;
      const key = `${port.name}/${protocol}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ports.push({ name: port.name, containerPort: port.containerPort, protocol });
    }
  }
  return ports;
}

function podIps(pod: V1Pod): string[] {
  const listed = (pod.status?.podIPs ?? []).map((entry) => entry.ip).filter((ip): ip is string => typeof ip === 'string' && ip !== '');
  if (listed.length > 0) return listed.slice(0, 2);
  const single = pod.status?.podIP;
  return single === undefined || single === '' ? [] : [single];
}

/** Succeeded and Failed (e.g. evicted) pods keep their IP in status, but it may already belong to another pod. */
const TERMINAL_PHASES: ReadonlySet<string> = new Set(['Succeeded', 'Failed']);

/** The pod's ownerReference marked `controller: true` (at most one). */
export const controllerReference = (pod: V1Pod): V1OwnerReference | undefined => (pod.metadata?.ownerReferences ?? []).find((ref) => ref.controller === true);

/** The pod's controller (kind and name), or null. */
function controllerOf(pod: V1Pod): PodController | null {
  const owner = controllerReference(pod);
  return owner === undefined || owner.kind === '' || owner.name === '' ? null : { kind: owner.kind, name: owner.name };
}

/** A pod as gns-sync sees it. A terminal pod is published without IPs (so without endpoints), as Kubernetes does. */
export function projectPod(pod: V1Pod): PodRecord {
  const meta = pod.metadata ?? {};
  const terminal = TERMINAL_PHASES.has(pod.status?.phase ?? '');
  const ready = !terminal && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const record: {
    name: string; uid: string; labels: Record<string, string>; ips: string[]; hostname?: string;
    ready: boolean; terminating: boolean; ports: ContainerPort[]; nodeName?: string; controller: PodController | null;
  } = {
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    labels: { ...(meta.labels ?? {}) },
    ips: terminal ? [] : podIps(pod),
    ready,
    terminating: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
    ports: namedPorts(pod.spec?.containers),
    controller: controllerOf(pod),
  };
  const hostname = pod.spec?.hostname;
  if (hostname !== undefined && hostname !== '') record.hostname = hostname;
  const nodeName = pod.spec?.nodeName;
  if (nodeName !== undefined && nodeName !== '') record.nodeName = nodeName;
  return record;
}

function servicePort(port: NonNullable<NonNullable<V1Service['spec']>['ports']>[number]): ServicePort | undefined {
  const protocol = protocolOf(port.protocol);
  if (protocol === undefined) return undefined;
  const out: { name?: string; port: number; protocol: Protocol; targetPort?: number | string; appProtocol?: string } = {
    port: port.port,
    protocol,
  };
  if (port.name !== undefined && port.name !== '') out.name = port.name;
  const target = port.targetPort;
  if (typeof target === 'number' || (typeof target === 'string' && target !== '')) {
    // A numeric string ("8080") is a number in Kubernetes' IntOrString.
    out.targetPort = typeof target === 'string' && /^\d+$/.test(target) ? Number(target) : target;
  }
  if (port.appProtocol !== undefined && port.appProtocol !== '') out.appProtocol = port.appProtocol;
  return out;
}

/**
 * A Service as gns-sync sees it, or null when it carries none of the selector annotation keys
 * (then it is none of gns-sync's business). Only those annotation keys are kept.
 */
export function projectService(service: V1Service): ServiceRecord | null {
  const meta = service.metadata ?? {};
  const annotations: Record<string, string> = {};
  for (const key of SELECTOR_ANNOTATIONS) {
    const value = meta.annotations?.[key];
    if (typeof value === 'string') annotations[key] = value;
  }
  if (Object.keys(annotations).length === 0) return null;
  const spec = service.spec ?? {};
  const record: {
    name: string; uid: string; annotations: Record<string, string>; clusterIP?: string; selector?: Record<string, string>;
    publishNotReadyAddresses: boolean; ports: ServicePort[]; ipFamilies?: ('IPv4' | 'IPv6')[];
  } = {
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    annotations,
    publishNotReadyAddresses: spec.publishNotReadyAddresses === true,
    ports: (spec.ports ?? []).map(servicePort).filter((p): p is ServicePort => p !== undefined),
  };
  if (spec.clusterIP !== undefined && spec.clusterIP !== '') record.clusterIP = spec.clusterIP;
  // Kubernetes treats an empty selector as no selector.
  if (spec.selector !== undefined && spec.selector !== null && Object.keys(spec.selector).length > 0) record.selector = { ...spec.selector };
  const families = (spec.ipFamilies ?? []).filter((f): f is 'IPv4' | 'IPv6' => f === 'IPv4' || f === 'IPv6');
  if (families.length > 0) record.ipFamilies = families;
  return record;
}
