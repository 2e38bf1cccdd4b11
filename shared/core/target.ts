// Whether a Service is a valid target (docs/design.md §2, §3): headless, selectorless, with a
// valid selector annotation. An invalid target gets a Warning event and no slices.
import { parseSelectorAnnotation } from './selector.ts';
import type { Selector, SelectorReason } from './selector.ts';
import type { ServiceRecord } from './types.ts';

export type TargetReason = SelectorReason | 'has-selector' | 'not-headless' | 'not-publishable';

export type TargetResult =
  | { readonly ok: true; readonly selector: Selector }
  | { readonly ok: false; readonly reason: TargetReason; readonly message: string };

export function validateTarget(service: ServiceRecord): TargetResult {
  if (service.problem !== undefined) {
    return { ok: false, reason: 'not-publishable', message: `Service ${service.name}: ${service.problem}` };
  }
  const parsed = parseSelectorAnnotation(service.annotations);
  if (!parsed.ok) return { ok: false, reason: parsed.reason, message: parsed.message };
  if (service.selector !== undefined && Object.keys(service.selector).length > 0) {
    return {
      ok: false,
      reason: 'has-selector',
      message: `Service ${service.name} has spec.selector, so Kubernetes manages its endpoints; remove the selector to let gns-sync publish them`,
    };
  }
  if (service.clusterIP !== 'None') {
    const got = service.clusterIP === undefined ? 'no clusterIP' : `clusterIP ${service.clusterIP}`;
    return {
      ok: false,
      reason: 'not-headless',
      message: `Service ${service.name} is not headless (${got}); per-pod DNS needs clusterIP: None (recreate the Service)`,
    };
  }
  return { ok: true, selector: parsed.selector };
}

/** matchLabels: every label of the selector is present with the same value. */
export function matchesSelector(labels: Readonly<Record<string, string>>, selector: Selector): boolean {
  for (const key in selector) {
    if (!Object.hasOwn(labels, key) || labels[key] !== selector[key]) return false;
  }
  return true;
}
