// Lists as kube-apiserver 1.33 serves them (apiserver pkg/storage/cacher/delegator/interface.go
// ShouldDelegateList, cacher.go GetList, etcd3/store.go GetList and errors.go, continue.go,
// apimachinery internalversion/validation ValidateListOptions):
// - `resourceVersion` unset: the current state (a consistent read);
// - "0": any state the cache has (here the current one); `limit` is ignored (computeListLimit);
// - N with NotOlderThan (or no match and no limit): the current state once it reaches N,
//   else after 3 s (the watch cache's blockTimeout) 504 Timeout "Too large resource version";
// - N with Exact (or no match with a limit, the legacy case): the state at N, rebuilt from the
//   watch history; 410 Expired when N was forgotten, and a future N fails as etcd's Range does;
// - `limit`/`continue`: pages in etcd key order (`<namespace>/<name>`, bytewise), every later
//   page read at the first page's resourceVersion, so objects created later do not appear and
//   deleted ones still do; a token whose version was forgotten is 410 Expired with a token to
//   continue inconsistently at the latest version (rv -1), as handleCompactedErrorForPaging.
import type { KubeObject } from './objects.ts';
import type { Registry } from './registry.ts';
import type { ResourceDef } from './resources.ts';
import type { FieldRequirement, LabelSelector } from './selectors.ts';
import { matchesFields, matchesLabels } from './selectors.ts';
import { ApiError, badRequest, internalError } from './status.ts';
import type { ObjectStore } from './store.ts';

/** How long a list waits for a resourceVersion the server has not reached (watch_cache.go blockTimeout). */
export const BLOCK_TIMEOUT_MS = 3000;

const INCONSISTENT_CONTINUE = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export interface ListPage {
  readonly items: readonly KubeObject[];
  readonly resourceVersion: string;
  readonly continueToken?: string;
  readonly remainingItemCount?: number;
}

function invalidListOptions(problems: readonly { field: string; reason: string; message: string }[]): ApiError {
  const text = problems.map((p) => `${p.field}: ${p.message}`).join(', ');
  return new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${problems.length > 1 ? `[${text}]` : text}`, {
    group: 'meta.k8s.io', kind: 'ListOptions', name: '', causes: problems.map((p) => ({ reason: p.reason, message: p.message, field: p.field })),
  });
}

function parseRv(text: string): number {
  if (!/^\d+$/.test(text)) throw badRequest(`invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(text)}: strconv.ParseUint: parsing ${JSON.stringify(text)}: invalid syntax`);
  return Number(text);
}

/** The etcd key of an object relative to the list's prefix: `name` within a namespace, else `namespace/name`. */
const keyOf = (obj: KubeObject, inNamespace: boolean): string => (inNamespace || !obj.metadata.namespace ? (obj.metadata.name ?? '') : `${obj.metadata.namespace}/${obj.metadata.name ?? ''}`);
const byKey = (inNamespace: boolean) => (a: KubeObject, b: KubeObject): number => Buffer.compare(Buffer.from(keyOf(a, inNamespace)), Buffer.from(keyOf(b, inNamespace)));

export function encodeContinue(startKey: string, rv: number): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: startKey })).toString('base64url');
}

function decodeContinue(token: string): { start: string; rv: number } {
  let c: { v?: unknown; rv?: unknown; start?: unknown };
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof c;
  } catch (error) {
    throw new ApiError(400, 'BadRequest', `invalid continue token: continue key is not valid: ${(error as Error).message}`, undefined, { cause: error });
  }
  if (c === null || typeof c !== 'object' || c.v !== 'meta.k8s.io/v1') throw badRequest(`invalid continue token: continue key is not valid: server does not recognize this encoded version ${String(c?.v)}`);
  if (typeof c.rv !== 'number' || c.rv === 0 || !Number.isInteger(c.rv)) throw badRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  if (typeof c.start !== 'string' || c.start === '') throw badRequest('invalid continue token: continue key is not valid: encoded start key empty (version meta.k8s.io/v1)');
  return { start: c.start, rv: c.rv };
}

/** A storage's objects as they were at `rv` (the current ones undone by the newer history); undefined when that history is forgotten. */
export function objectsAt(store: ObjectStore, storage: string, namespace: string | undefined, rv: number): KubeObject[] | undefined {
  const newer = store.since(rv);
  if (newer === undefined) return undefined;
  const byName = new Map<string, KubeObject>();
  const key = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
  for (const obj of store.list(storage, namespace)) byName.set(key(obj), obj);
  for (let i = newer.length - 1; i >= 0; i--) {
    const ev = newer[i]!;
    if (ev.storage !== storage || (namespace !== undefined && ev.object.metadata.namespace !== namespace)) continue;
    if (ev.type === 'ADDED') byName.delete(key(ev.object));
    else if (ev.previous) byName.set(key(ev.previous), ev.previous);
  }
  return [...byName.values()];
}

/** Resolves once the store reaches `rv`, or after `ms`; true when it did. */
export function waitForRv(store: ObjectStore, rv: number, ms: number): Promise<boolean> {
  if (store.resourceVersion >= rv) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), ms);
    const unsubscribe = store.subscribe(() => {
      if (store.resourceVersion >= rv) done(true);
    });
  });
}

/**
 * A read "not older than" `rv` (the watch cache's waitUntilFreshAndBlock): waits up to 3 s for
 * the cluster to reach it, then 504 Timeout "Too large resource version" with the real details.
 */
export async function notOlderThan(store: ObjectStore, rv: number): Promise<void> {
  if (await waitForRv(store, rv, BLOCK_TIMEOUT_MS)) return;
  throw new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${store.resourceVersion}`, {
    retryAfterSeconds: 1, causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
  });
}

/** GET of one object with `resourceVersion`: "" and "0" read the latest; N waits for N (get.go, cacher Get). */
export async function getAt(store: ObjectStore, rvText: string): Promise<void> {
  if (rvText === '' || rvText === '0') return;
  await notOlderThan(store, parseRv(rvText));
}

/** One page of a list request, answered as a real server answers it. */
export async function listPage(reg: Registry, def: ResourceDef, namespace: string | undefined, labels: LabelSelector, fields: readonly FieldRequirement[], q: URLSearchParams): Promise<ListPage> {
  const store = reg.store;
  const rvText = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  const token = q.get('continue') ?? '';
  const limitText = q.get('limit');
  const problems: { field: string; reason: string; message: string }[] = [];
  if (match !== '') {
    if (rvText === '') problems.push({ field: 'resourceVersionMatch', reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' });
    if (token !== '') problems.push({ field: 'resourceVersionMatch', reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided' });
    if (match !== 'Exact' && match !== 'NotOlderThan') problems.push({ field: 'resourceVersionMatch', reason: 'FieldValueNotSupported', message: `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan", ""` });
    if (match === 'Exact' && rvText === '0') problems.push({ field: 'resourceVersionMatch', reason: 'FieldValueForbidden', message: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
  }
  if (q.has('sendInitialEvents')) problems.push({ field: 'sendInitialEvents', reason: 'FieldValueForbidden', message: 'Forbidden: sendInitialEvents is forbidden for list' });
  if (problems.length > 0) throw invalidListOptions(problems);
  if (limitText !== null && !/^-?\d+$/.test(limitText)) throw badRequest(`limit: strconv.ParseInt: parsing ${JSON.stringify(limitText)}: invalid syntax`);
  let limit = limitText === null ? 0 : Math.max(0, Number(limitText));
  const inNamespace = def.namespaced && namespace !== undefined;
  const ns = def.namespaced ? namespace : undefined;

  let at: number | undefined; // read the state at this version; undefined: the current state
  let start: string | undefined;
  if (token !== '') {
    const c = decodeContinue(token);
    if (rvText !== '' && rvText !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    start = c.start;
    if (c.rv > 0) at = c.rv;
  } else if (rvText !== '') {
    const rv = parseRv(rvText);
    if (rvText === '0' && match !== 'Exact') limit = 0; // served from the watch cache, which ignores limit
    else if (match === 'Exact' || (match === '' && limit > 0)) at = rv;
    else await notOlderThan(store, rv);
  }

  let stored: KubeObject[];
  let past = false; // read from "etcd" at an older revision: key order
  if (at === undefined || at === store.resourceVersion) {
    stored = store.list(def.storage, ns);
    at = store.resourceVersion;
  } else if (at > store.resourceVersion) {
    // etcd's Range at a future revision: the error passes through the apiserver as it is.
    throw internalError('etcdserver: mvcc: required revision is a future revision');
  } else {
    const then = objectsAt(store, def.storage, ns, at);
    if (then === undefined) {
      if (start === undefined) throw new ApiError(410, 'Expired', 'The resourceVersion for the provided list is too old.');
      const expired = new ApiError(410, 'Expired', INCONSISTENT_CONTINUE);
      (expired.body.metadata as Record<string, string>).continue = encodeContinue(start, -1);
      throw expired;
    }
    stored = then;
    past = true;
  }
  const paged = limit > 0 || start !== undefined;
  let items = stored.map((o) => reg.present(def, o)).filter((o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o));
  if (paged || past) items.sort(byKey(inNamespace));
  if (start !== undefined) {
    const from = Buffer.from(start);
    items = items.filter((o) => Buffer.compare(Buffer.from(keyOf(o, inNamespace)), from) >= 0);
  }
  if (limit === 0 || items.length <= limit) return { items, resourceVersion: String(at) };
  const page = items.slice(0, limit);
  const continueToken = encodeContinue(`${keyOf(page[page.length - 1]!, inNamespace)}\u0000`, at);
  const selectors = labels.length > 0 || fields.length > 0;
  return { items: page, resourceVersion: String(at), continueToken, ...(selectors ? {} : { remainingItemCount: items.length - limit }) };
}
