// Label selectors (`a=b,c!=d,e in (x,y),f notin (z),g,!h`) and field selectors
// (`metadata.name=x,metadata.namespace!=y`), parsed and matched as the API server does.
import { badRequest } from './status.ts';
import type { KubeObject } from './objects.ts';
import { readPath } from './objects.ts';
import type { ResourceDef } from './resources.ts';

export type Requirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | '!' };

export type LabelSelector = readonly Requirement[];

/** Splits on commas outside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (!text) return [];
  return splitTop(text).map((part): Requirement => {
    let m = /^([^\s!=()]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter((v) => v !== '') };
    m = /^([^\s!=()]+)\s*(==|=|!=)\s*([^\s!=()]*)$/.exec(part);
    if (m) return { key: m[1]!, op: m[2] === '!=' ? 'notin' : 'in', values: [m[3]!] };
    m = /^!\s*([^\s!=()]+)$/.exec(part);
    if (m) return { key: m[1]!, op: '!' };
    m = /^([^\s!=()]+)$/.exec(part);
    if (m) return { key: m[1]!, op: 'exists' };
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
}

export function matchesLabels(selector: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const r of selector) {
    const value = labels?.[r.key];
    switch (r.op) {
      case 'in': if (value === undefined || !r.values.includes(value)) return false; break;
      case 'notin': if (value !== undefined && r.values.includes(value)) return false; break;
      case 'exists': if (value === undefined) return false; break;
      case '!': if (value !== undefined) return false; break;
    }
  }
  return true;
}

/** A selector from matchLabels/matchExpressions (metav1.LabelSelector). */
export function fromLabelSelectorObject(sel: unknown): LabelSelector {
  if (typeof sel !== 'object' || sel === null) return [];
  const s = sel as { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  const out: Requirement[] = Object.entries(s.matchLabels ?? {}).map(([key, v]) => ({ key, op: 'in' as const, values: [v] }));
  for (const e of s.matchExpressions ?? []) {
    if (e.operator === 'In') out.push({ key: e.key, op: 'in', values: e.values ?? [] });
    else if (e.operator === 'NotIn') out.push({ key: e.key, op: 'notin', values: e.values ?? [] });
    else if (e.operator === 'Exists') out.push({ key: e.key, op: 'exists' });
    else if (e.operator === 'DoesNotExist') out.push({ key: e.key, op: '!' });
  }
  return out;
}

/** `a=b,c in (d)` text of a metav1.LabelSelector, as the scale subresource reports it. */
export function labelSelectorText(sel: unknown): string {
  return fromLabelSelectorObject(sel).map((r) => {
    if (r.op === 'exists') return r.key;
    if (r.op === '!') return `!${r.key}`;
    if (r.op !== 'in' && r.op !== 'notin') return '';
    if (r.values.length === 1) return `${r.key}${r.op === 'in' ? '=' : '!='}${r.values[0]}`;
    return `${r.key} ${r.op} (${r.values.join(',')})`;
  }).join(',');
}

export interface FieldRequirement {
  readonly path: string;
  readonly equal: boolean;
  readonly value: string;
}

const FIELD_LABELS: Readonly<Record<string, readonly string[]>> = {
  pods: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  events: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type', 'regarding.kind', 'regarding.name', 'regarding.namespace', 'regarding.uid'],
  namespaces: ['status.phase'],
  services: ['spec.clusterIP', 'spec.type'],
  nodes: ['spec.unschedulable'],
  statefulsets: ['status.successful'],
};

export function parseFieldSelector(def: ResourceDef, text: string | null | undefined): readonly FieldRequirement[] {
  if (!text) return [];
  const allowed = ['metadata.name', 'metadata.namespace', ...(FIELD_LABELS[def.plural] ?? [])];
  return splitTop(text).map((part) => {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    const path = m[1]!.trim();
    if (!allowed.includes(path)) {
      throw badRequest(`field label not supported: ${path}`);
    }
    return { path, equal: m[2] !== '!=', value: m[3]!.trim() };
  });
}

export function matchesFields(selector: readonly FieldRequirement[], obj: KubeObject): boolean {
  for (const r of selector) {
    const raw = r.path === 'source' ? readPath(obj, 'source.component') : readPath(obj, r.path);
    const value = raw === undefined || raw === null ? '' : String(raw);
    if ((value === r.value) !== r.equal) return false;
  }
  return true;
}
