// Field validation of request bodies as kube-apiserver 1.33 decodes them into its Go types
// (apiserver pkg/endpoints/handlers create.go, update.go, patch.go; sigs.k8s.io/json, the
// case-sensitive encoding/json the JSON serializer uses). Per the request's `fieldValidation`:
// Strict refuses unknown fields, Warn (the default: client-node sends none; kubectl sends
// Strict) drops them with a `Warning` header each, Ignore drops them silently. A value of the
// wrong JSON type is a decode error under every directive. The types are @kubernetes/client-node's
// models (generated from the Kubernetes OpenAPI), so every built-in kind is covered.
import * as k8s from '@kubernetes/client-node';
import { isPlainObject } from './objects.ts';
import type { ResourceDef } from './resources.ts';
import { ApiError } from './status.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

interface Attribute {
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}
type Model = { getAttributeTypeMap(): readonly Attribute[] };

const MODELS = new Map<string, Map<string, Attribute>>();
for (const [name, value] of Object.entries(k8s)) {
  const model = value as Partial<Model>;
  if (typeof model.getAttributeTypeMap === 'function') MODELS.set(name, new Map(model.getAttributeTypeMap().map((a) => [a.baseName, a])));
}

/**
 * resource.Quantity fields: strings in the OpenAPI, but their Go type also takes JSON numbers
 * (`cpu: 1`). The kinds the sim serves carry them here.
 */
const QUANTITIES = new Set(['V1ResourceRequirements.limits', 'V1ResourceRequirements.requests', 'V1VolumeResourceRequirements.limits', 'V1VolumeResourceRequirements.requests', 'V1PodSpec.overhead', 'V1EmptyDirVolumeSource.sizeLimit', 'V1NodeStatus.capacity', 'V1NodeStatus.allocatable', 'V1PersistentVolumeClaimStatus.capacity', 'V1PersistentVolumeClaimStatus.allocatedResources', 'V1ContainerStatus.allocatedResources']);

const OPTIONS_KIND: Readonly<Record<string, string>> = { POST: 'CreateOptions', PUT: 'UpdateOptions', PATCH: 'PatchOptions' };

/** The request's directive: Warn when absent; 422 for other values (ValidateFieldValidation). */
export function fieldValidationOf(method: string, q: URLSearchParams): FieldValidation {
  const value = q.get('fieldValidation') ?? '';
  if (value === '') return 'Warn';
  if (value === 'Strict' || value === 'Warn' || value === 'Ignore') return value;
  const kind = OPTIONS_KIND[method] ?? 'CreateOptions';
  const message = `Unsupported value: ${JSON.stringify(value)}: supported values: "", "Ignore", "Strict", "Warn"`;
  throw new ApiError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: fieldValidation: ${message}`, {
    group: 'meta.k8s.io', kind, name: '', causes: [{ reason: 'FieldValueNotSupported', message, field: 'fieldValidation' }],
  });
}

/** client-node's model of a resource's kind (`CoreV1Event` before `V1Event`). */
export function modelOf(group: string, version: string, kind: string): string | undefined {
  const v = version.charAt(0).toUpperCase() + version.slice(1);
  const prefix = group === '' ? 'Core' : group.split('.')[0]!.charAt(0).toUpperCase() + group.split('.')[0]!.slice(1);
  for (const name of [`${prefix}${v}${kind}`, `${v}${kind}`]) if (MODELS.has(name)) return name;
  return undefined;
}

export interface Decoded {
  /** Paths of unknown fields, as sigs.k8s.io/json names them (`spec.ports[0].foo`). */
  readonly unknown: readonly string[];
  /** The first wrong-typed value, as encoding/json reports it. */
  readonly typeError?: string;
}

const goName = (model: string): string => model.replace(/^(?:[A-Z][a-z]*)?V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/, '');
const goPackage = (model: string): string => /V\d+(?:(?:alpha|beta)\d+)?(?=[A-Z])/.exec(model)?.[0].toLowerCase() ?? 'v1';

function goType(type: string, format: string): string {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return `[]${goType(array[1]!, format)}`;
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return `map[string]${goType(map[1]!, format)}`;
  if (type === 'string') return format === 'byte' ? '[]uint8' : 'string';
  if (type === 'boolean') return 'bool';
  if (type === 'number') return format === 'int32' ? 'int32' : format === 'int64' ? 'int64' : 'float64';
  if (type === 'Date') return 'v1.Time';
  if (type === 'IntOrString') return 'intstr.IntOrString';
  return MODELS.has(type) ? `${goPackage(type)}.${goName(type)}` : type;
}

function jsonKind(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  return Array.isArray(v) ? 'array' : 'object';
}

interface Walk {
  readonly unknown: string[];
  typeError?: string;
  readonly prune: boolean;
}

/** Where the walk is: the strict path (with [i] and map keys) and encoding/json's error context. */
interface At {
  readonly path: string;
  readonly fields: readonly string[];
  readonly struct: string;
}

function typeError(w: Walk, at: At, value: string, type: string): void {
  w.typeError ??= at.struct ? `json: cannot unmarshal ${value} into Go struct field ${at.struct}.${at.fields.join('.')} of type ${type}` : `json: cannot unmarshal ${value} into Go value of type ${type}`;
}

/** Checks `v` against `type` (client-node's notation); drops unknown fields when `w.prune`. */
function walk(w: Walk, v: unknown, type: string, format: string, at: At, quantity = false): void {
  if (v === null || type === 'any' || type === 'object') return;
  const array = /^Array<(.+)>$/.exec(type);
  if (array) {
    if (!Array.isArray(v)) return typeError(w, at, jsonKind(v), goType(type, format));
    v.forEach((item, i) => walk(w, item, array[1]!, format, { ...at, path: `${at.path}[${i}]` }, quantity));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (!isPlainObject(v)) return typeError(w, at, jsonKind(v), goType(type, format));
    for (const [key, item] of Object.entries(v)) walk(w, item, map[1]!, format, { ...at, path: at.path ? `${at.path}.${key}` : key }, quantity);
    return;
  }
  switch (type) {
    case 'string':
      if (typeof v === 'string' || (quantity && typeof v === 'number')) return;
      return typeError(w, at, jsonKind(v), goType(type, format));
    case 'boolean':
      if (typeof v !== 'boolean') typeError(w, at, jsonKind(v), 'bool');
      return;
    case 'number': {
      if (typeof v !== 'number') return typeError(w, at, jsonKind(v), goType(type, format));
      const bits = format === 'int32' ? 31 : format === 'int64' ? 63 : 0;
      if (bits > 0 && (!Number.isInteger(v) || v > 2 ** bits - 1 || v < -(2 ** bits))) typeError(w, at, `number ${v}`, goType(type, format));
      return;
    }
    case 'Date':
      // metav1.Time and MicroTime unmarshal a string themselves (errors without the field context).
      if (typeof v !== 'string') w.typeError ??= `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`;
      return;
    case 'IntOrString':
      if (typeof v !== 'string' && typeof v !== 'number') w.typeError ??= `json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`;
      return;
    default:
  }
  const attributes = MODELS.get(type);
  if (!attributes) return;
  if (!isPlainObject(v)) return typeError(w, at, jsonKind(v), goType(type, format));
  for (const key of Object.keys(v)) {
    const path = at.path ? `${at.path}.${key}` : key;
    const attribute = attributes.get(key);
    if (!attribute) {
      w.unknown.push(path);
      if (w.prune) delete v[key];
      continue;
    }
    walk(w, v[key], attribute.type, attribute.format, { path, fields: [...at.fields, key], struct: goName(type) }, QUANTITIES.has(`${type}.${key}`));
  }
}

/**
 * Decodes `body` (a JSON object) as `model`: unknown fields listed and, with `prune`, removed
 * in place (the Go types have nowhere to keep them).
 */
export function decodeAs(model: string, body: unknown, prune: boolean): Decoded {
  const w: Walk = { unknown: [], prune };
  walk(w, body, model, '', { path: '', fields: [], struct: '' });
  return { unknown: w.unknown, ...(w.typeError !== undefined ? { typeError: w.typeError } : {}) };
}

/** `strict decoding error: unknown field "a", duplicate field "b"` (runtime.NewStrictDecodingError). */
export function strictDecodingError(problems: readonly string[]): string {
  return `strict decoding error: ${problems.join(', ')}`;
}

/** A warning header value for one unknown field (apiserver addStrictDecodingWarnings; RFC 7234 warn-code 299). */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}

/** How a kind's bodies are decoded: unknown fields found (and dropped when `prune`), the first type error. */
export interface Decoder {
  /** The kind the server decodes into (`cannot be handled as a <Kind>`). */
  readonly kind: string;
  /** Custom resources: the JSON decoder's strict errors (duplicates) come before the pruned fields. */
  readonly duplicatesFirst?: boolean;
  decode(body: unknown, prune: boolean): Decoded;
}

/** The decoder of a built-in kind from its client-node model. */
export function modelDecoder(model: string): Decoder {
  return { kind: goName(model), decode: (body, prune) => decodeAs(model, body, prune) };
}

function problems(decoder: Decoder, decoded: Decoded, duplicates: readonly string[]): string[] {
  const unknown = decoded.unknown.map((p) => `unknown field ${JSON.stringify(p)}`);
  const twice = duplicates.map((p) => `duplicate field ${JSON.stringify(p)}`);
  return decoder.duplicatesFirst ? [...twice, ...unknown] : [...unknown, ...twice];
}

/**
 * The body of a create or update, decoded as the server does; throws 400 as create.go does.
 * `duplicates`: keys the JSON text gives twice (json-duplicates.ts). Returns the warnings to send.
 */
export function decodeBody(def: ResourceDef, body: unknown, directive: FieldValidation, decoder: Decoder | undefined, duplicates: readonly string[] = []): string[] {
  if (!decoder || !isPlainObject(body)) return [];
  const decoded = decoder.decode(body, directive !== 'Strict');
  const found = problems(decoder, decoded, duplicates);
  const version = def.version;
  const kind = typeof body.kind === 'string' && body.kind !== '' ? body.kind : def.kind;
  const refuse = (reason: string): ApiError => new ApiError(400, 'BadRequest', `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${decoder.kind}: ${reason}`);
  if (decoded.typeError !== undefined) throw refuse(decoded.typeError);
  if (found.length === 0 || directive === 'Ignore') return [];
  if (directive === 'Strict') throw refuse(strictDecodingError(found));
  return found;
}

/** Go's `%+v` of a decoded JSON value (how patch.go shows a strategic merge patch in its error). */
export function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (isPlainObject(v)) return `map[${Object.keys(v).sort().map((k) => `${k}:${goFormat(v[k])}`).join(' ')}]`;
  return String(v);
}

/**
 * The object a patch produced, decoded as patch.go does: wrong types and (under Strict)
 * unknown fields are 422 `patch: Invalid value` errors; returns the warnings to send.
 * `shown`: the value the error quotes (the patched JSON, or the strategic patch as Go prints it).
 */
export function decodePatched(decoder: Decoder | undefined, patched: unknown, directive: FieldValidation, shown: () => string): string[] {
  if (!decoder) return [];
  const decoded = decoder.decode(patched, directive !== 'Strict');
  const refuse = (detail: string): ApiError => {
    const message = `Invalid value: ${JSON.stringify(shown())}: ${detail}`;
    return new ApiError(422, 'Invalid', ` "" is invalid: patch: ${message}`, { name: '', group: '', kind: '', causes: [{ reason: 'FieldValueInvalid', message, field: 'patch' }] });
  };
  if (decoded.typeError !== undefined) throw refuse(decoded.typeError);
  const found = problems(decoder, decoded, []);
  if (found.length === 0 || directive === 'Ignore') return [];
  if (directive === 'Strict') throw refuse(strictDecodingError(found));
  return found;
}
