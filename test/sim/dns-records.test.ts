// Cluster DNS beyond A records, as CoreDNS v1.12.4's kubernetes plugin answers (local/sim/dns-records.ts
// cites the sources): SRV for named ports (one per ready endpoint of a headless Service, target
// the per-pod name, addresses in the additional section; one per port of a ClusterIP Service),
// PTR for clusterIPs and published endpoint addresses, endpoints without a hostname named by
// their dashed address, DNS over TCP on the same port, and UDP answers that do not fit truncated
// (TC) so resolvers retry over TCP. Checked with node's resolver (c-ares), a raw TCP client and dig.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCluster, SimFleet } from '../../local/sim/index.ts';
import { hasDig, http, startDnsFleet } from './helpers.ts';

const HEADLESS = 'kafka-headless.ns-one.svc.cluster.local';
type Q = { type: 'A' | 'SRV' | 'PTR'; name: string };

async function udp(port: number, q: Q, edns = false): Promise<Packet & { rcode?: string }> {
  const socket = createSocket('udp4');
  try {
    const reply = new Promise<Packet>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no DNS answer for ${q.name}`)), 2000);
      socket.on('message', (msg) => {
        clearTimeout(timer);
        resolve(dnsPacket.decode(msg));
      });
    });
    const additionals = edns ? [{ type: 'OPT' as const, name: '.', udpPayloadSize: 4096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [];
    socket.send(dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ ...q, class: 'IN' }], additionals }), port, '127.0.0.1');
    return await reply;
  } finally {
    socket.close();
  }
}

/** Two queries over one TCP connection, each framed by its length (RFC 7766). */
async function tcp(port: number, qs: Q[]): Promise<Packet[]> {
  const conn = connect(port, '127.0.0.1');
  try {
    const framed = qs.map((q, i) => {
      const body = dnsPacket.encode({ type: 'query', id: i + 1, flags: dnsPacket.RECURSION_DESIRED, questions: [{ ...q, class: 'IN' }] });
      const len = Buffer.alloc(2);
      len.writeUInt16BE(body.length);
      return Buffer.concat([len, body]);
    });
    conn.write(Buffer.concat(framed));
    let buf = Buffer.alloc(0);
    const out: Packet[] = [];
    await new Promise<void>((resolve, reject) => {
      conn.on('error', reject);
      conn.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          out.push(dnsPacket.decode(buf.subarray(2, 2 + buf.readUInt16BE(0))));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (out.length === qs.length) resolve();
      });
    });
    return out;
  } finally {
    conn.destroy();
  }
}

const reverse = (ip: string): string => `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
const data = (p: Packet): unknown[] => (p.answers ?? []).map((a) => (a as { data: unknown }).data);
const srvOf = (records: { name: string; port: number; priority: number; weight: number }[]): unknown[] =>
  records.map(({ name, port, priority, weight }) => ({ name, port, priority, weight })).sort((a, b) => a.name.localeCompare(b.name));

describe('cluster DNS: SRV, PTR, TCP', () => {
  let fleet: SimFleet;
  let one: SimCluster;
  let two: SimCluster;
  let resolver: Resolver;
  const podIp = (name: string): string => (one.get(`/api/v1/namespaces/ns-one/pods/${name}`)!.status as { podIP: string }).podIP;

  beforeAll(async () => {
    // clusterTwo's slice also has an endpoint without a hostname.
    ({ fleet, one, two } = await startDnsFleet({ web: true, moreEndpoints: [{ addresses: ['240.240.0.12'], conditions: { ready: true } }] }));
    // A headless Service with 150 endpoints: its A answer does not fit 512 bytes, nor 1232 (EDNS).
    await http(two.url, 'POST', '/api/v1/namespaces/ns-one/services', { metadata: { name: 'wide' }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] } });
    await http(two.url, 'POST', '/apis/discovery.k8s.io/v1/namespaces/ns-one/endpointslices', {
      metadata: { name: 'wide-1', labels: { 'kubernetes.io/service-name': 'wide' } }, addressType: 'IPv4',
      endpoints: Array.from({ length: 150 }, (_, i) => ({ addresses: [`240.241.${Math.floor(i / 100)}.${i % 100 + 1}`], hostname: `w-${i}`, conditions: { ready: true } })),
      ports: [{ name: 'p', port: 1, protocol: 'TCP' }],
    });
    resolver = new Resolver({ timeout: 2000, tries: 1 });
    resolver.setServers([`127.0.0.1:${one.dnsPort}`]);
  });
  afterAll(async () => fleet?.stop());

  it('answers SRV for a headless Service\'s named port: one record per ready pod, targets the per-pod names, addresses in the additional section', async () => {
    expect(srvOf(await resolver.resolveSrv(`_tcp-client._tcp.${HEADLESS}`))).toEqual([0, 1, 2].map((i) => ({ name: `kafka-${i}.${HEADLESS}`, port: 9092, priority: 0, weight: 33 })));
    const raw = await udp(one.dnsPort!, { type: 'SRV', name: `_tcp-client._tcp.${HEADLESS}` }, true);
    expect((raw.additionals ?? []).filter((a) => a.type === 'A').map((a) => [a.name, (a as { data: string }).data]).sort()).toEqual([0, 1, 2].map((i) => [`kafka-${i}.${HEADLESS}`, podIp(`kafka-${i}`)]).sort());
    // Without _port._proto: every port; a port or protocol the Service does not have: NXDOMAIN.
    expect(await resolver.resolveSrv(HEADLESS)).toHaveLength(3);
    expect((await udp(one.dnsPort!, { type: 'SRV', name: `_http._tcp.${HEADLESS}` })).rcode).toBe('NXDOMAIN');
    expect((await udp(one.dnsPort!, { type: 'SRV', name: `_tcp-client._udp.${HEADLESS}` })).rcode).toBe('NXDOMAIN');
  });

  it('answers SRV for a ClusterIP Service with its own name and the Service port, per protocol', async () => {
    expect(srvOf(await resolver.resolveSrv('_http._tcp.web.ns-one.svc.cluster.local'))).toEqual([{ name: 'web.ns-one.svc.cluster.local', port: 80, priority: 0, weight: 100 }]);
    expect(srvOf(await resolver.resolveSrv('_dns._udp.web.ns-one.svc.cluster.local'))).toEqual([{ name: 'web.ns-one.svc.cluster.local', port: 53, priority: 0, weight: 100 }]);
    expect((await resolver.resolveSrv('web.ns-one.svc.cluster.local')).map((r) => r.weight)).toEqual([50, 50]);
  });

  it('answers SRV from slices written by others: ready endpoints only, an endpoint without hostname by its dashed address', async () => {
    const two2 = new Resolver({ timeout: 2000, tries: 1 });
    two2.setServers([`127.0.0.1:${two.dnsPort}`]);
    const srv = await two2.resolveSrv(`_tcp-client._tcp.${HEADLESS}`);
    expect(srv.map((r) => r.name).sort()).toEqual([`240-240-0-12.${HEADLESS}`, `kafka-0.${HEADLESS}`]);
    expect(await two2.resolve4(`240-240-0-12.${HEADLESS}`)).toEqual(['240.240.0.12']);
  });

  it('answers PTR for published endpoint addresses (the per-pod name) and clusterIPs (the Service name); NXDOMAIN otherwise', async () => {
    // kafka-1 backs two Services: one name per Service (the Service web has no hostnames: the dashed address).
    const ip = podIp('kafka-1');
    expect((await resolver.reverse(ip)).sort()).toEqual([`${ip.replaceAll('.', '-')}.web.ns-one.svc.cluster.local`, `kafka-1.${HEADLESS}`]);
    const clusterIp = (one.get('/api/v1/namespaces/ns-one/services/web')!.spec as { clusterIP: string }).clusterIP;
    expect(await resolver.reverse(clusterIp)).toEqual(['web.ns-one.svc.cluster.local']);
    const two2 = new Resolver({ timeout: 2000, tries: 1 });
    two2.setServers([`127.0.0.1:${two.dnsPort}`]);
    expect(await two2.reverse('240.240.0.10')).toEqual([`kafka-0.${HEADLESS}`]);
    expect((await udp(two.dnsPort!, { type: 'PTR', name: reverse('240.240.0.11') })).rcode).toBe('NXDOMAIN');
    expect((await udp(two.dnsPort!, { type: 'PTR', name: reverse('192.0.2.1') })).rcode).toBe('NXDOMAIN');
  });

  it('serves DNS over TCP on the same port, several queries per connection', async () => {
    const [a, srv] = await tcp(one.dnsPort!, [{ type: 'A', name: `kafka-0.${HEADLESS}` }, { type: 'SRV', name: `_tcp-client._tcp.${HEADLESS}` }]);
    expect(data(a!)).toEqual([podIp('kafka-0')]);
    expect(srv!.answers).toHaveLength(3);
  });

  it('truncates a UDP answer that does not fit (TC), and a resolver gets the whole answer over TCP', async () => {
    const small = await udp(two.dnsPort!, { type: 'A', name: 'wide.ns-one.svc.cluster.local' });
    expect((small.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE).toBeTruthy();
    expect(dnsPacket.encode(small).length).toBeLessThanOrEqual(512);
    const [whole] = await tcp(two.dnsPort!, [{ type: 'A', name: 'wide.ns-one.svc.cluster.local' }]);
    expect(whole!.answers).toHaveLength(150);
    const two2 = new Resolver({ timeout: 2000, tries: 1 });
    two2.setServers([`127.0.0.1:${two.dnsPort}`]);
    expect(await two2.resolve4('wide.ns-one.svc.cluster.local')).toHaveLength(150);
  });

  // dig is not installed on every machine (it is not on the one these tests were written on).
  it.skipIf(!hasDig)('answers dig: SRV over TCP and a reverse lookup', async () => {
    const dig = (args: string[]): Promise<string> => new Promise((resolve, reject) => execFile('dig', ['@127.0.0.1', '-p', String(one.dnsPort), '+short', ...args], (e, stdout) => (e ? reject(e) : resolve(stdout))));
    expect((await dig(['+tcp', 'SRV', `_tcp-client._tcp.${HEADLESS}`])).trim().split('\n').sort()).toEqual([0, 1, 2].map((i) => `0 33 9092 kafka-${i}.${HEADLESS}.`));
    expect((await dig(['-x', podIp('kafka-2')])).trim()).toBe(`kafka-2.${HEADLESS}.`);
  });
});
