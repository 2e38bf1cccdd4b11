// Small factories for core tests: sensible defaults, overridable per case, deeply frozen so
// any mutation by the code under test throws.
import type { GnsEvent, PodUpsert, ServiceUpsert } from '../../../shared/schemas/events.ts';
import type { PodRecord, ServiceRecord, Slice, SourcePod, TargetRef } from '../../../shared/core/types.ts';
import { ANNOTATION_TSM } from '../../../shared/core/types.ts';
import { formatHlc } from '../../../shared/core/hlc.ts';

/** Freeze a value and everything it holds (Maps and Sets included: their mutators throw). */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (value instanceof Map) {
    for (const [k, v] of value) {
      deepFreeze(k);
      deepFreeze(v);
    }
    const fail = () => {
      throw new TypeError('frozen Map mutated');
    };
    Object.assign(value, { set: fail, delete: fail, clear: fail });
  } else if (value instanceof Set) {
    for (const v of value) deepFreeze(v);
    const fail = () => {
      throw new TypeError('frozen Set mutated');
    };
    Object.assign(value, { add: fail, delete: fail, clear: fail });
  }
  Object.freeze(value);
  for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

export const SELECTOR = { app: 'kafka' } as const;

export function pod(name: string, overrides: Partial<PodRecord> = {}): PodRecord {
  return {
    name,
    uid: `uid-${name}`,
    labels: { ...SELECTOR },
    ips: ['10.0.0.1'],
    hostname: name,
    ready: true,
    terminating: false,
    ports: [{ name: 'client', containerPort: 9092, protocol: 'TCP' }],
    nodeName: 'node-1',
    controller: { kind: 'StatefulSet', name: name.replace(/-\d+$/, '') },
    ...overrides,
  };
}

export function service(name = 'kafka-headless', overrides: Partial<ServiceRecord> = {}): ServiceRecord {
  return {
    name,
    uid: `uid-svc-${name}`,
    annotations: { [ANNOTATION_TSM]: JSON.stringify(SELECTOR) },
    clusterIP: 'None',
    publishNotReadyAddresses: false,
    ports: [{ name: 'client', port: 9092, protocol: 'TCP', targetPort: 9092 }],
    ...overrides,
  };
}

export function source(cluster: string, namespace: string, p: PodRecord): SourcePod {
  return { cluster, namespace, pod: p };
}

export const TARGET: TargetRef = deepFreeze({ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-two', name: 'kafka-headless' });

// The zod-inferred event types have mutable arrays; the core's records are readonly views of them.
export const v = (ms: number, counter = 0): string => formatHlc(ms, counter);

/** Scope of an event; `observedAt` (contract v2) is the event's own wall-clock time. */
const scope = (ns = 'ns-one', cluster = 'clusterOne') => ({ cluster, namespace: ns });

export const podUpsert = (ms: number, p: PodRecord, ns?: string, cluster?: string): GnsEvent => ({
  type: 'gns-sync.pod.upsert.v2',
  detail: { ...scope(ns, cluster), v: v(ms), observedAt: ms, pod: p as PodUpsert['pod'] },
});

export const podDelete = (ms: number, name: string, uid = `uid-${name}`, ns?: string): GnsEvent => ({
  type: 'gns-sync.pod.delete.v2',
  detail: { ...scope(ns), v: v(ms), observedAt: ms, name, uid },
});

export const serviceUpsert = (ms: number, s: ServiceRecord, ns?: string): GnsEvent => ({
  type: 'gns-sync.service.upsert.v2',
  detail: { ...scope(ns), v: v(ms), observedAt: ms, service: s as ServiceUpsert['service'] },
});

export const serviceDelete = (ms: number, name: string, ns?: string): GnsEvent => ({
  type: 'gns-sync.service.delete.v2',
  detail: { ...scope(ns), v: v(ms), observedAt: ms, name, uid: `uid-svc-${name}` },
});

export interface SnapshotSpec {
  readonly ms: number;
  readonly pods?: readonly { readonly ms: number; readonly pod: PodRecord }[];
  readonly services?: readonly { readonly ms: number; readonly service: ServiceRecord }[];
  readonly part?: number;
  readonly parts?: number;
  /** Keys listed; by default the keys of the given records. */
  readonly keys?: readonly string[];
  readonly ns?: string;
}

export const snapshot = (s: SnapshotSpec): GnsEvent => ({
  type: 'gns-sync.namespace.snapshot.v2',
  detail: {
    ...scope(s.ns),
    v: v(s.ms),
    observedAt: s.ms,
    snapshotId: `snap-${s.ms}`,
    part: s.part ?? 1,
    parts: s.parts ?? 1,
    keys: [...(s.keys ?? [...(s.pods ?? []).map((p) => `pod/${p.pod.name}`), ...(s.services ?? []).map((x) => `service/${x.service.name}`)])],
    pods: (s.pods ?? []).map((p) => ({ v: v(p.ms), record: p.pod as PodUpsert['pod'] })),
    services: (s.services ?? []).map((x) => ({ v: v(x.ms), record: x.service as ServiceUpsert['service'] })),
  },
});

/** An existing slice as the API server would return it: named, with a resourceVersion. */
export function existing(slice: Slice, name: string, resourceVersion = '1'): Slice {
  return { ...slice, name, resourceVersion };
}
