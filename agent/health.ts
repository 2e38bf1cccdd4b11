// The agent's HTTP endpoints: `/healthz` (200 when the informers are synced and the publisher
// is not stuck, else 503 with the reason) and `/metrics` (Prometheus text from the agent's own
// registry).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AgentMetrics } from './metrics.ts';
import type { PublisherStatus } from './publisher.ts';

export interface Health {
  readonly ok: boolean;
  /** Why not (one line per problem). */
  readonly reasons: readonly string[];
}

export interface InformerHealth {
  /** e.g. `ns-one/pods`. */
  readonly name: string;
  readonly synced: boolean;
  readonly failingSinceMs: number | undefined;
  readonly lastError: string | undefined;
}

/**
 * Healthy when every informer has listed once, and neither an informer nor the publisher has
 * kept failing for `stuckAfterMs`. A standby (publishing nothing) is healthy.
 */
export function assessHealth(input: {
  readonly now: number;
  readonly stuckAfterMs: number;
  readonly informers: readonly InformerHealth[];
  readonly publisher: PublisherStatus;
}): Health {
  const { now, stuckAfterMs, publisher } = input;
  const reasons: string[] = [];
  const seconds = (since: number): number => Math.round((now - since) / 1000);
  const unsynced = input.informers.filter((i) => !i.synced).map((i) => i.name);
  if (unsynced.length > 0) reasons.push(`informers not synced yet: ${unsynced.join(', ')}`);
  for (const informer of input.informers) {
    const since = informer.failingSinceMs;
    if (since !== undefined && now - since >= stuckAfterMs) {
      reasons.push(`informer ${informer.name} failing for ${seconds(since)} s: ${informer.lastError ?? 'unknown error'}`);
    }
  }
  const since = publisher.failingSinceMs;
  if (since !== undefined && now - since >= stuckAfterMs) {
    reasons.push(`publisher stuck: PutEvents failing for ${seconds(since)} s (${publisher.lastError ?? 'unknown error'}), ${publisher.buffered} entries buffered`);
  }
  return { ok: reasons.length === 0, reasons };
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Serves /healthz and /metrics on `port` (0: any free port) of `host` (default all interfaces). */
export async function startHealthServer(options: {
  readonly port: number;
  readonly host?: string;
  readonly metrics: AgentMetrics;
  readonly health: () => Health;
}): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    if (path === '/healthz') {
      const health = options.health();
      const body = health.ok ? 'ok\n' : `${health.reasons.join('\n')}\n`;
      res.writeHead(health.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
      return;
    }
    if (path === '/metrics') {
      options.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': options.metrics.registry.contentType }).end(text),
        (error: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${String(error)}\n`),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
