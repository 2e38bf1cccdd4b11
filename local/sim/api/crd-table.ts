// Server-side printing of custom objects: NAME, then the CustomResourceDefinition's
// additionalPrinterColumns (simple `.a.b[0].c` JSONPaths, as kubectl shows them), else AGE.
import type { PrinterColumn } from './crd.ts';
import { printerColumns } from './crd.ts';
import type { KubeObject } from './objects.ts';
import { isPlainObject } from './objects.ts';
import type { ResourceDef } from './resources.ts';
import { humanDuration } from './table.ts';

interface CustomPrinter {
  readonly columns: readonly { readonly name: string; readonly type: 'string' | 'integer' | 'date'; readonly format?: string; readonly priority?: number; readonly description?: string }[];
  row(obj: KubeObject, now: number): unknown[];
}

/** The value at a simple JSONPath (`.spec.hosts`, `.spec.ports[0].number`), or undefined. */
export function readJsonPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.replace(/^\{?\.?/, '').replace(/\}$/, '').split('.').filter((x) => x !== '')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) return undefined;
    if (m[1]) cur = isPlainObject(cur) ? cur[m[1]] : undefined;
    for (const idx of m[2]!.match(/\d+/g) ?? []) cur = Array.isArray(cur) ? cur[Number(idx)] : undefined;
    if (cur === undefined) return undefined;
  }
  return cur;
}

function cell(value: unknown, column: PrinterColumn, now: number): unknown {
  if (value === undefined || value === null) return column.type === 'date' ? '<unknown>' : '';
  if (column.type === 'date' && typeof value === 'string') return humanDuration(now - Date.parse(value));
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

export function customPrinter(def: ResourceDef): CustomPrinter | undefined {
  const columns = printerColumns(def);
  if (columns === undefined) return undefined;
  const shown: readonly PrinterColumn[] = columns.length > 0 ? columns : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
  return {
    columns: [
      { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.' },
      ...shown.map((c) => ({ name: c.name, type: (c.type === 'integer' || c.type === 'date' ? c.type : 'string') as 'string' | 'integer' | 'date', ...(c.format ? { format: c.format } : {}), priority: c.priority ?? 0, description: c.description ?? '' })),
    ],
    row: (obj, now) => [obj.metadata.name, ...shown.map((c) => cell(readJsonPath(obj, c.jsonPath), c, now))],
  };
}
