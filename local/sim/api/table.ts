// Server-side printing: `meta.k8s.io/v1` Tables with the columns `kubectl get` shows for each
// kind (the API server's printers in pkg/printers/internalversion), so kubectl output looks real.
import { customPrinter } from './crd-table.ts';
import type { KubeObject } from './objects.ts';
import { isPlainObject } from './objects.ts';
import type { ResourceDef } from './resources.ts';

interface Column {
  readonly name: string;
  readonly type: 'string' | 'integer' | 'date';
  readonly format?: string;
  readonly priority?: number;
  readonly description?: string;
}

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** duration.HumanDuration, as `AGE` shows it. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(seconds / 3600);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 192) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}

function age(ts: unknown, now: number): string {
  if (typeof ts !== 'string' || ts === '') return '<unknown>';
  return humanDuration(now - Date.parse(ts));
}

const NAME: Column = { name: 'Name', type: 'string', format: 'name', description: 'Name must be unique within a namespace.' };
const AGE: Column = { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' };

function podRow(p: KubeObject, now: number): unknown[] {
  const spec = o(p.spec);
  const status = o(p.status);
  const containers = arr(spec.containers);
  const statuses = arr(status.containerStatuses).map(o);
  const ready = statuses.filter((s) => s.ready === true).length;
  const restarts = statuses.reduce((n, s) => n + (typeof s.restartCount === 'number' ? s.restartCount : 0), 0);
  let reason = String(status.reason ?? status.phase ?? 'Pending');
  for (const s of statuses) {
    const waiting = o(o(s.state).waiting);
    if (typeof waiting.reason === 'string') reason = waiting.reason;
  }
  if (p.metadata.deletionTimestamp) reason = 'Terminating';
  else if (reason === 'Pending' && spec.nodeName && statuses.length === 0) reason = 'ContainerCreating';
  const gates = arr(spec.readinessGates);
  return [
    p.metadata.name, `${ready}/${containers.length}`, reason, restarts, age(p.metadata.creationTimestamp, now),
    status.podIP ?? '<none>', spec.nodeName ?? '<none>', status.nominatedNodeName ?? '<none>', gates.length ? `0/${gates.length}` : '<none>',
  ];
}

function servicePorts(spec: Obj): string {
  const ports = arr(spec.ports).map(o);
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',');
}

function selectorText(sel: unknown): string {
  const entries = Object.entries(o(sel));
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
}

function sliceEndpoints(s: KubeObject): string {
  const addrs: string[] = [];
  for (const e of arr(s.endpoints).map(o)) for (const a of arr(e.addresses)) addrs.push(String(a));
  if (addrs.length === 0) return '<unset>';
  const shown = addrs.slice(0, 3).join(',');
  return addrs.length > 3 ? `${shown} + ${addrs.length - 3} more...` : shown;
}

function slicePorts(s: KubeObject): string {
  const ports = arr(s.ports).map(o);
  if (ports.length === 0) return '<unset>';
  return ports.map((p) => (p.port === undefined || p.port === null ? '<unset>' : String(p.port))).join(',');
}

function containersOf(spec: Obj): { names: string; images: string } {
  const cs = arr(spec.containers).map(o);
  return { names: cs.map((c) => String(c.name)).join(','), images: cs.map((c) => String(c.image)).join(',') };
}

interface Printer {
  readonly columns: readonly Column[];
  row(obj: KubeObject, now: number): unknown[];
}

const PRINTERS: Readonly<Record<string, Printer>> = {
  pods: {
    columns: [NAME, { name: 'Ready', type: 'string' }, { name: 'Status', type: 'string' }, { name: 'Restarts', type: 'string' }, AGE,
      { name: 'IP', type: 'string', priority: 1 }, { name: 'Node', type: 'string', priority: 1 }, { name: 'Nominated Node', type: 'string', priority: 1 }, { name: 'Readiness Gates', type: 'string', priority: 1 }],
    row: podRow,
  },
  services: {
    columns: [NAME, { name: 'Type', type: 'string' }, { name: 'Cluster-IP', type: 'string' }, { name: 'External-IP', type: 'string' }, { name: 'Port(s)', type: 'string' }, AGE, { name: 'Selector', type: 'string', priority: 1 }],
    row: (s, now) => {
      const spec = o(s.spec);
      return [s.metadata.name, spec.type ?? 'ClusterIP', spec.clusterIP ?? '<none>', externalIpText(spec, o(s.status)), servicePorts(spec), age(s.metadata.creationTimestamp, now), selectorText(spec.selector)];
    },
  },
  endpointslices: {
    columns: [NAME, { name: 'AddressType', type: 'string' }, { name: 'Ports', type: 'string' }, { name: 'Endpoints', type: 'string' }, AGE],
    row: (s, now) => [s.metadata.name, s.addressType, slicePorts(s), sliceEndpoints(s), age(s.metadata.creationTimestamp, now)],
  },
  statefulsets: {
    columns: [NAME, { name: 'Ready', type: 'string' }, AGE, { name: 'Containers', type: 'string', priority: 1 }, { name: 'Images', type: 'string', priority: 1 }],
    row: (s, now) => {
      const spec = o(s.spec);
      const status = o(s.status);
      const c = containersOf(o(o(spec.template).spec));
      return [s.metadata.name, `${status.readyReplicas ?? 0}/${spec.replicas ?? 0}`, age(s.metadata.creationTimestamp, now), c.names, c.images];
    },
  },
  namespaces: {
    columns: [NAME, { name: 'Status', type: 'string' }, AGE],
    row: (n, now) => [n.metadata.name, o(n.status).phase ?? 'Active', age(n.metadata.creationTimestamp, now)],
  },
  nodes: {
    columns: [NAME, { name: 'Status', type: 'string' }, { name: 'Roles', type: 'string' }, AGE, { name: 'Version', type: 'string' },
      { name: 'Internal-IP', type: 'string', priority: 1 }, { name: 'External-IP', type: 'string', priority: 1 }, { name: 'OS-Image', type: 'string', priority: 1 }, { name: 'Kernel-Version', type: 'string', priority: 1 }, { name: 'Container-Runtime', type: 'string', priority: 1 }],
    row: (n, now) => {
      const status = o(n.status);
      const info = o(status.nodeInfo);
      const ip = arr(status.addresses).map(o).find((a) => a.type === 'InternalIP')?.address ?? '<none>';
      return [n.metadata.name, 'Ready', 'control-plane', age(n.metadata.creationTimestamp, now), info.kubeletVersion ?? '', ip, '<none>', info.osImage ?? '', info.kernelVersion ?? '', info.containerRuntimeVersion ?? ''];
    },
  },
  configmaps: {
    columns: [NAME, { name: 'Data', type: 'integer' }, AGE],
    row: (c, now) => [c.metadata.name, Object.keys(o(c.data)).length + Object.keys(o(c.binaryData)).length, age(c.metadata.creationTimestamp, now)],
  },
  leases: {
    columns: [NAME, { name: 'Holder', type: 'string' }, AGE],
    row: (l, now) => [l.metadata.name, o(l.spec).holderIdentity ?? '', age(l.metadata.creationTimestamp, now)],
  },
  events: {
    columns: [{ name: 'Last Seen', type: 'string' }, { name: 'Type', type: 'string' }, { name: 'Reason', type: 'string' }, { name: 'Object', type: 'string' },
      { name: 'Subobject', type: 'string', priority: 1 }, { name: 'Source', type: 'string', priority: 1 }, { name: 'Message', type: 'string' },
      { name: 'First Seen', type: 'string', priority: 1 }, { name: 'Count', type: 'string', priority: 1 }, { name: 'Name', type: 'string', priority: 1 }],
    row: (e, now) => {
      const core = e.apiVersion === 'v1' ? e : { ...e, involvedObject: e.regarding, message: e.note, lastTimestamp: e.deprecatedLastTimestamp, firstTimestamp: e.deprecatedFirstTimestamp, count: e.deprecatedCount, source: e.deprecatedSource };
      const inv = o(core.involvedObject);
      const last = core.lastTimestamp ?? core.eventTime ?? e.metadata.creationTimestamp;
      const src = o(core.source);
      return [age(last, now), core.type ?? '', core.reason ?? '', `${String(inv.kind ?? '').toLowerCase()}/${String(inv.name ?? '')}`, inv.fieldPath ?? '',
        src.component ? `${String(src.component)}${src.host ? `, ${String(src.host)}` : ''}` : String(core.reportingComponent ?? ''), core.message ?? '',
        age(core.firstTimestamp ?? core.eventTime ?? e.metadata.creationTimestamp, now), core.count ?? 1, e.metadata.name];
    },
  },
};

const DEFAULT: Printer = {
  columns: [NAME, { name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.' }],
  row: (x) => [x.metadata.name, x.metadata.creationTimestamp],
};

/** EXTERNAL-IP as kubectl prints it: external IPs, then load-balancer ingress; `<pending>` for a LoadBalancer without one. */
function externalIpText(spec: Obj, status: Obj): string {
  const ingress = arr(o(status.loadBalancer).ingress).map(o).map((i) => String(i.ip ?? i.hostname ?? '')).filter((x) => x !== '');
  const all = [...arr(spec.externalIPs).map(String), ...(spec.type === 'LoadBalancer' ? ingress : [])];
  if (all.length > 0) return all.join(',');
  return spec.type === 'LoadBalancer' ? '<pending>' : '<none>';
}

function partial(obj: KubeObject): unknown {
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
}

export interface TableOptions {
  readonly apiVersion: string;
  readonly includeObject: 'None' | 'Metadata' | 'Object';
  readonly withColumns: boolean;
}

export function toTable(def: ResourceDef, objects: readonly KubeObject[], resourceVersion: string, now: number, opts: TableOptions): unknown {
  const printer = customPrinter(def) ?? PRINTERS[def.plural] ?? DEFAULT;
  return {
    kind: 'Table',
    apiVersion: opts.apiVersion,
    metadata: { resourceVersion },
    columnDefinitions: opts.withColumns
      ? printer.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))
      : [],
    rows: objects.map((obj) => ({
      cells: printer.row(obj, now),
      ...(opts.includeObject === 'None' ? {} : { object: opts.includeObject === 'Object' ? obj : partial(obj) }),
    })),
  };
}
