// How Istio 1.27 reads the objects trace follows (docs/adr/0013-routing-through-istio.md has
// the source references): exportTo visibility and its order, the network and tlsMode of a
// ServiceEntry endpoint, east-west gateways discovered from labelled Services, Gateway hosts.
import type { MeshObject } from './mesh.ts';

export const NETWORK_LABEL = 'topology.istio.io/network';
export const GATEWAY_PORT_LABEL = 'networking.istio.io/gatewayPort';
export const TLS_MODE_LABEL = 'security.istio.io/tlsMode';
export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';
export const MCS_SERVICE_NAME_LABEL = 'multicluster.kubernetes.io/service-name';
export const DEFAULT_GATEWAY_PORT = 15443;
export const ISTIO_NETWORKING = 'networking.istio.io/v1';

type Obj = Record<string, unknown>;
export const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');

/**
 * Where a service stands for a proxy in `clientNamespace` (initServiceRegistry and
 * servicesExportedToNamespace): 0 private to it, 1 exported to it by name, 2 public;
 * undefined: not visible. Empty exportTo is the mesh default, public.
 */
export function visibilityRank(exportTo: readonly string[], namespace: string, clientNamespace: string): number | undefined {
  if (exportTo.length === 0 || exportTo.includes('*')) return 2;
  if (exportTo.includes('~')) return undefined;
  let best: number | undefined;
  for (const e of exportTo) {
    if (e === '.' || e === namespace) {
      if (clientNamespace === namespace) best = 0;
    } else if (e === clientNamespace) best = Math.min(best ?? 1, 1);
  }
  return best;
}

/** A Service's exportTo: its `networking.istio.io/exportTo` annotation, comma-separated. */
export function serviceExportTo(svc: MeshObject): string[] {
  const text = svc.metadata.annotations?.[EXPORT_TO_ANNOTATION];
  return text === undefined ? [] : text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

export function createdMs(o: MeshObject): number {
  const t = o.metadata.creationTimestamp;
  return t === undefined ? 0 : new Date(t).getTime();
}

export interface SeEndpoint {
  readonly index: number;
  readonly address: string;
  readonly network: string;
  /** `istio` or `disabled` (getTLSModeFromWorkloadEntry). */
  readonly tlsMode: string;
  readonly tlsModeFrom: 'label' | 'serviceAccount' | 'none';
  readonly ports: Readonly<Record<string, number>>;
}

/** A ServiceEntry's inline endpoints as convertEndpoint reads them; `configNetwork`: the config cluster's network. */
export function serviceEntryEndpoints(se: MeshObject, configNetwork: string): SeEndpoint[] {
  return list(obj(se.spec).endpoints).map(obj).map((ep, index) => {
    const labels = obj(ep.labels);
    const label = typeof labels[TLS_MODE_LABEL] === 'string' ? (labels[TLS_MODE_LABEL] as string) : undefined;
    const sa = typeof ep.serviceAccount === 'string' && ep.serviceAccount !== '';
    const ports: Record<string, number> = {};
    for (const [k, v] of Object.entries(obj(ep.ports))) if (typeof v === 'number') ports[k] = v;
    return {
      index,
      address: typeof ep.address === 'string' ? ep.address : '',
      network: typeof ep.network === 'string' && ep.network !== '' ? ep.network : configNetwork,
      tlsMode: label ?? (sa ? 'istio' : 'disabled'),
      tlsModeFrom: label !== undefined ? 'label' : sa ? 'serviceAccount' : 'none',
      ports,
    };
  });
}

export interface SePort {
  readonly number: number;
  readonly name: string;
  readonly protocol: string;
  readonly targetPort?: number;
}

export function serviceEntryPorts(se: MeshObject): SePort[] {
  return list(obj(se.spec).ports).map(obj).filter((p) => typeof p.number === 'number').map((p) => ({
    number: p.number as number,
    name: typeof p.name === 'string' ? p.name : '',
    protocol: typeof p.protocol === 'string' ? p.protocol.toUpperCase() : '',
    ...(typeof p.targetPort === 'number' && p.targetPort > 0 ? { targetPort: p.targetPort } : {}),
  }));
}

export interface NetworkGateway {
  readonly cluster: string;
  readonly namespace: string;
  readonly name: string;
  readonly network: string;
  readonly port: number;
  /** Set when the gatewayPort label was not a port number (istiod falls back to 15443). */
  readonly badPortLabel?: string;
  readonly addresses: readonly string[];
  readonly servicePorts: readonly { readonly name: string; readonly port: number; readonly targetPort: unknown }[];
  readonly selector: Readonly<Record<string, string>>;
  /** From the config's eastWestGateway (meshNetworks), not a Service. */
  readonly static?: boolean;
}

/** The gateways a cluster's Services make known to istiod (getGatewayDetails, ConvertService). */
export function gatewaysOf(cluster: string, services: readonly MeshObject[]): NetworkGateway[] {
  const out: NetworkGateway[] = [];
  for (const svc of services) {
    const network = svc.metadata.labels?.[NETWORK_LABEL];
    if (network === undefined || network === '') continue;
    const label = svc.metadata.labels?.[GATEWAY_PORT_LABEL];
    const parsed = label !== undefined && /^\d+$/.test(label) && Number(label) > 0 && Number(label) < 65536 ? Number(label) : undefined;
    const spec = obj(svc.spec);
    const ingress = list(obj(obj(svc.status).loadBalancer).ingress).map(obj);
    const addresses = [
      ...ingress.map((i) => (typeof i.ip === 'string' && i.ip !== '' ? i.ip : typeof i.hostname === 'string' ? i.hostname : '')).filter((a) => a !== ''),
      ...strings(spec.externalIPs),
    ];
    out.push({
      cluster,
      namespace: svc.metadata.namespace ?? '',
      name: svc.metadata.name ?? '',
      network,
      port: parsed ?? DEFAULT_GATEWAY_PORT,
      ...(label !== undefined && parsed === undefined ? { badPortLabel: label } : {}),
      addresses,
      servicePorts: list(spec.ports).map(obj).map((p) => ({ name: String(p.name ?? ''), port: Number(p.port), targetPort: p.targetPort ?? p.port })),
      selector: Object.fromEntries(Object.entries(obj(spec.selector)).filter((e): e is [string, string] => typeof e[1] === 'string')),
    });
  }
  return out;
}

/** Whether a Gateway server's `hosts` entry (`[ns/]host`, `*`, `*.suffix`) admits a service host in namespace `ns`. */
export function gatewayHostMatches(entry: string, host: string, namespace: string, gatewayNamespace: string): boolean {
  const slash = entry.indexOf('/');
  const ns = slash >= 0 ? entry.slice(0, slash) : '*';
  const h = slash >= 0 ? entry.slice(slash + 1) : entry;
  if (ns !== '*' && !(ns === '.' ? namespace === gatewayNamespace : ns === namespace)) return false;
  if (h === '*') return true;
  if (h.startsWith('*.')) return host.endsWith(h.slice(1));
  return h === host;
}

export function sniOf(port: number, host: string): string {
  return `outbound_.${port}_._.${host}`;
}

export function podIps(pod: MeshObject): string[] {
  const status = obj(pod.status);
  const ips = list(status.podIPs).map(obj).map((p) => p.ip).filter((x): x is string => typeof x === 'string');
  if (ips.length > 0) return ips;
  return typeof status.podIP === 'string' ? [status.podIP] : [];
}

export function podReady(pod: MeshObject): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  return list(obj(pod.status).conditions).map(obj).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
