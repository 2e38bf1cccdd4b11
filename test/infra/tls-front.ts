// HTTPS in front of a simulated cluster (which speaks plain HTTP), with the test certificate of
// test/fixtures/tls: the functions' secret path refuses anything but https:// with TLS
// verification on (docs/security.md), so tests that hand a simulated cluster to the bundled
// functions go through this, as a real API server would be reached.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { stringify } from 'yaml';

const TLS = join(import.meta.dirname, '../fixtures/tls');
const cert = readFileSync(join(TLS, 'loopback.crt'));
const key = readFileSync(join(TLS, 'loopback.key'));

export interface TlsFront {
  readonly url: string;
  close(): Promise<void>;
}

/** Terminates TLS on a loopback port and forwards each connection to `httpUrl` (http://127.0.0.1:PORT). */
export async function tlsFront(httpUrl: string): Promise<TlsFront> {
  const target = new URL(httpUrl);
  const sockets = new Set<TLSSocket>();
  const server = createServer({ key, cert }, (socket) => {
    sockets.add(socket);
    const upstream = connect(Number(target.port), target.hostname);
    socket.pipe(upstream).pipe(socket);
    const end = () => { socket.destroy(); upstream.destroy(); sockets.delete(socket); };
    socket.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A kubeconfig a cluster secret may hold: the server over https, the test CA, a static token. */
export function secretKubeconfig(name: string, url: string, token: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': name,
    clusters: [{ name, cluster: { server: url, 'certificate-authority-data': cert.toString('base64') } }],
    users: [{ name, user: { token } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
  });
}
