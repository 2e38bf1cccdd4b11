// The HTTP face of one simulated cluster: routing of the Kubernetes REST paths, content
// negotiation (JSON, server-side Tables), watch streams, and the fault knobs.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { findCustomResource, isCustomDef } from './crd.ts';
import { customDiscoveryDoc } from './crd-discovery.ts';
import { coreVersionsDoc, groupListDoc, groupOneDoc, openApiV3GroupVersion, openApiV3Root, resourceListDoc, versionDoc } from './discovery.ts';
import type { ServerVersion } from './discovery.ts';
import type { KubeObject } from './objects.ts';
import { isPlainObject } from './objects.ts';
import type { PatchType } from './patch.ts';
import { getAt, listPage } from './list.ts';
import { patchTypeOf } from './patch.ts';
import { duplicateKeys } from './json-duplicates.ts';
import { decodeProtobufObject } from './protobuf.ts';
import { dryRunOf, refuseResourceVersionOnCreate } from './request-options.ts';
import { customDecoder } from './strict-custom.ts';
import type { Decoder } from './strict.ts';
import { decodeBody, decodePatched, fieldValidationOf, goFormat, modelDecoder, modelOf, warningHeader } from './strict.ts';
import type { DeleteOptions, Registry } from './registry.ts';
import { scaleOf } from './registry.ts';
import type { ResourceDef } from './resources.ts';
import { apiVersionOf, findResource } from './resources.ts';
import type { AuthGate } from './auth/gate.ts';
import type { UserInfo } from './auth/user.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import type { FieldRequirement, LabelSelector } from './selectors.ts';
import { ApiError, badRequest, gone, internalError, methodNotAllowed, pathNotFound, tooManyRequests, unsupportedMediaType } from './status.ts';
import type { StoreEvent } from './store.ts';
import { toTable } from './table.ts';

export interface Faults {
  /** Added before every request is answered. */
  latencyMs: number;
  /** Fraction (0..1) of resource requests answered 429 TooManyRequests. */
  rate429: number;
  /** Fraction (0..1) of resource requests answered 500 InternalError. */
  rate500: number;
  /** Ends every open watch stream (clients see the server close it, as on a watch timeout). */
  dropWatches(): void;
  /** Sends `410 Gone` (an ERROR event, reason Expired) to every watch and forgets the history. */
  forceGone(): void;
  /** While true, every connection is reset: the cluster is unreachable. */
  down: boolean;
}

export interface Counters {
  /** HTTP requests received. */
  requests: number;
  /** Mutating HTTP requests received (POST, PUT, PATCH, DELETE on resources), answered or not. */
  writes: number;
  /** Field validation warnings sent (unknown or duplicate fields dropped under fieldValidation Warn). */
  fieldWarnings: number;
}

interface Target {
  readonly def: ResourceDef;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: 'status' | 'scale' | 'finalize' | 'token';
}

/** How watches end and keep clients' resourceVersions fresh (docs/adr/0011-simulated-clusters.md). */
export interface WatchTiming {
  /** A watch without timeoutSeconds ends after a random time in [this, 2×this] (kube-apiserver --min-request-timeout, 1800 s). */
  readonly minRequestTimeoutMs: number;
  /** BOOKMARK events to watches that allow them, this often (the watch cache sends about one a minute). */
  readonly bookmarkIntervalMs: number;
}

export const DEFAULT_WATCH_TIMING: WatchTiming = { minRequestTimeoutMs: 1_800_000, bookmarkIntervalMs: 60_000 };

interface OpenWatch {
  end(): void;
  gone(): void;
}

type Accept = { table?: { apiVersion: string }; partial?: { apiVersion: string } };

function parseAccept(header: string | undefined): Accept {
  if (!header) return {};
  for (const part of header.split(',')) {
    const params = Object.fromEntries(part.split(';').slice(1).map((p) => p.trim().split('=') as [string, string]));
    const type = part.split(';')[0]!.trim();
    if (type !== 'application/json' && type !== '*/*') continue;
    if (params.as === 'Table' && params.g === 'meta.k8s.io') return { table: { apiVersion: `meta.k8s.io/${params.v ?? 'v1'}` } };
    if ((params.as === 'PartialObjectMetadata' || params.as === 'PartialObjectMetadataList') && params.g === 'meta.k8s.io') {
      return { partial: { apiVersion: `meta.k8s.io/${params.v ?? 'v1'}` } };
    }
    if (!params.as) return {};
  }
  return {};
}

function withoutTypeMeta(obj: KubeObject): Record<string, unknown> {
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/**
 * `sendInitialEvents` (KEP-3157, beta since Kubernetes 1.32): only with
 * resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true; resourceVersionMatch on a
 * watch only with it (ValidateListOptions: 422 otherwise). True: the watch starts with the current state.
 */
function watchInitialEvents(q: URLSearchParams, bookmarks: boolean): boolean {
  const send = q.get('sendInitialEvents');
  const match = q.get('resourceVersionMatch');
  const problems: string[] = [];
  if (send !== null) {
    if (match !== 'NotOlderThan') problems.push('resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    if (!bookmarks) problems.push('allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true');
  } else if (match !== null && match !== '') problems.push('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  if (problems.length > 0) {
    throw new ApiError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${problems.join(', ')}`, {
      group: 'meta.k8s.io', kind: 'ListOptions', name: '',
      causes: problems.map((p) => ({ reason: 'FieldValueForbidden', message: p.slice(p.indexOf(': ') + 2), field: p.slice(0, p.indexOf(':')) })),
    });
  }
  return send === 'true';
}

export class ApiServer {
  readonly faults: Faults;
  readonly counters: Counters = { requests: 0, writes: 0, fieldWarnings: 0 };
  private readonly registry: Registry;
  private readonly now: () => number;
  private readonly version: ServerVersion;
  private readonly timing: WatchTiming;
  private readonly server: Server;
  private readonly watches = new Set<OpenWatch>();
  /** The JSON text of each request's body, for the keys JSON.parse hides (given twice). */
  private readonly rawJson = new WeakMap<IncomingMessage, string>();
  private readonly sockets = new Set<Socket>();
  private address = '127.0.0.1:0';
  private readonly gate: AuthGate | undefined;

  /** `gate`: authentication and RBAC; `tls`: serve HTTPS with this key and certificate (kubectl sends credentials only over TLS). */
  constructor(registry: Registry, now: () => number, version: ServerVersion, timing: WatchTiming = DEFAULT_WATCH_TIMING, gate?: AuthGate, tls?: { key: string; cert: string }) {
    this.gate = gate;
    this.registry = registry;
    this.now = now;
    this.version = version;
    this.timing = timing;
    const watches = this.watches;
    const store = registry.store;
    const resetAll = (): void => this.resetAll();
    let down = false;
    this.faults = {
      latencyMs: 0,
      rate429: 0,
      rate500: 0,
      dropWatches(): void {
        for (const w of [...watches]) w.end();
      },
      forceGone(): void {
        store.compact();
        for (const w of [...watches]) w.gone();
      },
      get down(): boolean {
        return down;
      },
      set down(value: boolean) {
        down = value;
        if (value) resetAll();
      },
    };
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      void this.handle(req, res);
    };
    this.server = tls ? createTlsServer({ keepAlive: true, key: tls.key, cert: tls.cert }, handler) : createServer({ keepAlive: true }, handler);
    this.server.on('connection', (socket: Socket) => {
      if (down) {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    const actual = typeof addr === 'object' && addr ? addr.port : port;
    this.address = `127.0.0.1:${actual}`;
    return actual;
  }

  async close(): Promise<void> {
    for (const w of [...this.watches]) w.end();
    this.resetAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private resetAll(): void {
    for (const w of [...this.watches]) w.end();
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private send(res: ServerResponse, code: number, body: unknown): void {
    const bytes = Buffer.from(JSON.stringify(body));
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': bytes.length, 'Cache-Control': 'no-cache, private' });
    res.end(bytes);
  }

  private sendError(res: ServerResponse, error: ApiError): void {
    if (error.code === 429) res.setHeader('Retry-After', '1');
    this.send(res, error.code, error.body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    const url = new URL(req.url ?? '/', 'http://sim');
    const method = req.method ?? 'GET';
    try {
      if (this.faults.down) {
        req.socket.destroy();
        return;
      }
      if (this.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.faults.latencyMs));
      if (this.faults.down) {
        req.socket.destroy();
        return;
      }
      // Authentication and RBAC (local/sim/api/auth/): 401 or 403 before anything is looked up.
      const user = this.gate?.admit(req, url);
      if (this.discovery(url.pathname, res)) return;
      const target = this.route(url.pathname);
      if (method !== 'GET') this.counters.writes++;
      if (this.faults.rate429 > 0 && Math.random() < this.faults.rate429) throw tooManyRequests();
      if (this.faults.rate500 > 0 && Math.random() < this.faults.rate500) throw internalError('injected fault: the simulated server failed this request');
      await this.serve(method, target, url, req, res, user);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof ApiError) this.sendError(res, error);
      else this.sendError(res, internalError(error instanceof Error ? error.message : String(error)));
    }
  }

  /** Discovery, version and OpenAPI documents; false when the path is not one of them. */
  private discovery(path: string, res: ServerResponse): boolean {
    const p = path.replace(/\/+$/, '') || '/';
    let doc: unknown = customDiscoveryDoc(this.registry.store, p);
    if (doc !== undefined) {
      this.send(res, 200, doc);
      return true;
    }
    if (p === '/version') doc = versionDoc(this.version);
    else if (p === '/api') doc = coreVersionsDoc(this.address);
    else if (p === '/apis') doc = groupListDoc();
    else if (p === '/api/v1') doc = resourceListDoc('', 'v1');
    else if (p === '/healthz' || p === '/livez' || p === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
      return true;
    } else if (p === '/openapi/v3') doc = openApiV3Root();
    else if (p.startsWith('/openapi/')) {
      doc = p.startsWith('/openapi/v3/') ? openApiV3GroupVersion(p.slice('/openapi/v3/'.length)) : undefined;
      if (doc === undefined) throw pathNotFound();
    } else {
      const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(p);
      if (!m) return false;
      doc = m[2] ? resourceListDoc(m[1]!, m[2]) : groupOneDoc(m[1]!);
      if (doc === undefined) throw pathNotFound();
    }
    this.send(res, 200, doc);
    return true;
  }

  private route(path: string): Target {
    const parts = path.split('/').filter((x) => x !== '').map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (parts[0] === 'api' && parts.length >= 3) {
      group = '';
      version = parts[1]!;
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 4) {
      group = parts[1]!;
      version = parts[2]!;
      rest = parts.slice(3);
    } else throw pathNotFound();
    let namespace: string | undefined;
    // namespaces/{ns}/{resource}... (but namespaces/{name} and namespaces/{name}/status|finalize are the Namespace itself)
    if (rest[0] === 'namespaces' && rest.length >= 3 && rest[2] !== 'status' && rest[2] !== 'finalize') {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const def = findResource(group, version, rest[0] ?? '') ?? findCustomResource(this.registry.store, group, version, rest[0] ?? '');
    if (!def || rest.length > 3) throw pathNotFound();
    if (namespace !== undefined && !def.namespaced) throw pathNotFound();
    const sub = rest[2];
    if (sub !== undefined && !(def.subresources as readonly string[]).includes(sub) && !(def.plural === 'namespaces' && sub === 'finalize')) throw pathNotFound();
    return { def, ...(namespace !== undefined ? { namespace } : {}), ...(rest[1] !== undefined ? { name: rest[1] } : {}), ...(sub ? { subresource: sub as Target['subresource'] } : {}) };
  }

  private async readBody(req: IncomingMessage, def?: ResourceDef): Promise<unknown> {
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
      req.on('error', reject);
    });
    const text = raw.toString('utf8');
    if (text.trim() === '') return undefined;
    const ct = (req.headers['content-type'] ?? 'application/json').toLowerCase();
    if (ct.startsWith('application/vnd.kubernetes.protobuf')) return decodeProtobufObject(raw, def, def !== undefined && isCustomDef(def));
    if (ct.includes('cbor')) throw unsupportedMediaType(ct);
    try {
      if (ct.startsWith('application/yaml') || ct.startsWith('application/apply-patch+yaml')) return parseYaml(text) as unknown;
      const parsed = JSON.parse(text) as unknown;
      this.rawJson.set(req, text);
      return parsed;
    } catch (error) {
      throw new ApiError(400, 'BadRequest', `the body of the request could not be decoded: ${error instanceof Error ? error.message : String(error)}; send a JSON object`, undefined, { cause: error });
    }
  }

  private async serve(method: string, t: Target, url: URL, req: IncomingMessage, res: ServerResponse, user?: UserInfo): Promise<void> {
    const q = url.searchParams;
    const accept = parseAccept(req.headers.accept);
    const dryRun = dryRunOf(method, q);
    const reg = this.registry;
    const { def } = t;
    // Field validation (local/sim/api/strict.ts): JSON and YAML bodies decoded as the server's Go types.
    const directive = method === 'POST' || method === 'PUT' || method === 'PATCH' ? fieldValidationOf(method, q) : 'Warn';
    const model = t.subresource === 'scale' ? 'V1Scale' : t.subresource === 'token' ? 'AuthenticationV1TokenRequest' : modelOf(def.group, def.version, def.kind);
    const decoder: Decoder | undefined = isCustomDef(def) ? customDecoder(def) : model ? modelDecoder(model) : undefined;
    const warnings: string[] = [];
    const decode = (body: unknown): unknown => {
      if (!(req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf')) {
        const raw = this.rawJson.get(req);
        const found = decodeBody(def, body, directive, decoder, raw === undefined || directive === 'Ignore' ? [] : duplicateKeys(raw));
        this.counters.fieldWarnings += found.length;
        warnings.push(...found);
      }
      if (warnings.length > 0) res.setHeader('Warning', warnings.map(warningHeader));
      return body;
    };
    if (t.subresource === 'finalize') throw methodNotAllowed();
    // TokenRequests and the reviews are answered, not stored (local/sim/api/auth/).
    const answer = user && (await this.gate?.answer(user, method, t, async () => decode(await this.readBody(req, def)), this.now()));
    if (answer) return this.send(res, answer.code, answer.body);
    if (t.name === undefined) {
      const labels = parseLabelSelector(q.get('labelSelector'));
      const fields = parseFieldSelector(def, q.get('fieldSelector'));
      if (method === 'GET') {
        if (q.get('watch') === 'true' || q.get('watch') === '1') return this.watch(t, labels, fields, q, accept, res);
        // resourceVersion semantics, limit/continue from the first page's snapshot: local/sim/api/list.ts.
        const page = await listPage(reg, def, t.namespace, labels, fields, q);
        return this.sendList(res, def, page.items, page.resourceVersion, accept, page.continueToken, page.remainingItemCount);
      }
      if (method === 'POST') {
        const body = decode(await this.readBody(req, def));
        refuseResourceVersionOnCreate(body);
        const created = reg.create(def, t.namespace, body, { dryRun });
        return this.send(res, 201, created);
      }
      if (method === 'DELETE') {
        const opts = await this.deleteOptions(req, q);
        const deleted = reg.deleteCollection(def, t.namespace, labels, fields, opts);
        return this.send(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(reg.store.resourceVersion) }, items: deleted.map(withoutTypeMeta) });
      }
      throw methodNotAllowed();
    }
    const name = t.name;
    const sub = t.subresource as 'status' | 'scale' | undefined;
    switch (method) {
      case 'GET': {
        if (q.get('watch') === 'true') {
          const fields: FieldRequirement[] = [{ path: 'metadata.name', equal: true, value: name }];
          return this.watch(t, [], fields, q, accept, res);
        }
        await getAt(reg.store, q.get('resourceVersion') ?? '');
        const obj = reg.get(def, t.namespace, name);
        if (sub === 'scale') return this.send(res, 200, scaleOf(def, obj));
        if (accept.table && !sub) return this.send(res, 200, toTable(def, [obj], obj.metadata.resourceVersion ?? '', this.now(), { apiVersion: accept.table.apiVersion, includeObject: this.includeObject(q), withColumns: true }));
        return this.send(res, 200, obj);
      }
      case 'PUT': {
        const body = decode(await this.readBody(req, def));
        return this.send(res, 200, reg.update(def, t.namespace, name, body, { dryRun, ...(sub ? { subresource: sub } : {}) }));
      }
      case 'PATCH': {
        const type: PatchType | undefined = patchTypeOf(req.headers['content-type'] ?? '');
        if (!type) {
          if ((req.headers['content-type'] ?? '').startsWith('application/apply-patch')) {
            throw new ApiError(415, 'UnsupportedMediaType', 'server-side apply is not supported by the simulated cluster; use client-side `kubectl apply` (the default)');
          }
          throw unsupportedMediaType(req.headers['content-type'] ?? '');
        }
        const body = await this.readBody(req);
        const decodePatch = (patched: unknown, kind: string): void => {
          const found = decodePatched(kind === 'Scale' ? modelDecoder('V1Scale') : decoder, patched, directive, () => (type === 'strategic' ? goFormat(body) : JSON.stringify(patched)));
          this.counters.fieldWarnings += found.length;
          warnings.push(...found);
          if (warnings.length > 0) res.setHeader('Warning', warnings.map(warningHeader));
        };
        return this.send(res, 200, reg.patch(def, t.namespace, name, type, body, { dryRun, decodePatched: decodePatch, ...(sub ? { subresource: sub } : {}) }));
      }
      case 'DELETE': {
        if (sub) throw methodNotAllowed();
        const opts = await this.deleteOptions(req, q);
        return this.send(res, 200, reg.delete(def, t.namespace, name, { ...opts, dryRun }));
      }
      default:
        throw methodNotAllowed();
    }
  }

  private includeObject(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
    const v = q.get('includeObject');
    return v === 'None' || v === 'Object' ? v : 'Metadata';
  }

  private sendList(res: ServerResponse, def: ResourceDef, items: readonly KubeObject[], rv: string, accept: Accept, continueToken?: string, remaining?: number): void {
    const more = continueToken ? { continue: continueToken, remainingItemCount: remaining } : {};
    if (accept.table) {
      const table = toTable(def, items, rv, this.now(), { apiVersion: accept.table.apiVersion, includeObject: 'Metadata', withColumns: true }) as { metadata: object };
      return this.send(res, 200, { ...table, metadata: { ...table.metadata, ...more } });
    }
    if (accept.partial) {
      return this.send(res, 200, { kind: 'PartialObjectMetadataList', apiVersion: accept.partial.apiVersion, metadata: { resourceVersion: rv }, items: items.map((i) => ({ kind: 'PartialObjectMetadata', apiVersion: accept.partial!.apiVersion, metadata: i.metadata })) });
    }
    this.send(res, 200, { kind: `${def.kind}List`, apiVersion: apiVersionOf(def), metadata: { resourceVersion: rv, ...more }, items: items.map(withoutTypeMeta) });
  }

  private async deleteOptions(req: IncomingMessage, q: URLSearchParams): Promise<DeleteOptions> {
    const body = await this.readBody(req);
    const b = isPlainObject(body) ? body : {};
    const policy = (b.propagationPolicy ?? q.get('propagationPolicy') ?? undefined) as DeleteOptions['propagationPolicy'];
    const graceRaw = b.gracePeriodSeconds ?? q.get('gracePeriodSeconds') ?? undefined;
    const pre = isPlainObject(b.preconditions) ? b.preconditions : undefined;
    if (body !== undefined && !isPlainObject(body)) throw badRequest('the body of a delete must be a DeleteOptions object');
    return {
      ...(policy ? { propagationPolicy: policy } : {}),
      ...(graceRaw !== undefined && graceRaw !== null ? { gracePeriodSeconds: Number(graceRaw) } : {}),
      ...(pre ? { preconditions: { ...(typeof pre.uid === 'string' ? { uid: pre.uid } : {}), ...(typeof pre.resourceVersion === 'string' ? { resourceVersion: pre.resourceVersion } : {}) } } : {}),
    };
  }

  private watch(t: Target, labels: LabelSelector, fields: readonly FieldRequirement[], q: URLSearchParams, accept: Accept, res: ServerResponse): void {
    const { def } = t;
    const store = this.registry.store;
    const rvText = q.get('resourceVersion') ?? '';
    const rv = rvText === '' || rvText === '0' ? undefined : Number(rvText);
    if (rv !== undefined && !Number.isFinite(rv)) throw badRequest(`invalid resource version: ${rvText}`);
    const bookmarks = q.get('allowWatchBookmarks') === 'true';
    const initial = watchInitialEvents(q, bookmarks);
    const replay = rv === undefined || initial ? [] : store.since(rv);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    let first = true;
    const now = this.now;
    const registry = this.registry;
    const matches = (obj: KubeObject | undefined): boolean => {
      if (!obj) return false;
      if (def.namespaced && t.namespace !== undefined && obj.metadata.namespace !== t.namespace) return false;
      return matchesLabels(labels, obj.metadata.labels) && matchesFields(fields, registry.present(def, obj));
    };
    const line = (type: string, obj: KubeObject): string => {
      const shown = registry.present(def, obj);
      if (accept.table) {
        const table = toTable(def, [shown], shown.metadata.resourceVersion ?? '', now(), { apiVersion: accept.table.apiVersion, includeObject: this.includeObject(q), withColumns: first });
        first = false;
        return `${JSON.stringify({ type, object: table })}\n`;
      }
      return `${JSON.stringify({ type, object: shown })}\n`;
    };
    const cachedLine = (ev: StoreEvent, type: string, obj: KubeObject): string | Buffer => {
      if (accept.table) return line(type, obj);
      const key = `${def.group}/${def.version}/${type}/${obj === ev.object ? 'o' : 'p'}`;
      let bytes = ev.lines.get(key);
      if (bytes === undefined) {
        bytes = Buffer.from(line(type, obj));
        ev.lines.set(key, bytes);
      }
      return bytes;
    };
    // Lines written in one turn of the event loop go out in one chunk (fewer syscalls with many watchers).
    let pending: (string | Buffer)[] = [];
    let scheduled = false;
    let closed = false;
    const flush = (): void => {
      scheduled = false;
      if (pending.length === 0 || closed) return;
      if (pending.length === 1) res.write(pending[0]);
      else res.write(Buffer.concat(pending.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))));
      pending = [];
    };
    const emit = (text: string | Buffer): void => {
      pending.push(text);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    };
    const deliver = (ev: StoreEvent): void => {
      if (ev.storage !== def.storage) return;
      const now = ev.type === 'DELETED' ? false : matches(ev.object);
      const before = ev.type === 'ADDED' ? false : matches(ev.previous);
      if (ev.type === 'DELETED') {
        if (before || matches(ev.object)) emit(cachedLine(ev, 'DELETED', ev.object));
      } else if (now && before) emit(cachedLine(ev, 'MODIFIED', ev.object));
      else if (now) emit(cachedLine(ev, 'ADDED', ev.object));
      else if (before) {
        // Left the selection: watchers see it deleted (with the new state), as the API server does.
        emit(cachedLine(ev, 'DELETED', ev.object));
      }
    };
    let unsubscribe = (): void => {};
    /** Clears the watch's timeout and bookmark timers. */
    let clearTimers = (): void => {};
    const watch: OpenWatch = {
      end: () => {
        if (closed) return;
        flush();
        closed = true;
        unsubscribe();
        clearTimers();
        this.watches.delete(watch);
        res.end();
      },
      gone: () => {
        if (closed) return;
        emit(`${JSON.stringify({ type: 'ERROR', object: gone('The resourceVersion for the provided watch is too old.').body })}\n`);
        watch.end();
      },
    };
    this.watches.add(watch);
    res.on('close', () => watch.end());
    if (replay === undefined) {
      emit(`${JSON.stringify({ type: 'ERROR', object: gone(`too old resource version: ${rvText} (${store.oldestWatchableRv})`).body })}\n`);
      watch.end();
      return;
    }
    const bookmark = (annotations?: Record<string, string>): string =>
      `${JSON.stringify({ type: 'BOOKMARK', object: { kind: def.kind, apiVersion: apiVersionOf(def), metadata: { resourceVersion: String(store.resourceVersion), ...(annotations ? { annotations } : {}) } } })}\n`;
    if (rv === undefined || initial) {
      for (const obj of store.list(def.storage, def.namespaced ? t.namespace : undefined)) {
        if (matches(obj)) emit(line('ADDED', obj));
      }
      // sendInitialEvents: the end of the initial state is a bookmark so annotated (KEP-3157).
      if (initial) emit(bookmark({ 'k8s.io/initial-events-end': 'true' }));
    } else {
      for (const ev of replay) deliver(ev);
    }
    unsubscribe = store.subscribe(deliver);
    // Without timeoutSeconds the server picks [min, 2×min) of --min-request-timeout (apiserver
    // endpoints/handlers/get.go ListResource), so clients must expect watches to end.
    const timeout = Number(q.get('timeoutSeconds') ?? '0');
    const ms = timeout > 0 ? timeout * 1000 : this.timing.minRequestTimeoutMs * (1 + Math.random());
    const bookmarkTimer = bookmarks ? setInterval(() => emit(bookmark()), this.timing.bookmarkIntervalMs) : undefined;
    const timer = setTimeout(() => watch.end(), Math.min(ms, 2 ** 31 - 1));
    bookmarkTimer?.unref();
    timer.unref();
    clearTimers = () => {
      clearTimeout(timer);
      clearInterval(bookmarkTimer);
    };
  }
}
