// Cluster DNS: per-pod and per-Service names of headless Services answered from the
// EndpointSlices (ready endpoints only), with a DNS client written on dns-packet over UDP
// (and with dig, when the machine has it).
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import type { Packet } from 'dns-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimCluster, SimFleet } from '../../local/sim/index.ts';
import { hasDig, startDnsFleet, until } from './helpers.ts';

async function query(port: number, name: string, type: 'A' | 'AAAA' = 'A'): Promise<{ rcode: string; answers: string[] }> {
  const socket = createSocket('udp4');
  try {
    const id = Math.floor(Math.random() * 65535);
    const reply = new Promise<Packet>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no DNS answer for ${name} within 2 s`)), 2000);
      socket.on('message', (msg) => {
        const p = dnsPacket.decode(msg);
        if (p.id === id) {
          clearTimeout(timer);
          resolve(p);
        }
      });
    });
    socket.send(dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] }), port, '127.0.0.1');
    const p = await reply;
    return { rcode: (p as Packet & { rcode?: string }).rcode ?? 'NOERROR', answers: (p.answers ?? []).map((a) => String((a as { data: unknown }).data)) };
  } finally {
    socket.close();
  }
}

describe('cluster DNS', () => {
  let fleet: SimFleet;
  let one: SimCluster;
  let two: SimCluster;

  beforeAll(async () => {
    ({ fleet, one, two } = await startDnsFleet());
  });
  afterAll(async () => fleet?.stop());

  const podIp = (name: string): string => (one.get(`/api/v1/namespaces/ns-one/pods/${name}`)!.status as { podIP: string }).podIP;

  it('answers per-pod names with the pod IP, and the Service name with every ready endpoint', async () => {
    const r = await query(one.dnsPort!, 'kafka-0.kafka-headless.ns-one.svc.cluster.local');
    expect(r).toEqual({ rcode: 'NOERROR', answers: [podIp('kafka-0')] });
    const all = await query(one.dnsPort!, 'kafka-headless.ns-one.svc.cluster.local');
    expect(all.answers.sort()).toEqual(['kafka-0', 'kafka-1', 'kafka-2'].map(podIp).sort());
    expect(one.resolve('kafka-2.kafka-headless.ns-one.svc.cluster.local')).toEqual([podIp('kafka-2')]);
  });

  it('answers from slices written by others, ready endpoints only', async () => {
    expect(await query(two.dnsPort!, 'kafka-0.kafka-headless.ns-one.svc.cluster.local')).toEqual({ rcode: 'NOERROR', answers: ['240.240.0.10'] });
    expect((await query(two.dnsPort!, 'kafka-1.kafka-headless.ns-one.svc.cluster.local')).rcode).toBe('NXDOMAIN');
    expect((await query(two.dnsPort!, 'kafka-headless.ns-one.svc.cluster.local')).answers).toEqual(['240.240.0.10']);
  });

  it('follows readiness: a not-ready pod leaves the answers', async () => {
    one.setPodReady('ns-one', 'kafka-1', false);
    await until('kafka-1 gone from DNS', () => (one.resolve('kafka-1.kafka-headless.ns-one.svc.cluster.local').length === 0 ? true : undefined));
    expect((await query(one.dnsPort!, 'kafka-1.kafka-headless.ns-one.svc.cluster.local')).rcode).toBe('NXDOMAIN');
    one.setPodReady('ns-one', 'kafka-1', true);
    await until('kafka-1 back', () => (one.resolve('kafka-1.kafka-headless.ns-one.svc.cluster.local').length === 1 ? true : undefined));
  });

  it('says NXDOMAIN for unknown names, NOERROR without answers for AAAA of IPv4 endpoints, REFUSED outside the zone', async () => {
    expect((await query(one.dnsPort!, 'nope.ns-one.svc.cluster.local')).rcode).toBe('NXDOMAIN');
    expect(await query(one.dnsPort!, 'kafka-0.kafka-headless.ns-one.svc.cluster.local', 'AAAA')).toEqual({ rcode: 'NOERROR', answers: [] });
    expect((await query(one.dnsPort!, 'example.com')).rcode).toBe('REFUSED');
  });

  it.skipIf(!hasDig)('answers dig as a pod in the cluster would see it', async () => {
    const out = await new Promise<string>((resolve, reject) => execFile('dig', ['@127.0.0.1', '-p', String(one.dnsPort), '+short', 'kafka-0.kafka-headless.ns-one.svc.cluster.local'], (e, stdout) => (e ? reject(e) : resolve(stdout))));
    expect(out.trim()).toBe(podIp('kafka-0'));
  });
});
