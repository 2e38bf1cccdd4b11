// An in-memory RoutingApis for the routing tests: ServiceEntries per cluster with
// resourceVersions (a conditional update against a stale one is a ConflictError), label
// selection, a switch for "the Istio API is not served", gateway Services, counted writes.
import type { ClusterIstioView, GatewayServiceRecord } from '../../../shared/core/routing/gateways.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import { ConflictError, IstioApiMissingError } from '../../../shared/errors.ts';
import type { RoutingApi, RoutingApis } from '../../../shared/ports.ts';
import { KIND_SERVICEENTRIES } from '../../../shared/core/inventory.ts';
import { FakeInventory } from './fakes.ts';

export class FakeRoutingCluster implements RoutingApi {
  readonly entries = new Map<string, ServiceEntry>();
  readonly writes: string[] = [];
  /** The namespace of each list (`*`: cluster-wide). */
  readonly lists: string[] = [];
  /** The installation's inventory here; create and update record the namespace first. */
  readonly inventory = new FakeInventory();
  services: GatewayServiceRecord[] = [];
  systemNetwork: string | undefined;
  served = true;
  #rv = 0;
  #uid = 0;
  readonly name: string;
  constructor(name: string) {
    this.name = name;
  }

  #check(what: string): void {
    if (!this.served) throw new IstioApiMissingError(`${this.name}: ${what}: not served`);
  }

  async listServiceEntries(selector: Readonly<Record<string, string>>, namespace?: string): Promise<readonly ServiceEntry[]> {
    this.#check('list');
    this.lists.push(namespace ?? '*');
    return [...this.entries.values()].filter((e) => (namespace === undefined || e.namespace === namespace) && Object.entries(selector).every(([k, v]) => e.labels[k] === v));
  }

  async createServiceEntry(entry: ServiceEntry): Promise<void> {
    this.#check('create');
    await this.inventory.record(KIND_SERVICEENTRIES, entry.namespace);
    const key = `${entry.namespace}/${entry.name}`;
    if (this.entries.has(key)) throw new ConflictError(`${key} exists`);
    this.entries.set(key, { ...entry, cluster: this.name, uid: `uid-${++this.#uid}`, resourceVersion: String(++this.#rv) });
    this.writes.push(`create ${key}`);
  }

  async updateServiceEntry(entry: ServiceEntry): Promise<void> {
    this.#check('update');
    await this.inventory.record(KIND_SERVICEENTRIES, entry.namespace);
    const key = `${entry.namespace}/${entry.name}`;
    const found = this.entries.get(key);
    if (!found || found.resourceVersion !== entry.resourceVersion || (entry.uid !== undefined && entry.uid !== found.uid)) throw new ConflictError(`${key}: stale or gone`);
    this.entries.set(key, { ...entry, cluster: this.name, uid: found.uid, resourceVersion: String(++this.#rv) });
    this.writes.push(`update ${key}`);
  }

  async deleteServiceEntry(entry: Pick<ServiceEntry, 'namespace' | 'name' | 'uid' | 'resourceVersion'>): Promise<void> {
    this.#check('delete');
    const key = `${entry.namespace}/${entry.name}`;
    const found = this.entries.get(key);
    if (!found) return;
    if ((entry.uid !== undefined && entry.uid !== found.uid) || (entry.resourceVersion !== undefined && entry.resourceVersion !== found.resourceVersion)) {
      throw new ConflictError(`${key}: precondition failed`);
    }
    this.entries.delete(key);
    this.writes.push(`delete ${key}`);
  }

  async istioView(): Promise<ClusterIstioView> {
    return { services: this.services, ...(this.systemNetwork !== undefined ? { systemNetwork: this.systemNetwork } : {}) };
  }

  /** What someone else does: change an entry behind our back (a new resourceVersion). */
  tamper(namespace: string, name: string, change: (e: ServiceEntry) => ServiceEntry): void {
    const key = `${namespace}/${name}`;
    const found = this.entries.get(key);
    if (found) this.entries.set(key, { ...change(found), resourceVersion: String(++this.#rv) });
  }
}

export class FakeRoutingApis implements RoutingApis {
  readonly clusters = new Map<string, FakeRoutingCluster>();
  constructor(names: readonly string[] = ['clusterOne', 'clusterTwo']) {
    for (const n of names) this.clusters.set(n, new FakeRoutingCluster(n));
  }
  cluster(name: string): FakeRoutingCluster {
    const c = this.clusters.get(name);
    if (!c) throw new Error(`no fake routing cluster ${name}`);
    return c;
  }
  async get(cluster: string): Promise<RoutingApi> {
    return this.cluster(cluster);
  }
  writes(): string[] {
    return [...this.clusters.values()].flatMap((c) => c.writes.map((w) => `${c.name}: ${w}`));
  }
  clearWrites(): void {
    for (const c of this.clusters.values()) c.writes.length = 0;
  }
}

/** The istio-system/istio-eastwestgateway Service of a network, as the sim and Istio's sample have it. */
export const eastWestGateway = (network: string, address = '172.18.255.10', labels: Record<string, string> = {}): GatewayServiceRecord => ({
  namespace: 'istio-system',
  name: 'istio-eastwestgateway',
  labels: { 'topology.istio.io/network': network, ...labels },
  type: 'LoadBalancer',
  loadBalancerIngress: [{ ip: address }],
  externalIPs: [],
});

/** Each seed cluster's east-west gateway (its network is its name in TOPOLOGY): clusterOne at 172.18.255.1, clusterTwo at .2. */
export function seedGateways(routing: FakeRoutingApis): void {
  routing.cluster('clusterOne').services = [eastWestGateway('clusterOne', '172.18.255.1')];
  routing.cluster('clusterTwo').services = [eastWestGateway('clusterTwo', '172.18.255.2')];
}
