// SRV and PTR records as CoreDNS v1.12.4's kubernetes plugin answers them
// (plugin/kubernetes/parse.go parseRequest, kubernetes.go findServices and endpointHostname,
// reverse.go serviceRecordForIP; plugin/backend_lookup.go SRV), read from the store's Services
// and EndpointSlices (ready endpoints only, as CoreDNS's EndpointSliceToEndpoints keeps them).
import type { Answer } from 'dns-packet';
import type { KubeObject } from './api/objects.ts';
import { isPlainObject } from './api/objects.ts';
import type { ObjectStore } from './api/store.ts';

type Obj = Record<string, unknown>;
export const ZONE = 'cluster.local';
export const TTL = 5;
const SLICES = 'endpointslices.discovery.k8s.io';

export interface Lookup {
  /** Whether the name exists (NXDOMAIN otherwise). */
  readonly exists: boolean;
  readonly answers: Answer[];
  /** The additional section (addresses of SRV targets). */
  readonly extra: Answer[];
}

const NONE: Lookup = { exists: false, answers: [], extra: [] };
const o = (v: unknown): Obj => (isPlainObject(v) ? v : {});

/** An endpoint's name in DNS: its hostname, else its address with '.' or ':' as '-' (endpointHostname). */
export function endpointHostname(hostname: unknown, ip: string): string {
  if (typeof hostname === 'string' && hostname !== '') return hostname;
  if (ip.includes('.')) return ip.replaceAll('.', '-');
  const dashed = ip.replaceAll(':', '-');
  return dashed.endsWith('-') ? `${dashed}0` : dashed;
}

interface ReadyAddress {
  readonly ip: string;
  readonly host: string;
  readonly ports: readonly Obj[];
}

/** Ready addresses of a Service's EndpointSlices, with the slice's ports. */
export function readyAddresses(store: ObjectStore, namespace: string, service: string): ReadyAddress[] {
  const out: ReadyAddress[] = [];
  for (const slice of store.list(SLICES, namespace)) {
    if (slice.metadata.labels?.['kubernetes.io/service-name'] !== service) continue;
    const ports = Array.isArray(slice.ports) ? (slice.ports as unknown[]).map(o) : [];
    for (const ep of (Array.isArray(slice.endpoints) ? slice.endpoints : []) as unknown[]) {
      const e = o(ep);
      if (o(e.conditions).ready === false) continue;
      for (const ip of (Array.isArray(e.addresses) ? e.addresses : []) as unknown[]) {
        if (typeof ip === 'string') out.push({ ip, host: endpointHostname(e.hostname, ip), ports });
      }
    }
  }
  return out;
}

const fqdn = (...labels: string[]): string => [...labels, 'svc', ZONE].join('.');
const same = (a: string, b: unknown): boolean => typeof b === 'string' && a.toLowerCase() === b.toLowerCase();
const address = (name: string, ip: string): Answer => ({ type: ip.includes(':') ? 'AAAA' : 'A', name, ttl: TTL, data: ip });

/**
 * SRV for `_<port>._<proto>.<svc>.<ns>.svc.cluster.local` (either part may be left out by asking
 * for `<svc>.<ns>.svc...`), and for one endpoint `<host>.<svc>.<ns>.svc...`: a headless Service
 * (or an endpoint) answers one record per ready endpoint and matching slice port, targeting the
 * endpoint's name; a Service with a clusterIP one per matching Service port, targeting its own name.
 */
export function srvRecords(store: ObjectStore, qname: string): Lookup {
  const suffix = `.svc.${ZONE}`;
  if (!qname.endsWith(suffix)) return NONE;
  const segs = qname.slice(0, -suffix.length).split('.');
  if (segs.length < 2 || segs.length > 4) return NONE;
  const [ns, name] = [segs[segs.length - 1]!, segs[segs.length - 2]!];
  let endpoint = '';
  let port = '';
  let protocol = '';
  if (segs.length === 3) endpoint = segs[0]!;
  if (segs.length === 4) [port, protocol] = [segs[0]!.replace(/^_/, ''), segs[1]!.replace(/^_/, '')];
  const svc = store.get('services', ns, name);
  if (!svc) return NONE;
  const spec = o(svc.spec);
  const matches = (p: Obj): boolean => (port === '' || same(port, p.name)) && (protocol === '' || same(protocol, p.protocol ?? 'TCP'));
  const found: { target: string; ip: string; port: number }[] = [];
  if (spec.clusterIP === 'None' || endpoint !== '') {
    for (const a of readyAddresses(store, ns, name)) {
      if (endpoint !== '' && !same(endpoint, a.host)) continue;
      for (const p of a.ports) if (matches(p) && typeof p.port === 'number') found.push({ target: fqdn(a.host, name, ns), ip: a.ip, port: p.port });
    }
  } else {
    const ips = Array.isArray(spec.clusterIPs) ? (spec.clusterIPs as string[]) : typeof spec.clusterIP === 'string' ? [spec.clusterIP] : [];
    for (const p of (Array.isArray(spec.ports) ? spec.ports : []) as unknown[]) {
      if (!matches(o(p))) continue;
      for (const ip of ips) found.push({ target: fqdn(name, ns), ip, port: o(p).port as number });
    }
  }
  if (found.length === 0) return NONE;
  // Every record at priority 0 shares the weight 100 (backend_lookup.go SRV): floor(100 / n), at least 1.
  const weight = Math.max(1, Math.floor(100 / found.length));
  const answers: Answer[] = [];
  const extra: Answer[] = [];
  const seen = new Set<string>();
  for (const f of found) {
    if (!seen.has(`${f.target} ${f.port}`)) answers.push({ type: 'SRV', name: qname, ttl: TTL, data: { priority: 0, weight, port: f.port, target: f.target } });
    if (!seen.has(`${f.target} ${f.ip}`)) extra.push(address(f.target, f.ip));
    seen.add(`${f.target} ${f.port}`).add(`${f.target} ${f.ip}`);
  }
  return { exists: true, answers, extra };
}

/** The address a reverse name stands for (`5.0.1.10.in-addr.arpa` → 10.1.0.5), or undefined. */
export function addressFromReverse(qname: string): string | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.in-addr\.arpa$/.exec(qname);
  if (v4) return [v4[4], v4[3], v4[2], v4[1]].map(Number).join('.');
  const v6 = /^((?:[0-9a-f]\.){32})ip6\.arpa$/.exec(qname);
  if (!v6) return undefined;
  const nibbles = v6[1]!.split('.').filter((x) => x !== '').reverse().join('');
  return normalIp(nibbles.match(/.{4}/g)!.join(':'));
}

/** One spelling per address (IPv6 compressed and lower-case, as the URL parser writes it). */
export function normalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip;
  }
}

/** PTR for a Service's clusterIP (its name), else for ready endpoint addresses (their per-endpoint names). */
export function ptrRecords(store: ObjectStore, qname: string): Lookup {
  const ip = addressFromReverse(qname);
  if (ip === undefined) return NONE;
  const ptr = (target: string): Answer => ({ type: 'PTR', name: qname, ttl: TTL, data: target });
  for (const svc of store.list('services')) {
    const spec = o(svc.spec);
    const ips = (Array.isArray(spec.clusterIPs) ? spec.clusterIPs : [spec.clusterIP]).filter((x): x is string => typeof x === 'string');
    if (ips.some((x) => normalIp(x) === ip)) return { exists: true, answers: [ptr(fqdn(svc.metadata.name ?? '', svc.metadata.namespace ?? ''))], extra: [] };
  }
  const answers: Answer[] = [];
  const services = new Set(store.list(SLICES).map((s: KubeObject) => `${s.metadata.namespace}/${s.metadata.labels?.['kubernetes.io/service-name'] ?? ''}`));
  for (const key of services) {
    const [ns, name] = key.split('/') as [string, string];
    if (name === '' || !store.get('services', ns, name)) continue;
    for (const a of readyAddresses(store, ns, name)) if (normalIp(a.ip) === ip) answers.push(ptr(fqdn(a.host, name, ns)));
  }
  return answers.length > 0 ? { exists: true, answers, extra: [] } : NONE;
}
