// Structural OpenAPI v3 schemas of CustomResourceDefinitions, applied as the API server's
// apiextensions does: unknown fields pruned (unless x-kubernetes-preserve-unknown-fields),
// then types, required, enums, bounds, patterns and oneOf/anyOf/allOf/not checked, with
// apimachinery's field paths and messages. CEL rules (x-kubernetes-validations) are not evaluated.
import { isPlainObject } from './objects.ts';
import type { FieldError } from './status.ts';
import { fieldErr } from './status.ts';

export interface Schema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly additionalProperties?: Schema | boolean;
  readonly items?: Schema;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly nullable?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: boolean;
  readonly exclusiveMaximum?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly pattern?: string;
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly not?: Schema;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-embedded-resource'?: boolean;
}

const child = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * Removes, in place, the fields the schema does not name (the API server's pruning).
 * `metadata`, `apiVersion` and `kind` at the root are the server's, never pruned.
 */
export function prune(schema: Schema, value: unknown, root = true): void {
  if (Array.isArray(value)) {
    if (schema.items) for (const item of value) prune(schema.items, item, false);
    return;
  }
  if (!isPlainObject(value)) return;
  if (schema['x-kubernetes-preserve-unknown-fields'] === true && !schema.properties && schema.additionalProperties === undefined) return;
  for (const key of Object.keys(value)) {
    if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
    const prop = schema.properties?.[key];
    if (prop) prune(prop, value[key], false);
    else if (isPlainObject(schema.additionalProperties)) prune(schema.additionalProperties, value[key], false);
    else if (schema.additionalProperties !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) delete value[key];
  }
}

/**
 * The paths prune would remove, sorted (apiextensions pruning/algorithm.go with
 * TrackUnknownFieldPaths: `spec.ports[0].foo`); `value` is not changed.
 */
export function prunedPaths(schema: Schema, value: unknown, path = '', root = true): string[] {
  const out: string[] = [];
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => out.push(...prunedPaths(schema.items!, item, `${path}[${i}]`, false)));
  } else if (isPlainObject(value) && !(schema['x-kubernetes-preserve-unknown-fields'] === true && !schema.properties && schema.additionalProperties === undefined)) {
    for (const key of Object.keys(value)) {
      if (root && (key === 'apiVersion' || key === 'kind' || key === 'metadata')) continue;
      const prop = schema.properties?.[key];
      if (prop) out.push(...prunedPaths(prop, value[key], child(path, key), false));
      else if (isPlainObject(schema.additionalProperties)) out.push(...prunedPaths(schema.additionalProperties, value[key], child(path, key), false));
      else if (schema.additionalProperties !== true && schema['x-kubernetes-preserve-unknown-fields'] !== true) out.push(child(path, key));
    }
  }
  return root ? out.sort() : out;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function typeMatches(type: string, value: unknown): boolean {
  const actual = typeName(value);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

/** The errors of `value` against `schema` at `path` (empty: valid). */
export function schemaErrors(schema: Schema, value: unknown, path: string): FieldError[] {
  if (value === null) return schema.nullable === true ? [] : [fieldErr.invalid(path, 'null', `${path} in body must be of type ${schema.type ?? 'object'}: "null"`)];
  if (schema['x-kubernetes-int-or-string'] === true) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isInteger(value))) {
      return [fieldErr.invalid(path, typeName(value), `${path} in body must be of type integer,string: "${typeName(value)}"`)];
    }
  } else if (schema.type && !typeMatches(schema.type, value)) {
    return [fieldErr.invalid(path, typeName(value), `${path} in body must be of type ${schema.type}: "${typeName(value)}"`)];
  }
  const out: FieldError[] = [];
  if (schema.enum && !schema.enum.some((e) => e === value)) out.push(fieldErr.notSupported(path, value, schema.enum.map(String)));
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && (schema.exclusiveMinimum ? value <= schema.minimum : value < schema.minimum)) {
      out.push(fieldErr.invalid(path, value, `${path} in body should be greater than or equal to ${schema.minimum}`));
    }
    if (schema.maximum !== undefined && (schema.exclusiveMaximum ? value >= schema.maximum : value > schema.maximum)) {
      out.push(fieldErr.invalid(path, value, `${path} in body should be less than or equal to ${schema.maximum}`));
    }
  }
  if (typeof value === 'string') {
    const length = [...value].length;
    if (schema.maxLength !== undefined && length > schema.maxLength) out.push({ type: 'FieldValueTooLong', field: path, body: `Too long: may not be more than ${schema.maxLength} bytes` });
    if (schema.minLength !== undefined && length < schema.minLength) out.push(fieldErr.invalid(path, value, `${path} in body should be at least ${schema.minLength} chars long`));
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) out.push(fieldErr.invalid(path, value, `${path} in body should match '${schema.pattern}'`));
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) out.push(fieldErr.tooMany(path, value.length, schema.maxItems));
    if (schema.minItems !== undefined && value.length < schema.minItems) out.push(fieldErr.invalid(path, value.length, `${path} in body should have at least ${schema.minItems} items`));
    if (schema.items) value.forEach((item, i) => out.push(...schemaErrors(schema.items!, item, `${path}[${i}]`)));
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) out.push(fieldErr.tooMany(path, keys.length, schema.maxProperties));
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) out.push(fieldErr.invalid(path, keys.length, `${path} in body should have at least ${schema.minProperties} properties`));
    for (const r of schema.required ?? []) if (value[r] === undefined) out.push(fieldErr.required(child(path, r)));
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined) continue;
      const prop = schema.properties?.[key];
      if (prop) out.push(...schemaErrors(prop, v, child(path, key)));
      else if (isPlainObject(schema.additionalProperties)) out.push(...schemaErrors(schema.additionalProperties, v, child(path, key)));
    }
  }
  if (schema.allOf) for (const s of schema.allOf) out.push(...schemaErrors(s, value, path));
  if (schema.anyOf && !schema.anyOf.some((s) => schemaErrors(s, value, path).length === 0)) {
    out.push(fieldErr.invalid(path, typeName(value), `${path} in body must match at least one schema (anyOf)`));
  }
  if (schema.oneOf) {
    const matching = schema.oneOf.filter((s) => schemaErrors(s, value, path).length === 0).length;
    if (matching !== 1) out.push(fieldErr.invalid(path, typeName(value), `${path} in body must validate one and only one schema (oneOf)${matching > 1 ? `. Found ${matching} valid alternatives` : ''}`));
  }
  if (schema.not && schemaErrors(schema.not, value, path).length === 0) out.push(fieldErr.invalid(path, typeName(value), `${path} in body must not be valid against the given schema (not)`));
  return out;
}
