// Cluster DNS like CoreDNS's kubernetes plugin: A/AAAA for `<svc>.<ns>.svc.cluster.local`
// (headless: ready endpoint addresses; otherwise the clusterIP) and
// `<endpoint>.<svc>.<ns>.svc.cluster.local` (the endpoint's hostname, else its dashed address),
// SRV for named ports and PTR for clusterIPs and endpoint addresses (dns-records.ts), from the
// EndpointSlices. Served with dns-packet on loopback over UDP (answers that do not fit are
// truncated, TC set) and over TCP on the same port, as CoreDNS listens.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Server, Socket as TcpSocket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import type { KubeObject } from './api/objects.ts';
import { isPlainObject } from './api/objects.ts';
import type { ObjectStore } from './api/store.ts';
import { endpointHostname, ptrRecords, srvRecords, TTL, ZONE } from './dns-records.ts';

type Obj = Record<string, unknown>;
const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export interface Resolution {
  /** Whether the name exists (any record type). */
  readonly exists: boolean;
  readonly addresses: readonly string[];
}

/** What the cluster DNS answers for `name` and `type`, read from the store. */
export function resolveName(store: ObjectStore, rawName: string, type: 'A' | 'AAAA'): Resolution {
  const name = rawName.toLowerCase().replace(/\.$/, '');
  const none: Resolution = { exists: false, addresses: [] };
  if (!name.endsWith(`.svc.${ZONE}`)) return none;
  const labels = name.slice(0, -`.svc.${ZONE}`.length).split('.');
  if (labels.length < 2 || labels.length > 3) return none;
  const [host, svcName, ns] = labels.length === 3 ? labels as [string, string, string] : [undefined, labels[0]!, labels[1]!];
  const svc = store.get('services', ns, svcName);
  if (!svc) return none;
  const spec = (isPlainObject(svc.spec) ? svc.spec : {}) as Obj;
  if (spec.clusterIP !== 'None') {
    if (host !== undefined || typeof spec.clusterIP !== 'string') return none;
    const family = spec.clusterIP.includes(':') ? 'AAAA' : 'A';
    return { exists: true, addresses: family === type ? [spec.clusterIP] : [] };
  }
  const wanted = type === 'A' ? 'IPv4' : 'IPv6';
  const seen = new Set<string>();
  let exists = false;
  const slices = store.list('endpointslices.discovery.k8s.io', ns).filter((s: KubeObject) => s.metadata.labels?.['kubernetes.io/service-name'] === svcName);
  for (const slice of slices) {
    for (const ep of ((slice.endpoints as Obj[] | null | undefined) ?? [])) {
      const conditions = (isPlainObject(ep.conditions) ? ep.conditions : {}) as Obj;
      if (conditions.ready === false) continue;
      const addresses = (ep.addresses as string[] | undefined) ?? [];
      for (const a of addresses) {
        if (host !== undefined && endpointHostname(ep.hostname, a) !== host) continue;
        exists = true;
        if (slice.addressType === wanted) seen.add(a);
      }
    }
  }
  // A headless Service name exists even without endpoints (NODATA rather than NXDOMAIN in CoreDNS only when it has some).
  return { exists, addresses: [...seen] };
}

function soa(): Answer {
  return { type: 'SOA', name: ZONE, ttl: TTL, data: { mname: `ns.dns.${ZONE}`, rname: `hostmaster.${ZONE}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL } };
}

/** The largest UDP answer a query allows: its EDNS0 payload size, else 512 (RFC 1035). */
function udpLimit(query: Packet): number {
  const opt = (query.additionals ?? []).find((a) => a.type === 'OPT') as { udpPayloadSize?: number } | undefined;
  return Math.max(512, opt?.udpPayloadSize ?? 512);
}

const REVERSE = /\.(in-addr|ip6)\.arpa$/;

/**
 * Builds the answer to one query packet. `maxBytes` (UDP): an answer that does not fit keeps the
 * records that do and sets TC, so the client asks again over TCP (miekg/dns Msg.Truncate).
 */
export function answerQuery(store: ObjectStore, query: Packet, maxBytes = Number.POSITIVE_INFINITY): Buffer {
  const question = query.questions?.[0];
  const flags = dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE;
  const edns = (query.additionals ?? []).some((a) => a.type === 'OPT');
  const opt: Answer[] = edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [];
  const reply = (rcode: number, answers: Answer[] = [], authorities: Answer[] = [], extra: Answer[] = []): Buffer => {
    const encode = (a: Answer[], x: Answer[], tc: boolean): Buffer =>
      dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags: ((flags & ~0xf) | rcode) | (tc ? dnsPacket.TRUNCATED_RESPONSE : 0), questions: query.questions ?? [], answers: a, authorities, additionals: [...x, ...opt] });
    let out = encode(answers, extra, false);
    if (out.length <= maxBytes) return out;
    let keep = answers.length;
    do out = encode(answers.slice(0, --keep), [], true);
    while (out.length > maxBytes && keep > 0);
    return out;
  };
  if (!question) return reply(RCODE.SERVFAIL);
  const qname = question.name.toLowerCase().replace(/\.$/, '');
  if (REVERSE.test(qname)) {
    if (question.type !== 'PTR') return reply(ptrRecords(store, qname).exists ? RCODE.NOERROR : RCODE.NXDOMAIN, [], [soa()]);
    const ptr = ptrRecords(store, qname);
    return ptr.exists ? reply(RCODE.NOERROR, ptr.answers) : reply(RCODE.NXDOMAIN, [], [soa()]);
  }
  if (qname !== ZONE && !qname.endsWith(`.${ZONE}`)) return reply(RCODE.REFUSED);
  if (question.type === 'SRV') {
    const srv = srvRecords(store, qname);
    for (const a of srv.answers) a.name = question.name;
    if (srv.exists) return srv.answers.length > 0 ? reply(RCODE.NOERROR, srv.answers, [], srv.extra) : reply(RCODE.NOERROR, [], [soa()]);
    const a = resolveName(store, qname, 'A');
    return reply(a.exists ? RCODE.NOERROR : RCODE.NXDOMAIN, [], [soa()]);
  }
  if (question.type !== 'A' && question.type !== 'AAAA') {
    const a = resolveName(store, qname, 'A');
    const b = resolveName(store, qname, 'AAAA');
    return reply(a.exists || b.exists ? RCODE.NOERROR : RCODE.NXDOMAIN, [], [soa()]);
  }
  const res = resolveName(store, qname, question.type);
  if (!res.exists) return reply(RCODE.NXDOMAIN, [], [soa()]);
  if (res.addresses.length === 0) return reply(RCODE.NOERROR, [], [soa()]);
  return reply(RCODE.NOERROR, res.addresses.map((ip) => ({ type: question.type as 'A' | 'AAAA', name: question.name, ttl: TTL, data: ip })));
}

export class DnsServer {
  private socket: Socket;
  private readonly tcp: Server;
  private readonly connections = new Set<TcpSocket>();
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
    this.socket = this.udp();
    // DNS over TCP (RFC 7766): messages prefixed with their length, several per connection.
    this.tcp = createServer((conn) => {
      this.connections.add(conn);
      conn.on('close', () => this.connections.delete(conn));
      conn.on('error', () => conn.destroy());
      let buffered = Buffer.alloc(0);
      conn.on('data', (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const size = buffered.readUInt16BE(0);
          const msg = buffered.subarray(2, 2 + size);
          buffered = buffered.subarray(2 + size);
          let query: Packet;
          try {
            query = dnsPacket.decode(msg);
          } catch {
            conn.destroy();
            return;
          }
          const out = answerQuery(this.store, query);
          const len = Buffer.alloc(2);
          len.writeUInt16BE(out.length);
          conn.write(Buffer.concat([len, out]));
        }
      });
    });
  }

  /** Binds UDP and TCP on the same loopback port (an OS-assigned one when `port` is 0). */
  async listen(port: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      await new Promise<void>((resolve, reject) => {
        this.socket.once('error', reject);
        this.socket.bind(port, '127.0.0.1', () => {
          this.socket.off('error', reject);
          resolve();
        });
      });
      const bound = this.socket.address().port;
      try {
        await new Promise<void>((resolve, reject) => {
          this.tcp.once('error', reject);
          this.tcp.listen(bound, '127.0.0.1', () => {
            this.tcp.off('error', reject);
            resolve();
          });
        });
        return bound;
      } catch (error) {
        // The OS gave UDP a port that TCP has in use: try another one (a fixed port fails here).
        if (port !== 0 || attempt >= 20) throw error;
        await new Promise<void>((resolve) => this.socket.close(() => resolve()));
        this.socket = this.udp();
      }
    }
  }

  private udp(): Socket {
    const socket = createSocket('udp4');
    socket.on('message', (msg, rinfo) => {
      let query: Packet;
      try {
        query = dnsPacket.decode(msg);
      } catch {
        return; // Not a DNS message: ignore, as servers do.
      }
      socket.send(answerQuery(this.store, query, udpLimit(query)), rinfo.port, rinfo.address);
    });
    return socket;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    await Promise.all([
      new Promise<void>((resolve) => this.socket.close(() => resolve())),
      new Promise<void>((resolve) => (this.tcp.listening ? this.tcp.close(() => resolve()) : resolve())),
    ]);
  }
}
