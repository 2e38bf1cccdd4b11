// Core `v1` Events and `events.k8s.io/v1` Events are one storage in Kubernetes, shown in two
// shapes. Objects are stored in the core shape and converted on the way in and out.
import type { KubeObject } from './objects.ts';

type Obj = Record<string, unknown>;

function compact(o: Obj): Obj {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** events.k8s.io/v1 → core v1 (for storage). */
export function eventToCore(e: KubeObject): KubeObject {
  if (e.apiVersion === 'v1') return e;
  const source = e.deprecatedSource as Obj | undefined;
  return compact({
    apiVersion: 'v1',
    kind: 'Event',
    metadata: e.metadata,
    involvedObject: e.regarding ?? {},
    related: e.related,
    reason: e.reason,
    message: e.note,
    source: source ?? (e.reportingController ? { component: e.reportingController } : {}),
    firstTimestamp: e.deprecatedFirstTimestamp ?? null,
    lastTimestamp: e.deprecatedLastTimestamp ?? null,
    count: e.deprecatedCount,
    type: e.type,
    eventTime: e.eventTime ?? null,
    series: e.series,
    action: e.action,
    reportingComponent: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
  }) as KubeObject;
}

/** core v1 → events.k8s.io/v1 (for reading through that group). */
export function eventFromCore(e: KubeObject): KubeObject {
  return compact({
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: e.metadata,
    eventTime: e.eventTime ?? null,
    series: e.series,
    reportingController: e.reportingComponent || undefined,
    reportingInstance: e.reportingInstance || undefined,
    action: e.action,
    reason: e.reason,
    regarding: e.involvedObject,
    related: e.related,
    note: e.message,
    type: e.type,
    deprecatedSource: e.source,
    deprecatedFirstTimestamp: e.firstTimestamp ?? undefined,
    deprecatedLastTimestamp: e.lastTimestamp ?? undefined,
    deprecatedCount: e.count,
  }) as KubeObject;
}
