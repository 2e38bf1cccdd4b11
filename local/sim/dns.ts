// Cluster DNS like CoreDNS's kubernetes plugin, for what gns-sync needs: A/AAAA for
// `<svc>.<ns>.svc.cluster.local` (headless: ready endpoint addresses; otherwise the clusterIP)
// and `<hostname>.<svc>.<ns>.svc.cluster.local` (endpoints with that hostname), from the
// EndpointSlices. Served over UDP on loopback with dns-packet.
import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Answer, Packet } from 'dns-packet';
import type { KubeObject } from './api/objects.ts';
import { isPlainObject } from './api/objects.ts';
import type { ObjectStore } from './api/store.ts';

type Obj = Record<string, unknown>;
const ZONE = 'cluster.local';
const TTL = 5;
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
      if (host !== undefined && ep.hostname !== host) continue;
      exists = true;
      if (slice.addressType !== wanted) continue;
      for (const a of (ep.addresses as string[] | undefined) ?? []) seen.add(a);
    }
  }
  // A headless Service name exists even without endpoints (NODATA rather than NXDOMAIN in CoreDNS only when it has some).
  return { exists, addresses: [...seen] };
}

function soa(): Answer {
  return { type: 'SOA', name: ZONE, ttl: TTL, data: { mname: `ns.dns.${ZONE}`, rname: `hostmaster.${ZONE}`, serial: 1, refresh: 7200, retry: 1800, expire: 86400, minimum: TTL } };
}

/** Builds the answer to one query packet. */
export function answerQuery(store: ObjectStore, query: Packet): Buffer {
  const question = query.questions?.[0];
  const flags = dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE;
  const reply = (rcode: number, answers: Answer[] = [], authorities: Answer[] = []): Buffer =>
    dnsPacket.encode({ type: 'response', id: query.id ?? 0, flags: (flags & ~0xf) | rcode, questions: query.questions ?? [], answers, authorities });
  if (!question) return reply(RCODE.SERVFAIL);
  const qname = question.name.toLowerCase();
  if (qname !== ZONE && !qname.endsWith(`.${ZONE}`)) return reply(RCODE.REFUSED);
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
  private readonly socket: Socket;
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
    this.socket = createSocket('udp4');
    this.socket.on('message', (msg, rinfo) => {
      let query: Packet;
      try {
        query = dnsPacket.decode(msg);
      } catch {
        return; // Not a DNS message: ignore, as servers do.
      }
      const out = answerQuery(this.store, query);
      this.socket.send(out, rinfo.port, rinfo.address);
    });
  }

  async listen(port: number): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind(port, '127.0.0.1', () => {
        this.socket.off('error', reject);
        resolve();
      });
    });
    return this.socket.address().port;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
