// The two topologies of the cost bench (issue 12) and what a run observes in them.
//
//   current  10 clusters on two networks, 100 StatefulSets × 10 replicas; each StatefulSet's
//            GNS has 4 members (its namespace in its own cluster and in 3 others) and 3 targets
//            (a headless Service in each of the 3 others: two on its network, one across).
//   wide     one GNS of 20 members (2 namespaces in each of the 10 clusters) and 20 targets
//            (a Service `wide` in each member selecting every pod of the GNS): 20 StatefulSets
//            × 10 replicas, one per member. Every pod event concerns all 20 targets.
//
// The observer follows the simulated clusters' own stores: the published endpoints of every
// target (our EndpointSlices), the desired changes (what each target should show of a pod:
// its address or VIP, ready, terminating) and the propagation of each change.
import type { SimFleet } from '../local/sim/index.ts';
import type { Config } from '../shared/config/schema.ts';
import { ANNOTATION_TSM, LABEL_MANAGED_BY, MANAGED_BY } from '../shared/core/types.ts';

export type TopologyName = 'current' | 'wide';

export interface World {
  readonly name: TopologyName;
  readonly clusters: readonly string[];
  readonly config: Config;
  /** Source pods: cluster, namespace, name. */
  readonly pods: readonly { cluster: string; ns: string; name: string }[];
  /** Targets of the pods of a source namespace (`cluster/ns`), each keyed `cluster/ns`. */
  readonly targetsOf: ReadonlyMap<string, readonly { key: string; sameNetwork: boolean }[]>;
  /** Every target key and how many endpoints it publishes when converged. */
  readonly expected: ReadonlyMap<string, number>;
  apply(fleet: SimFleet, graceSeconds: number): void;
}

const network = (c: number, n: number) => (c < Math.ceil(n / 2) ? 'net-a' : 'net-b');

function statefulSet(name: string, ns: string, replicas: number, labels: Record<string, string>, graceSeconds: number) {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name, namespace: ns },
    spec: {
      // Parallel: the fleet boots in one readiness delay, not replicas × it (OrderedReady); a
      // deleted pod is recreated at once under either policy, so the restarts are the same.
      replicas, serviceName: name, podManagementPolicy: 'Parallel', selector: { matchLabels: { app: name } },
      template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: graceSeconds, containers: [{ name: 'app', image: 'app', ports: [{ name: 'client', containerPort: 9092, protocol: 'TCP' }] }] } },
    },
  };
}

function targetService(name: string, ns: string, selector: Record<string, string>) {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, annotations: { [ANNOTATION_TSM]: JSON.stringify(selector) } },
    spec: { clusterIP: 'None', ports: [{ name: 'client', port: 9092, protocol: 'TCP', targetPort: 'client' }] },
  };
}

export function currentWorld(clusters = 10, sts = 100, replicas = 10): World {
  const names = Array.from({ length: clusters }, (_, i) => `c${i}`);
  const layout = Array.from({ length: sts }, (_, i) => {
    const c = i % clusters;
    const near = names.map((_, j) => j).filter((j) => network(j, clusters) === network(c, clusters) && j !== c);
    const far = names.map((_, j) => j).filter((j) => network(j, clusters) !== network(c, clusters));
    const targets = [near[i % near.length]!, near[(i + 1) % near.length]!, far[i % far.length]!].filter((t, k, a) => a.indexOf(t) === k);
    return { i, source: c, ns: `app-${i}`, targets };
  });
  const targetsOf = new Map(layout.map((l) => [`${names[l.source]}/${l.ns}`, l.targets.map((c) => ({ key: `${names[c]}/${l.ns}`, sameNetwork: network(c, clusters) === network(l.source, clusters) }))]));
  return {
    name: 'current',
    clusters: names,
    config: {
      clusters: names.map((name, c) => ({ name, network: network(c, clusters), context: name })),
      globalNamespaces: layout.map((l) => ({ name: `gns-${l.i}`, members: [l.source, ...l.targets].map((c) => ({ cluster: names[c]!, namespace: l.ns })) })),
      vipPool: '240.240.0.0/16',
      vipReleaseAfterMs: 3_600_000,
      routing: 'none',
    },
    pods: layout.flatMap((l) => Array.from({ length: replicas }, (_, r) => ({ cluster: names[l.source]!, ns: l.ns, name: `sts-${l.i}-${r}` }))),
    targetsOf,
    expected: new Map(layout.flatMap((l) => l.targets.map((c) => [`${names[c]}/${l.ns}`, replicas] as const))),
    apply(fleet, graceSeconds) {
      for (const l of layout) {
        for (const c of [l.source, ...l.targets]) fleet.cluster(names[c]!).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: l.ns } });
        fleet.cluster(names[l.source]!).apply(statefulSet(`sts-${l.i}`, l.ns, replicas, { app: `sts-${l.i}` }, graceSeconds));
        for (const c of l.targets) fleet.cluster(names[c]!).apply(targetService(`sts-${l.i}`, l.ns, { app: `sts-${l.i}` }));
      }
    },
  };
}

export function wideWorld(clusters = 10, namespacesPerCluster = 2, replicas = 10): World {
  const names = Array.from({ length: clusters }, (_, i) => `c${i}`);
  const members = names.flatMap((_, c) => Array.from({ length: namespacesPerCluster }, (_, k) => ({ c, ns: `wide-${k}` })));
  const targetsFor = (c: number) => members.map((m) => ({ key: `${names[m.c]}/${m.ns}`, sameNetwork: network(m.c, clusters) === network(c, clusters) }));
  return {
    name: 'wide',
    clusters: names,
    config: {
      clusters: names.map((name, c) => ({ name, network: network(c, clusters), context: name })),
      globalNamespaces: [{ name: 'wide', members: members.map((m) => ({ cluster: names[m.c]!, namespace: m.ns })) }],
      vipPool: '240.240.0.0/16',
      vipReleaseAfterMs: 3_600_000,
      routing: 'none',
    },
    pods: members.flatMap((m, j) => Array.from({ length: replicas }, (_, r) => ({ cluster: names[m.c]!, ns: m.ns, name: `sts-${j}-${r}` }))),
    targetsOf: new Map(members.map((m) => [`${names[m.c]}/${m.ns}`, targetsFor(m.c)])),
    expected: new Map(members.map((m) => [`${names[m.c]}/${m.ns}`, members.length * replicas])),
    apply(fleet, graceSeconds) {
      members.forEach((m, j) => {
        const cluster = fleet.cluster(names[m.c]!);
        cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: m.ns } });
        cluster.apply(statefulSet(`sts-${j}`, m.ns, replicas, { app: `sts-${j}`, tier: 'wide' }, graceSeconds));
        cluster.apply(targetService('wide', m.ns, { tier: 'wide' }));
      });
    },
  };
}

type Obj = {
  metadata?: { name?: string; namespace?: string; uid?: string; labels?: Record<string, string>; deletionTimestamp?: string };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
  endpoints?: { hostname?: string; addresses: string[]; conditions?: { ready?: boolean } }[];
};
type Published = { address: string; ready: boolean };
type Change = { t0: number; ip: string; readyAt?: number; addrDone: Map<string, number>; readyDone: Map<string, number> };

const isReady = (o: Obj | undefined) => o?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/**
 * Watches the fleet: published endpoints per target, desired changes per target, and each
 * change's propagation. A change is a pod's new address: its clock starts when the address is
 * first observable in the pod's cluster; it has propagated when every target shows it (a
 * target on another network: the pod's VIP endpoint) and, once the pod is Ready, shows it
 * ready — the figure is the later of (address shown − address observable) and (ready shown −
 * Ready observable). A change overtaken by the pod's next restart counts as superseded.
 */
export class Observer {
  readonly #world: World;
  readonly #published = new Map<string, Map<string, Published>>(); // target → hostname → …
  readonly #slices = new Map<string, Map<string, Published>>(); // target/slice → hostname → …
  readonly #lastIp = new Map<string, string>(); // pod key → address
  readonly #desired = new Map<string, string>(); // target/pod → desired endpoint (canonical)
  readonly #pending = new Map<string, Change>();
  readonly #readyPods = new Set<string>(); // pod keys whose pod is Ready in its cluster
  measuring = false;
  sliceWrites = 0;
  desiredChanges = 0;
  superseded = 0;
  readonly latencies: number[] = [];

  constructor(world: World, fleet: SimFleet) {
    this.#world = world;
    for (const cluster of world.clusters) fleet.cluster(cluster).store.subscribe((event) => this.#on(cluster, event.storage, event.type, event.object as Obj));
  }

  get pending(): number {
    return this.#pending.size;
  }

  /** Source pods Ready in their clusters. */
  get readyPods(): number {
    return this.#readyPods.size;
  }

  /** Every target publishes every expected endpoint, ready. */
  converged(): boolean {
    for (const [key, n] of this.#world.expected) {
      const m = this.#published.get(key);
      if (!m || m.size !== n || ![...m.values()].every((e) => e.ready)) return false;
    }
    return true;
  }

  /** Starts a measured window: pending changes of before are forgotten. */
  reset(): void {
    this.#pending.clear();
    this.latencies.length = 0;
    this.sliceWrites = 0;
    this.desiredChanges = 0;
    this.superseded = 0;
  }

  #on(cluster: string, storage: string, type: string, o: Obj): void {
    const now = Date.now();
    const ns = o.metadata?.namespace ?? '';
    if (storage === 'endpointslices.discovery.k8s.io' && o.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY) {
      if (this.measuring) this.sliceWrites += 1;
      const target = `${cluster}/${ns}`;
      const eps = new Map<string, Published>();
      if (type !== 'DELETED') for (const e of o.endpoints ?? []) if (e.hostname) eps.set(e.hostname, { address: e.addresses[0]!, ready: e.conditions?.ready === true });
      this.#slices.set(`${target}/${o.metadata?.name}`, eps);
      const merged = new Map<string, Published>();
      for (const [k, v] of this.#slices) if (k.startsWith(`${target}/`)) for (const [h, e] of v) merged.set(h, e);
      this.#published.set(target, merged);
      this.#settle(now);
      return;
    }
    if (storage !== 'pods') return;
    const targets = this.#world.targetsOf.get(`${cluster}/${ns}`);
    if (!targets) return;
    const name = o.metadata?.name ?? '';
    const key = `${cluster}/${ns}/${name}`;
    // A terminal pod (Succeeded, Failed) keeps its address in status but publishes none.
    const gone = type === 'DELETED' || o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed';
    const ip = gone ? undefined : o.status?.podIP;
    const terminating = o.metadata?.deletionTimestamp !== undefined;
    const ready = !gone && isReady(o);
    if (ready && !terminating) this.#readyPods.add(key);
    else this.#readyPods.delete(key);
    // Desired changes: what each target should show of this pod.
    for (const t of targets) {
      const shown = ip === undefined ? 'absent' : `${t.sameNetwork ? ip : 'vip'}|${ready && !terminating}|${ready}|${terminating}`;
      const dk = `${t.key}/${key}`;
      if (this.#desired.get(dk) !== shown) {
        if (this.measuring && this.#desired.has(dk)) this.desiredChanges += 1;
        this.#desired.set(dk, shown);
      }
    }
    if (ip !== undefined && ip !== this.#lastIp.get(key) && !terminating) {
      this.#lastIp.set(key, ip);
      if (this.measuring) {
        if (this.#pending.has(key)) this.superseded += 1;
        this.#pending.set(key, { t0: now, ip, addrDone: new Map(), readyDone: new Map() });
      }
    }
    const change = this.#pending.get(key);
    if (change && ready && !terminating && ip === change.ip && change.readyAt === undefined) change.readyAt = now;
    this.#settle(now);
  }

  #settle(now: number): void {
    for (const [key, c] of this.#pending) {
      const [cluster, ns, pod] = key.split('/') as [string, string, string];
      const targets = this.#world.targetsOf.get(`${cluster}/${ns}`) ?? [];
      for (const t of targets) {
        const e = this.#published.get(t.key)?.get(pod);
        const addressShown = e !== undefined && (!t.sameNetwork || e.address === c.ip);
        if (addressShown && !c.addrDone.has(t.key)) c.addrDone.set(t.key, now);
        if (c.readyAt !== undefined && addressShown && e.ready && !c.readyDone.has(t.key)) c.readyDone.set(t.key, now);
      }
      if (c.readyAt !== undefined && c.readyDone.size === targets.length) {
        const addr = Math.max(...c.addrDone.values()) - c.t0;
        const ready = Math.max(...c.readyDone.values()) - c.readyAt;
        this.latencies.push(Math.max(addr, ready, 0));
        this.#pending.delete(key);
      }
    }
  }
}
