// One simulated cluster: store, API server, controllers (namespace, GC, StatefulSet,
// EndpointSlice, kubelet), a fake node, and optionally cluster DNS.
import type { KubeObject } from './api/objects.ts';
import { clone, isPlainObject, timestamp } from './api/objects.ts';
import { Registry } from './api/registry.ts';
import type { RegistryHooks } from './api/registry.ts';
import type { ResourceDef } from './api/resources.ts';
import { RESOURCES, findResource } from './api/resources.ts';
import { parseLabelSelector } from './api/selectors.ts';
import type { Counters, Faults, WatchTiming } from './api/server.ts';
import { ApiServer } from './api/server.ts';
import { ApiError, fieldErr, invalid } from './api/status.ts';
import { ObjectStore } from './api/store.ts';
import { customResourceByKind } from './api/crd.ts';
import { CrdController } from './controllers/crd.ts';
import { EndpointSliceController } from './controllers/endpointslice.ts';
import { LoadBalancerController } from './controllers/loadbalancer.ts';
import { installIstio } from './istio/install.ts';
import { EventRecorder } from './controllers/events.ts';
import { GarbageCollector } from './controllers/garbage.ts';
import { Kubelet } from './controllers/kubelet.ts';
import { NamespaceController } from './controllers/namespace.ts';
import { StatefulSetController } from './controllers/statefulset.ts';
import { DnsServer, resolveName } from './dns.ts';
import { AuthGate } from './api/auth/gate.ts';
import { clusterTls } from './api/auth/ca.ts';
import { bootstrapPolicy } from './api/auth/bootstrap.ts';
import { ServiceAccountController } from './controllers/service-accounts.ts';
import { Ipv4Allocator } from './ip.ts';

export interface SimClusterOptions {
  readonly name: string;
  readonly podCidr: string;
  readonly serviceCidr: string;
  /** The node's IP (status.hostIP of every pod). */
  readonly nodeIp: string;
  readonly apiPort: number;
  readonly dns: boolean;
  readonly dnsPort: number;
  readonly readyDelayMs: number;
  readonly watchHistory: number;
  readonly watchHistoryMs: number;
  readonly watchTiming: WatchTiming;
  /** How long containers take to exit after SIGTERM (Infinity: the whole grace period of their pod). */
  readonly containerStopMs: number;
  /** Kubelet: how long a new pod stays Pending without an IP (default 0). */
  readonly startDelayMs?: number;
  readonly serverVersion: { readonly major: string; readonly minor: string };
  readonly events: boolean;
  /** MetalLB-like addresses for LoadBalancer Services (none: they stay pending). */
  readonly loadBalancerCidr?: string;
  /** Install Istio's CRDs, istio-system and the east-west gateway, labelled with this network. */
  readonly istioNetwork?: string;
  /**
   * Enforce authentication (bearer tokens: `adminToken`, ServiceAccount tokens) and RBAC, with
   * Kubernetes' default discovery roles and a `default` ServiceAccount per namespace (local/sim/api/auth/).
   */
  readonly rbac?: boolean;
  /** The admin's token (system:masters); without rbac any token is the admin. */
  readonly adminToken?: string;
}

export type ResourceName = 'namespaces' | 'nodes' | 'pods' | 'services' | 'configmaps' | 'events' | 'statefulsets' | 'endpointslices' | 'leases';

/** `clusterOne` → `clusterone-control-plane`: the fake node's name (a DNS subdomain). */
export function nodeNameOf(cluster: string): string {
  const base = cluster.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'sim';
  return `${base}-control-plane`;
}

export class SimCluster {
  readonly name: string;
  url = '';
  dnsPort?: number;
  readonly faults: Faults;
  readonly counters: Counters;
  readonly store: ObjectStore;
  readonly registry: Registry;
  readonly nodeName: string;
  /** Authentication and RBAC of this cluster (enforced with the rbac option). */
  readonly auth: AuthGate;
  /** The admin's bearer token when RBAC is enforced (the kubeconfig's), else undefined. */
  readonly adminToken: string | undefined;
  /** The cluster CA (PEM): with rbac it signs the API server's certificate (the sim serves HTTPS); token Secrets' ca.crt. */
  readonly caPem: string;
  private readonly opts: SimClusterOptions;
  private readonly server: ApiServer;
  private readonly dnsServer?: DnsServer;
  private readonly kubelet: Kubelet;
  private readonly controllers: { start(): void; stop(): void }[];
  private readonly serviceIps: Ipv4Allocator;

  constructor(opts: SimClusterOptions) {
    this.opts = opts;
    this.name = opts.name;
    this.nodeName = nodeNameOf(opts.name);
    this.adminToken = opts.adminToken;
    this.store = new ObjectStore(opts.watchHistory, opts.watchHistoryMs);
    this.serviceIps = new Ipv4Allocator(opts.serviceCidr, 10);
    const podIps = new Ipv4Allocator(opts.podCidr, 2);
    const now = (): number => Date.now();
    const hooks: RegistryHooks = {
      beforeCreate: (def, obj) => this.allocateClusterIp(def, obj),
      afterDelete: (def, obj) => {
        if (def.plural !== 'services') return;
        const ip = (obj.spec as Record<string, unknown> | undefined)?.clusterIP;
        if (typeof ip === 'string' && ip !== 'None') this.serviceIps.release(ip);
      },
    };
    this.registry = new Registry(this.store, now, hooks);
    this.auth = new AuthGate(this.store, now, { enforce: opts.rbac ?? false, ...(opts.adminToken !== undefined ? { adminToken: opts.adminToken } : {}) });
    const tls = clusterTls(this.auth.signer.signingKey, now());
    this.caPem = tls.caPem;
    this.server = new ApiServer(this.registry, now, opts.serverVersion, opts.watchTiming, this.auth, opts.rbac ? { key: tls.keyPem, cert: tls.certPem } : undefined);
    this.faults = this.server.faults;
    this.counters = this.server.counters;
    const events = new EventRecorder(this.registry, now);
    events.enabled = opts.events;
    this.kubelet = new Kubelet(this.registry, events, {
      nodeName: this.nodeName, hostIP: opts.nodeIp, readyDelayMs: opts.readyDelayMs, podIps, now, containerStopMs: opts.containerStopMs,
      ...(opts.startDelayMs !== undefined ? { startDelayMs: opts.startDelayMs } : {}),
    });
    this.controllers = [new GarbageCollector(this.registry), new NamespaceController(this.registry, now), new StatefulSetController(this.registry, events), new EndpointSliceController(this.registry), this.kubelet, new CrdController(this.registry)];
    this.controllers.push(new ServiceAccountController(this.registry, this.auth.signer, tls.caPem, opts.rbac ?? false));
    if (opts.loadBalancerCidr !== undefined) this.controllers.push(new LoadBalancerController(this.registry, opts.loadBalancerCidr));
    if (opts.dns) this.dnsServer = new DnsServer(this.store);
  }

  private allocateClusterIp(def: ResourceDef, obj: KubeObject): void {
    if (def.plural !== 'services') return;
    const spec = obj.spec as Record<string, unknown>;
    if (spec.type === 'ExternalName' || spec.clusterIP === 'None') {
      if (spec.clusterIP === 'None') spec.clusterIPs = ['None'];
      return;
    }
    if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') {
      if (!this.serviceIps.claim(spec.clusterIP)) {
        throw invalid(def, obj.metadata.name ?? '', [fieldErr.invalid('spec.clusterIPs', [spec.clusterIP], `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated`)]);
      }
    } else spec.clusterIP = this.serviceIps.allocate();
    spec.clusterIPs = [spec.clusterIP];
  }

  async start(): Promise<void> {
    const ns = findResource('', 'v1', 'namespaces')!;
    for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.registry.create(ns, undefined, { metadata: { name } });
    this.registry.create(findResource('', 'v1', 'nodes')!, undefined, this.nodeObject(), { internal: true });
    if (this.opts.rbac) for (const obj of bootstrapPolicy()) this.apply(obj);
    if (this.opts.istioNetwork !== undefined) installIstio(this.registry, this.opts.istioNetwork);
    for (const c of this.controllers) c.start();
    const port = await this.server.listen(this.opts.apiPort);
    this.url = `${this.opts.rbac ? 'https' : 'http'}://127.0.0.1:${port}`;
    if (this.dnsServer) this.dnsPort = await this.dnsServer.listen(this.opts.dnsPort);
  }

  async stop(): Promise<void> {
    for (const c of this.controllers) c.stop();
    await this.server.close();
    await this.dnsServer?.close();
  }

  private nodeObject(): unknown {
    const now = timestamp(Date.now());
    return {
      metadata: { name: this.nodeName, labels: { 'kubernetes.io/hostname': this.nodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', 'node-role.kubernetes.io/control-plane': '' } },
      spec: { podCIDR: this.opts.podCidr, podCIDRs: [this.opts.podCidr] },
      status: {
        addresses: [{ type: 'InternalIP', address: this.opts.nodeIp }, { type: 'Hostname', address: this.nodeName }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
        nodeInfo: { kubeletVersion: `v${this.opts.serverVersion.major}.${this.opts.serverVersion.minor}.0`, osImage: 'gns-sync simulated node', kernelVersion: 'sim', containerRuntimeVersion: 'sim://1.0', operatingSystem: 'linux', architecture: 'amd64' },
      },
    };
  }

  /** Switches a pod's readiness (by name: a recreated pod of that name inherits it). */
  setPodReady(namespace: string, name: string, ready: boolean): void {
    this.kubelet.setReady(namespace, name, ready);
  }

  /** The object at an API path (`/api/v1/namespaces/ns-one/pods/kafka-0`), a copy; undefined when absent. */
  get(apiPath: string): KubeObject | undefined {
    const parts = apiPath.split('/').filter((x) => x !== '');
    const [group, version, rest] = parts[0] === 'api' ? ['', parts[1] ?? '', parts.slice(2)] : [parts[1] ?? '', parts[2] ?? '', parts.slice(3)];
    let namespace: string | undefined;
    let tail = rest;
    if (tail[0] === 'namespaces' && tail.length >= 3) {
      namespace = tail[1];
      tail = tail.slice(2);
    }
    const def = findResource(group, version, tail[0] ?? '');
    if (!def || tail[1] === undefined) throw new Error(`"${apiPath}" is not the path of one object (like /api/v1/namespaces/NS/pods/NAME)`);
    const found = this.registry.find(def, namespace, tail[1]);
    return found ? clone(found) : undefined;
  }

  /** Objects of a resource (plural name, e.g. 'pods'), optionally of one namespace and matching a label selector; copies. */
  list(resource: ResourceName, namespace?: string, labelSelector?: string): KubeObject[] {
    const def = RESOURCES.find((r) => r.plural === resource && r.group !== 'events.k8s.io');
    if (!def) throw new Error(`unknown resource "${resource}"`);
    return this.registry.list(def, namespace, parseLabelSelector(labelSelector)).items.map(clone);
  }

  /** Creates or replaces an object directly (no HTTP, not counted as a write): for test setup. */
  apply(obj: unknown): KubeObject {
    if (!isPlainObject(obj) || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string' || !isPlainObject(obj.metadata)) {
      throw new Error('apply needs an object with apiVersion, kind and metadata');
    }
    const def = RESOURCES.find((r) => (r.group ? `${r.group}/${r.version}` : r.version) === obj.apiVersion && r.kind === obj.kind) ?? customResourceByKind(this.store, obj.apiVersion, obj.kind);
    if (!def) throw new Error(`the simulated cluster does not serve ${String(obj.kind)} in ${String(obj.apiVersion)}`);
    const meta = obj.metadata as Record<string, unknown>;
    const ns = def.namespaced ? String(meta.namespace ?? 'default') : undefined;
    const existing = typeof meta.name === 'string' ? this.registry.find(def, ns, meta.name) : undefined;
    try {
      if (existing) return clone(this.registry.update(def, ns, meta.name as string, { ...obj, metadata: { ...meta, resourceVersion: existing.metadata.resourceVersion } }));
      return clone(this.registry.create(def, ns, obj));
    } catch (error) {
      if (error instanceof ApiError) throw new Error(error.message, { cause: error });
      throw error;
    }
  }

  /** What the cluster DNS answers for a name (ready endpoints of headless Services; clusterIPs). */
  resolve(name: string, type: 'A' | 'AAAA' = 'A'): string[] {
    return [...resolveName(this.store, name, type).addresses];
  }

  /** The current resourceVersion of the cluster (increases with every write). */
  get resourceVersion(): number {
    return this.store.resourceVersion;
  }
}
