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

/** A client-node type string, parsed once. */
type Node =
  | { readonly k: 'any' }
  | { readonly k: 'array' | 'map'; readonly of: Node; readonly go: string }
  | { readonly k: 'string' | 'boolean' | 'number' | 'Date' | 'IntOrString'; readonly go: string; readonly bits: number }
  | { readonly k: 'model'; readonly name: string; readonly go: string; readonly struct: string };

interface Field {
  readonly node: Node;
  readonly quantity: boolean;
}

const NODES = new Map<string, Node>();
const FIELDS = new Map<string, Map<string, Field>>();

function nodeOf(type: string, format: string): Node {
  const key = `${type}|${format}`;
  let node = NODES.get(key);
  if (node) return node;
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (type === 'any' || type === 'object') node = { k: 'any' };
  else if (array) node = { k: 'array', of: nodeOf(array[1]!, format), go: goType(type, format) };
  else if (map) node = { k: 'map', of: nodeOf(map[1]!, format), go: goType(type, format) };
  else if (type === 'string' || type === 'boolean' || type === 'number' || type === 'Date' || type === 'IntOrString') {
    node = { k: type, go: goType(type, format), bits: format === 'int32' ? 31 : format === 'int64' ? 63 : 0 };
  } else if (MODELS.has(type)) node = { k: 'model', name: type, go: goType(type, format), struct: goName(type) };
  else node = { k: 'any' };
  NODES.set(key, node);
  return node;
}

function fieldsOf(model: string): Map<string, Field> {
  let fields = FIELDS.get(model);
  if (!fields) {
    fields = new Map([...MODELS.get(model)!].map(([key, a]) => [key, { node: nodeOf(a.type, a.format), quantity: QUANTITIES.has(`${model}.${key}`) }]));
    FIELDS.set(model, fields);
  }
  return fields;
}

interface Walk {
  readonly unknown: string[];
  typeError?: string;
  readonly prune: boolean;
}

/**
 * Where the walk is, built into strings only when something is reported: the strict path
 * (`spec.ports[0].foo`) and encoding/json's error context (struct fields only, `spec.ports.port`).
 */
interface At {
  readonly parent?: At;
  readonly key: string | number;
  /** A struct field (encoding/json's FieldStack) rather than a map key or an index. */
  readonly field: boolean;
  /** The Go struct the innermost field belongs to. */
  readonly struct: string;
}

function pathOf(at: At | undefined): string {
  if (!at) return '';
  const up = pathOf(at.parent);
  if (typeof at.key === 'number') return `${up}[${at.key}]`;
  return up ? `${up}.${at.key}` : at.key;
}

function fieldStack(at: At | undefined): string[] {
  if (!at) return [];
  const up = fieldStack(at.parent);
  if (at.field) up.push(at.key as string);
  return up;
}

function typeError(w: Walk, at: At | undefined, value: string, type: string): void {
  if (w.typeError !== undefined) return;
  w.typeError = at ? `json: cannot unmarshal ${value} into Go struct field ${at.struct}.${fieldStack(at).join('.')} of type ${type}` : `json: cannot unmarshal ${value} into Go value of type ${type}`;
}

/** Checks `v` against `node`; drops unknown fields when `w.prune`. */
function walk(w: Walk, v: unknown, node: Node, at: At | undefined, quantity = false): void {
  if (v === null) return;
  switch (node.k) {
    case 'any':
      return;
    case 'array':
      if (!Array.isArray(v)) return typeError(w, at, jsonKind(v), node.go);
      for (let i = 0; i < v.length; i++) walk(w, v[i], node.of, { parent: at, key: i, field: false, struct: at?.struct ?? '' }, quantity);
      return;
    case 'map':
      if (!isPlainObject(v)) return typeError(w, at, jsonKind(v), node.go);
      for (const key in v) walk(w, v[key], node.of, { parent: at, key, field: false, struct: at?.struct ?? '' }, quantity);
      return;
    case 'string':
      if (typeof v !== 'string' && !(quantity && typeof v === 'number')) typeError(w, at, jsonKind(v), node.go);
      return;
    case 'boolean':
      if (typeof v !== 'boolean') typeError(w, at, jsonKind(v), 'bool');
      return;
    case 'number':
      if (typeof v !== 'number') return typeError(w, at, jsonKind(v), node.go);
      if (node.bits > 0 && (!Number.isInteger(v) || v > 2 ** node.bits - 1 || v < -(2 ** node.bits))) typeError(w, at, `number ${v}`, node.go);
      return;
    case 'Date':
      // metav1.Time and MicroTime unmarshal a string themselves (errors without the field context).
      if (typeof v !== 'string') w.typeError ??= `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`;
      return;
    case 'IntOrString':
      if (typeof v !== 'string' && typeof v !== 'number') w.typeError ??= `json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`;
      return;
    case 'model': {
      if (!isPlainObject(v)) return typeError(w, at, jsonKind(v), node.go);
      const fields = fieldsOf(node.name);
      for (const key in v) {
        const field = fields.get(key);
        if (field) walk(w, v[key], field.node, { parent: at, key, field: true, struct: node.struct }, field.quantity);
        else {
          w.unknown.push(pathOf({ parent: at, key, field: true, struct: node.struct }));
          if (w.prune) delete v[key];
        }
      }
    }
  }
}

/**
 * Decodes `body` (a JSON object) as `model`: unknown fields listed and, with `prune`, removed
 * in place (the Go types have nowhere to keep them).
 */
export function decodeAs(model: string, body: unknown, prune: boolean): Decoded {
  const w: Walk = { unknown: [], prune };
  walk(w, body, nodeOf(model, ''), undefined);
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
