// The three patch types the API server accepts: JSON merge patch (RFC 7386), JSON patch
// (RFC 6902) and strategic merge patch (merge keys of the built-in types, and the `$patch`,
// `$setElementOrder`, `$retainKeys` and `$deleteFromPrimitiveList` directives kubectl sends).
import { isPlainObject, jsonEqual } from './objects.ts';
import { ApiError } from './status.ts';

type Obj = Record<string, unknown>;

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Obj = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function patchError(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parsePointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw patchError(`the server rejected our request due to an error in our request: invalid JSON patch path ${JSON.stringify(path)}`);
  return path === '' ? [] : path.slice(1).split('/').map(unescapePointer);
}

function getAt(doc: unknown, parts: readonly string[]): unknown {
  let cur = doc;
  for (const p of parts) {
    if (Array.isArray(cur)) cur = cur[Number(p)];
    else if (isPlainObject(cur)) cur = cur[p];
    else return undefined;
  }
  return cur;
}

/** Applies one operation to a deep copy's container in place. */
function applyOp(doc: unknown, op: Obj): unknown {
  const kind = op.op;
  const parts = parsePointer(op.path);
  const missing = (): ApiError => new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${String(kind)} operation does not apply: doc is missing path: ${JSON.stringify(op.path)}`);
  if (kind === 'test') {
    if (!jsonEqual(getAt(doc, parts), op.value)) throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: testing value ${String(op.path)} failed: test failed`);
    return doc;
  }
  if (kind === 'move' || kind === 'copy') {
    const from = parsePointer(op.from);
    const value = structuredClone(getAt(doc, from));
    if (value === undefined) throw missing();
    const removed = kind === 'move' ? applyOp(doc, { op: 'remove', path: op.from }) : doc;
    return applyOp(removed, { op: 'add', path: op.path, value });
  }
  if (parts.length === 0) {
    if (kind === 'add' || kind === 'replace') return structuredClone(op.value);
    throw missing();
  }
  const parent = getAt(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1]!;
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length || (kind !== 'add' && index >= parent.length)) throw missing();
    if (kind === 'add') parent.splice(index, 0, structuredClone(op.value));
    else if (kind === 'replace') parent[index] = structuredClone(op.value);
    else if (kind === 'remove') parent.splice(index, 1);
    else throw patchError(`the server rejected our request due to an error in our request: unexpected kind: ${String(kind)}`);
    return doc;
  }
  if (!isPlainObject(parent)) throw missing();
  if (kind === 'add') parent[last] = structuredClone(op.value);
  else if (kind === 'replace') {
    if (!(last in parent)) throw missing();
    parent[last] = structuredClone(op.value);
  } else if (kind === 'remove') {
    if (!(last in parent)) throw missing();
    delete parent[last];
  } else throw patchError(`the server rejected our request due to an error in our request: unexpected kind: ${String(kind)}`);
  return doc;
}

export function jsonPatch(target: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw new ApiError(400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  let doc = structuredClone(target);
  for (const op of patch) {
    if (!isPlainObject(op)) throw new ApiError(400, 'BadRequest', 'json: cannot unmarshal into Go value of type jsonpatch.Operation');
    doc = applyOp(doc, op);
  }
  return doc;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch. Merge keys of list fields, by the path of field names (indices dropped).

function mergeKeyOf(path: readonly string[], kind: string): string | undefined {
  const last = path[path.length - 1];
  const parent = path[path.length - 2];
  switch (last) {
    case 'containers': case 'initContainers': case 'ephemeralContainers': case 'volumes': case 'env':
    case 'imagePullSecrets': case 'resourceClaims': case 'readinessGates':
      return last === 'readinessGates' ? 'conditionType' : 'name';
    case 'volumeMounts': return 'mountPath';
    case 'volumeDevices': return 'devicePath';
    case 'conditions': return 'type';
    case 'ownerReferences': return 'uid';
    case 'hostAliases': return 'ip';
    case 'podIPs': case 'hostIPs': return 'ip';
    case 'topologySpreadConstraints': return 'topologyKey';
    case 'ports':
      if (parent === 'containers' || parent === 'initContainers' || parent === 'ephemeralContainers') return 'containerPort';
      if (kind === 'Service' && parent === 'spec') return 'port';
      return undefined;
    default: return undefined;
  }
}

/** Primitive lists merged as sets (patchStrategy:merge without a key). */
function isMergedPrimitiveList(path: readonly string[]): boolean {
  return path.length === 2 && path[0] === 'metadata' && path[1] === 'finalizers';
}

function strategicMerge(original: unknown, patch: unknown, path: readonly string[], kind: string): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return strategicClean(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const out: Obj = isPlainObject(original) ? { ...original } : {};
  const retain = patch.$retainKeys;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/')) continue;
    const childPath = [...path, k];
    if (v === null) {
      delete out[k];
      continue;
    }
    if (Array.isArray(v)) {
      out[k] = mergeList(out[k], v, childPath, kind, patch[`$setElementOrder/${k}`]);
      continue;
    }
    const merged = strategicMerge(out[k], v, childPath, kind);
    if (merged === undefined) delete out[k];
    else out[k] = merged;
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$deleteFromPrimitiveList/') && Array.isArray(v)) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(out[field])) out[field] = (out[field] as unknown[]).filter((x) => !v.some((d) => jsonEqual(d, x)));
    }
    if (k.startsWith('$setElementOrder/') && !(k.slice('$setElementOrder/'.length) in patch)) {
      const field = k.slice('$setElementOrder/'.length);
      const key = mergeKeyOf([...path, field], kind);
      if (Array.isArray(out[field]) && Array.isArray(v)) out[field] = orderBy(out[field] as unknown[], v, key);
    }
  }
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k)) delete out[k];
  }
  return out;
}

function strategicClean(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strategicClean);
  if (!isPlainObject(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) if (!k.startsWith('$')) out[k] = strategicClean(v);
  return out;
}

function identity(item: unknown, key: string | undefined): unknown {
  if (key === undefined) return item;
  return isPlainObject(item) ? item[key] : item;
}

function orderBy(list: readonly unknown[], order: readonly unknown[], key: string | undefined): unknown[] {
  const position = (item: unknown): number => {
    const id = identity(item, key);
    const i = order.findIndex((o) => jsonEqual(identity(o, key), id));
    return i < 0 ? order.length : i;
  };
  return list.map((item, i) => ({ item, i, p: position(item) })).sort((a, b) => a.p - b.p || a.i - b.i).map((x) => x.item);
}

function mergeList(original: unknown, patch: readonly unknown[], path: readonly string[], kind: string, order: unknown): unknown[] {
  const key = mergeKeyOf(path, kind);
  const base = Array.isArray(original) ? original : [];
  if (isMergedPrimitiveList(path)) {
    const out = [...base];
    for (const v of patch) if (!out.some((x) => jsonEqual(x, v))) out.push(v);
    return Array.isArray(order) ? orderBy(out, order, undefined) : out;
  }
  if (key === undefined) {
    const replace = patch.find((p) => isPlainObject(p) && p.$patch === 'replace');
    return (replace ? patch.filter((p) => p !== replace) : patch).map(strategicClean);
  }
  if (patch.some((p) => isPlainObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isPlainObject(p) && p.$patch === 'replace')).map(strategicClean);
  }
  const out: unknown[] = [...base];
  for (const item of patch) {
    if (!isPlainObject(item)) continue;
    const id = item[key];
    const index = out.findIndex((x) => isPlainObject(x) && jsonEqual(x[key], id));
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) out[index] = strategicMerge(out[index], item, path, kind);
    else out.push(strategicClean(item));
  }
  return Array.isArray(order) ? orderBy(out, order, key) : out;
}

export function strategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  if (!isPlainObject(patch)) throw new ApiError(400, 'BadRequest', 'the body of a strategic merge patch must be a JSON object');
  return strategicMerge(target, patch, [], kind);
}

export type PatchType = 'merge' | 'json' | 'strategic';

export function patchTypeOf(contentType: string): PatchType | undefined {
  const ct = contentType.split(';')[0]!.trim().toLowerCase();
  if (ct === 'application/merge-patch+json') return 'merge';
  if (ct === 'application/json-patch+json') return 'json';
  if (ct === 'application/strategic-merge-patch+json') return 'strategic';
  return undefined;
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown, kind: string): unknown {
  if (type === 'merge') return mergePatch(target, patch);
  if (type === 'json') return jsonPatch(target, patch);
  return strategicMergePatch(target, patch, kind);
}
