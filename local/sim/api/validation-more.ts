// Validation rules beyond validation.ts, as Kubernetes v1.33 has them
// (pkg/apis/core/validation ValidateService, pkg/apis/apps/validation ValidateStatefulSetUpdate,
// pkg/apis/discovery/validation validateHints): duplicate (protocol, port) pairs of a Service,
// the fields of a StatefulSet that may not change, and EndpointSlice topology hints.
import type { KubeObject } from './objects.ts';
import { isPlainObject, jsonEqual } from './objects.ts';
import type { FieldError } from './status.ts';
import { fieldErr } from './status.ts';
import { dns1123SubdomainErrors, labelErrors } from './validation.ts';

/** `spec.ports[i]: Duplicate value` for a second port with the same protocol and number. */
export function servicePortPairErrors(obj: KubeObject): FieldError[] {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const seen = new Set<string>();
  const out: FieldError[] = [];
  (Array.isArray(spec.ports) ? spec.ports : []).forEach((p: unknown, i) => {
    if (!isPlainObject(p)) return;
    const key = { protocol: p.protocol ?? 'TCP', port: p.port };
    const text = JSON.stringify(key);
    if (seen.has(text)) out.push(fieldErr.duplicate(`spec.ports[${i}]`, key));
    seen.add(text);
  });
  return out;
}

const STATEFULSET_MUTABLE: ReadonlySet<string> = new Set(['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']);

/** An update may change only the fields Kubernetes lets change (serviceName, selector, volumeClaimTemplates... may not). */
export function statefulSetUpdateErrors(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const was = isPlainObject(old.spec) ? old.spec : {};
  const keys = new Set([...Object.keys(spec), ...Object.keys(was)].filter((k) => !STATEFULSET_MUTABLE.has(k)));
  if ([...keys].every((k) => jsonEqual(spec[k] ?? null, was[k] ?? null))) return [];
  return [fieldErr.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}

const MAX_HINTS = 8;

/** endpoints[i].hints: at most 8 zones (label values) and 8 nodes (node names), each once. */
export function endpointHintErrors(obj: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  (Array.isArray(obj.endpoints) ? obj.endpoints : []).forEach((ep: unknown, i) => {
    if (!isPlainObject(ep) || ep.hints === undefined || ep.hints === null) return;
    const f = `endpoints[${i}].hints`;
    if (!isPlainObject(ep.hints)) {
      out.push(fieldErr.invalid(f, ep.hints, 'must be an object'));
      return;
    }
    for (const [list, check] of [['forZones', (field: string, name: string) => labelErrors(field, { zone: name }).filter((e) => e.body.includes(JSON.stringify(name)))], ['forNodes', dns1123SubdomainErrors]] as const) {
      const items = ep.hints[list];
      if (items === undefined || items === null) continue;
      const lf = `${f}.${list}`;
      if (!Array.isArray(items)) {
        out.push(fieldErr.invalid(lf, items, 'must be a list'));
        continue;
      }
      if (items.length > MAX_HINTS) {
        out.push(fieldErr.tooMany(lf, items.length, MAX_HINTS));
        continue;
      }
      const names = new Set<string>();
      items.forEach((item: unknown, j) => {
        const nf = `${lf}[${j}].name`;
        const name = isPlainObject(item) && typeof item.name === 'string' ? item.name : '';
        if (names.has(name)) out.push(fieldErr.duplicate(nf, name));
        names.add(name);
        if (list === 'forNodes' && name === '') out.push(fieldErr.required(nf));
        else out.push(...check(nf, name));
      });
    }
  });
  return out;
}
