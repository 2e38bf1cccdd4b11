// The local DynamoDB in a process of its own (`startLocalDynamo({ engine: 'process' })`,
// local/dynamo/engine-child.ts starts it): dynalite on 127.0.0.1, a port of the system's
// choosing, in memory or on disk. DynamoDB is a separate service in the cloud; here it gets a
// core of its own instead of sharing the event loop of the functions that call it.
//   node local/dynamo/engine-process.ts '{"path":"<dir>"}'
// It prints one JSON line on stdout, {"port":N} once it listens or {"error":"..."} (then exits
// 1), and stops — closing the store, so LevelDB is flushed — when its stdin ends: the parent
// stops it, or dies (also by SIGKILL: the kernel closes the pipe). The parent starts it in a
// process group of its own, so a Ctrl-C meant for the parent does not stop it before the
// parent's last request; SIGTERM or SIGINT sent to it stop it the same orderly way.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

type Dynalite = (options: { path?: string; createTableMs: number; deleteTableMs: number; updateTableMs: number }) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

const say = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

let path: string | undefined;
try {
  const options = JSON.parse(process.argv[2] ?? '{}') as { path?: unknown };
  if (options.path !== undefined && typeof options.path !== 'string') throw new Error('path must be a string');
  path = options.path;
} catch (error) {
  say({ error: `bad options ${JSON.stringify(process.argv[2])}: ${(error as Error).message}` });
  process.exit(1);
}

const server = dynalite({ ...(path === undefined ? {} : { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
server.once('error', (error) => {
  say({ error: String(error) });
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => say({ port: (server.address() as AddressInfo).port }));
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, stop);
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
