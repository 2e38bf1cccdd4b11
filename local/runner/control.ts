// The control endpoint of a running `gns-sync local`: HTTP on 127.0.0.1 (port chosen by the
// OS, written to `<stateDir>/control.json`), so `gns-sync status` and `gns-sync replay` can
// ask the process that holds the state directory's lock.
//
// Only the user who may read the state directory may use it (docs/security.md): every request
// carries the per-run secret of control.json (0600) as a bearer token; a request with an
// `Origin` header (a browser's: a web page cannot reach it) or a Host other than the loopback
// address (DNS rebinding) is refused, and a POST must be `application/json` (no simple
// cross-site form or text/plain request).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TargetStatus } from '../../shared/ports.ts';
import { processAlive, statePaths } from './state-dir.ts';

import type { ClusterReachability } from './preflight.ts';
import type { PoolStatus } from './pool-status.ts';
import type { PropagationSummary } from './propagation-window.ts';

export interface StatusReport {
  readonly pid: number;
  readonly startedAt: number;
  readonly targets: readonly TargetStatus[];
  /** Targets with a stored status that are no longer in a member of their GNS (not listed). */
  readonly hiddenTargets?: number;
  readonly deadLetters: { readonly ingest: number; readonly sync: number };
  readonly queues: Readonly<Record<string, number>>;
  /** Each cluster's API server, asked when the status was requested (a running process only). */
  readonly clusters?: readonly ClusterReachability[];
  /** The VIP pool's usage, in all and per GNS (absent: the store could not be read for it). */
  readonly pool?: PoolStatus;
  /** The propagation lag of the last minutes (a running process only: it measures it). */
  readonly propagation?: PropagationSummary;
}

export interface ReplayRequest {
  readonly fromMs: number;
  readonly toMs: number;
  readonly name?: string;
}

export interface ReplayReport {
  readonly name: string;
  readonly events: number;
  readonly skipped: number;
}

export interface ControlHandlers {
  status(): Promise<StatusReport>;
  replay(request: ReplayRequest): Promise<ReplayReport>;
}

const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > MAX_BODY) throw new Error('request body too large');
  }
  return text;
}

function parseReplay(text: string): ReplayRequest | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'body: not valid JSON';
  }
  const r = raw as Partial<Record<keyof ReplayRequest, unknown>>;
  if (typeof r !== 'object' || r === null) return 'body: must be an object';
  if (typeof r.fromMs !== 'number' || !Number.isFinite(r.fromMs)) return 'fromMs: must be a number';
  if (typeof r.toMs !== 'number' || !Number.isFinite(r.toMs)) return 'toMs: must be a number';
  if (r.toMs <= r.fromMs) return 'toMs: must be after fromMs';
  if (r.name !== undefined && (typeof r.name !== 'string' || !/^[.\-_A-Za-z0-9]{1,64}$/.test(r.name))) return 'name: must be 1-64 of [.-_A-Za-z0-9]';
  return { fromMs: r.fromMs, toMs: r.toMs, ...(r.name !== undefined ? { name: r.name as string } : {}) };
}

/** Where to reach the running process, and its per-run secret. */
export interface ControlAddress {
  readonly pid: number;
  readonly port: number;
  readonly token: string;
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Why a request is refused before it reaches a handler (status and message), or undefined. */
export function refusal(req: Pick<IncomingMessage, 'method' | 'headers'>, port: number, token: string): { code: number; error: string } | undefined {
  if (req.headers.origin !== undefined) return { code: 403, error: 'requests from a browser (with an Origin header) are refused' };
  const host = req.headers.host ?? '';
  if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return { code: 403, error: `host ${JSON.stringify(host)} is not this endpoint (127.0.0.1:${port})` };
  const auth = req.headers.authorization ?? '';
  if (!auth.startsWith('Bearer ') || !sameSecret(auth.slice(7), token)) return { code: 401, error: 'missing or wrong token (the one in control.json of the state directory)' };
  if (req.method === 'POST' && (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    return { code: 415, error: 'the body must be application/json' };
  }
  return undefined;
}

/** Writes control.json afresh, readable by its owner only (never a file left by a crash, which may be another's). */
function writeControlFile(file: string, address: ControlAddress): void {
  rmSync(file, { force: true });
  const fd = openSync(file, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(address)}\n`);
  } finally {
    closeSync(fd);
  }
}

/** Starts the endpoint and writes control.json; `close()` stops it and removes the file. */
export async function startControl(stateDir: string, handlers: ControlHandlers): Promise<{ port: number; close(): Promise<void> }> {
  const token = randomBytes(32).toString('base64url');
  let port = 0;
  const server: Server = createServer((req, res) => {
    void (async () => {
      try {
        const refused = refusal(req, port, token);
        if (refused) return send(res, refused.code, { error: refused.error });
        if (req.method === 'GET' && req.url === '/status') return send(res, 200, await handlers.status());
        if (req.method === 'POST' && req.url === '/replay') {
          const body = await readBody(req).catch(() => undefined);
          if (body === undefined) return send(res, 413, { error: `body: larger than ${MAX_BODY} bytes` });
          const parsed = parseReplay(body);
          if (typeof parsed === 'string') return send(res, 400, { error: parsed });
          return send(res, 200, await handlers.replay(parsed));
        }
        return send(res, 404, { error: `no such endpoint: ${req.method} ${req.url}` });
      } catch (error) {
        return send(res, 500, { error: (error as Error).message });
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const file = statePaths(stateDir).control;
  writeControlFile(file, { pid: process.pid, port, token });
  return {
    port,
    async close() {
      rmSync(file, { force: true });
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The running process's endpoint, when there is one (a control.json of a dead process is ignored). */
export function findControl(stateDir: string): ControlAddress | undefined {
  try {
    const raw = JSON.parse(readFileSync(statePaths(stateDir).control, 'utf8')) as { pid?: unknown; port?: unknown; token?: unknown };
    if (typeof raw.pid !== 'number' || typeof raw.port !== 'number' || typeof raw.token !== 'string') return undefined;
    return processAlive(raw.pid) ? { pid: raw.pid, port: raw.port, token: raw.token } : undefined;
  } catch {
    return undefined;
  }
}

/** One request to the control endpoint; rejects when it cannot be reached or answers an error. */
export function callControl<T>(control: Pick<ControlAddress, 'port' | 'token'>, method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 10_000): Promise<T> {
  const { port, token } = control;
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers = { authorization: `Bearer ${token}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) };
    const req = request({ host: '127.0.0.1', port, method, path, timeout: timeoutMs, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return reject(new Error(`the control endpoint answered ${res.statusCode} with a body that is not JSON`));
        }
        if (res.statusCode !== 200) return reject(new Error((parsed as { error?: string }).error ?? `HTTP ${res.statusCode}`));
        resolve(parsed as T);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`the control endpoint on port ${port} did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(payload);
  });
}
