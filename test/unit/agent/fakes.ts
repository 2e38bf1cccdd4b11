// Test doubles for the agent: a fake Kubernetes watch source driving client-node's real
// ListWatch (so the informer logic under test is the library's), a recording event bus, object
// factories, and agents started on them (stopped after each test).
import { KubeConfig, ListWatch } from '@kubernetes/client-node';
import type { KubernetesListObject, KubernetesObject, V1Pod, V1Service, Watch } from '@kubernetes/client-node';
import { mergeEvents, emptyNamespaceState, visiblePods, visibleServices } from '../../../shared/core/merge.ts';
import type { NamespaceState } from '../../../shared/core/types.ts';
import type { BusEntry, EventBus } from '../../../shared/ports.ts';
import { parseBusEvent } from '../../../shared/schemas/parse.ts';
import { toEnvelope } from '../../../shared/schemas/envelope.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import type { WatchSource } from '../../../agent/watch.ts';
import type { AgentLogger } from '../../../agent/logger.ts';
import { startAgent, type Agent, type AgentOptions } from '../../../agent/agent.ts';

type Handler = { path: string; cb: (phase: string, obj: unknown) => void; done: (err: unknown) => void; closed: boolean };

/** An in-memory API server for pods and Services: list, watch, and fault knobs. */
export class FakeKube {
  rv = 1;
  readonly objects = new Map<string, KubernetesObject>(); // `${path}/${name}` → object
  readonly watchers: Handler[] = [];
  lists = 0;
  /** Fail the next n list calls with a 500. */
  failLists = 0;
  /** Fail the next n watch calls with a 500. */
  failWatches = 0;

  static podsPath = (ns: string): string => `/api/v1/namespaces/${ns}/pods`;
  static servicesPath = (ns: string): string => `/api/v1/namespaces/${ns}/services`;

  #pathOf(obj: KubernetesObject): string {
    const ns = obj.metadata?.namespace ?? '';
    return obj.kind === 'Service' ? FakeKube.servicesPath(ns) : FakeKube.podsPath(ns);
  }

  /** Creates or replaces an object (new resourceVersion), notifying watchers. */
  put(obj: KubernetesObject): KubernetesObject {
    const path = this.#pathOf(obj);
    const key = `${path}/${obj.metadata?.name}`;
    this.rv += 1;
    const stored = structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } });
    const existed = this.objects.has(key);
    this.objects.set(key, stored);
    this.#notify(path, existed ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  delete(kind: 'Pod' | 'Service', namespace: string, name: string): void {
    const path = kind === 'Service' ? FakeKube.servicesPath(namespace) : FakeKube.podsPath(namespace);
    const key = `${path}/${name}`;
    const obj = this.objects.get(key);
    if (obj === undefined) return;
    this.objects.delete(key);
    this.rv += 1;
    this.#notify(path, 'DELETED', { ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } });
  }

  /** Changes state without telling watchers (as if the events were lost during a gap). */
  putSilently(obj: KubernetesObject): void {
    this.rv += 1;
    this.objects.set(`${this.#pathOf(obj)}/${obj.metadata?.name}`, structuredClone({ ...obj, metadata: { ...obj.metadata, resourceVersion: String(this.rv) } }));
  }

  deleteSilently(kind: 'Pod' | 'Service', namespace: string, name: string): void {
    const path = kind === 'Service' ? FakeKube.servicesPath(namespace) : FakeKube.podsPath(namespace);
    this.objects.delete(`${path}/${name}`);
    this.rv += 1;
  }

  #notify(path: string, phase: string, obj: unknown): void {
    for (const w of this.watchers) if (!w.closed && w.path === path) w.cb(phase, structuredClone(obj));
  }

  #close(w: Handler, err: unknown): void {
    if (w.closed) return;
    w.closed = true;
    w.done(err);
  }

  /** Closes every watch normally (the informer reconnects from its resourceVersion). */
  dropWatches(): void {
    for (const w of this.watchers) this.#close(w, null);
  }

  /** Every watch gets a 410 Gone (the informer relists). */
  forceGone(): void {
    for (const w of this.watchers) {
      if (w.closed) continue;
      w.cb('ERROR', { kind: 'Status', code: 410, reason: 'Expired', metadata: {} });
      this.#close(w, null);
    }
  }

  /** Every watch fails with an error (client-node's informer stops; the agent restarts it). */
  breakWatches(): void {
    for (const w of this.watchers) this.#close(w, Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }));
  }

  list<T extends KubernetesObject>(path: string): Promise<KubernetesListObject<T>> {
    this.lists += 1;
    if (this.failLists > 0) {
      this.failLists -= 1;
      return Promise.reject(Object.assign(new Error('HTTP 500 Internal Server Error'), { code: 500 }));
    }
    const items = [...this.objects.entries()].filter(([k]) => k.startsWith(`${path}/`)).map(([, v]) => structuredClone(v) as T);
    return Promise.resolve({ metadata: { resourceVersion: String(this.rv) }, items });
  }

  get openWatches(): number {
    return this.watchers.filter((w) => !w.closed).length;
  }

  /** The Watch client-node's ListWatch talks to. */
  readonly watch = {
    watch: async (path: string, _query: unknown, cb: Handler['cb'], done: Handler['done']) => {
      const handler: Handler = { path, cb, done, closed: false };
      this.watchers.push(handler);
      if (this.failWatches > 0) {
        this.failWatches -= 1;
        queueMicrotask(() => this.#close(handler, Object.assign(new Error('Internal Server Error'), { statusCode: 500 })));
      }
      const controller = new AbortController();
      controller.signal.addEventListener('abort', () => { handler.closed = true; });
      return controller;
    },
  } as unknown as Watch;

  source(): WatchSource {
    return {
      informer: <T extends KubernetesObject>(path: string, list: () => Promise<KubernetesListObject<T>>) =>
        new ListWatch<T>(path, this.watch, list, false, undefined, undefined, { delayFn: async () => {} }),
      listPods: (ns) => this.list<V1Pod>(FakeKube.podsPath(ns)),
      listServices: (ns) => this.list<V1Service>(FakeKube.servicesPath(ns)),
    };
  }
}

export type PutResult = readonly { index: number; errorCode: string; errorMessage?: string }[];

/** An EventBus that records accepted entries; `behaviour` decides each call's outcome. */
export class RecordingBus implements EventBus {
  readonly accepted: BusEntry[] = [];
  readonly calls: (readonly BusEntry[])[] = [];
  behaviour: (entries: readonly BusEntry[], call: number) => PutResult | Error = () => [];

  async put(entries: readonly BusEntry[]): Promise<PutResult> {
    this.calls.push(entries);
    const outcome = this.behaviour(entries, this.calls.length);
    if (outcome instanceof Error) throw outcome;
    const failed = new Set(outcome.map((f) => f.index));
    entries.forEach((e, i) => {
      if (!failed.has(i)) this.accepted.push(e);
    });
    return outcome;
  }

  /** The accepted entries, validated by the functions' parser (the contract). */
  events(): GnsEvent[] {
    return this.accepted.map((entry, i) => {
      const parsed = parseBusEvent(toEnvelope(entry, { id: `e${i}`, account: '1', region: 'r', receivedAt: new Date(0) }));
      if (!parsed.ok) throw new Error(`agent published an invalid event: ${parsed.reason}`);
      return parsed.event;
    });
  }

  /** The stored state of one namespace after merging everything accepted (in order). */
  state(namespace: string): NamespaceState {
    return mergeEvents(emptyNamespaceState(), this.events().filter((e) => e.detail.namespace === namespace));
  }

  visible(namespace: string): { pods: string[]; services: string[] } {
    const state = this.state(namespace);
    return { pods: visiblePods(state).map((p) => p.name), services: visibleServices(state).map((s) => s.name) };
  }

  types(): string[] {
    return this.accepted.map((e) => e.detailType);
  }
}

export function pod(name: string, opts: { ns?: string; uid?: string; ip?: string; ready?: boolean; labels?: Record<string, string>; annotations?: Record<string, string> } = {}): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: opts.ns ?? 'ns-one', uid: opts.uid ?? `uid-${name}`, labels: opts.labels ?? { app: 'kafka' }, ...(opts.annotations ? { annotations: opts.annotations } : {}) },
    spec: { hostname: name, subdomain: 'kafka-headless', nodeName: 'node-1', containers: [{ name: 'kafka', image: 'kafka', ports: [{ name: 'tcp-client', containerPort: 9092, protocol: 'TCP' }] }] },
    status: {
      phase: 'Running',
      ...(opts.ip === undefined ? {} : { podIP: opts.ip, podIPs: [{ ip: opts.ip }] }),
      conditions: [{ type: 'Ready', status: (opts.ready ?? true) ? 'True' : 'False' }],
    },
  };
}

export const SELECTOR = '{"app":"kafka"}';

export function service(name: string, opts: { ns?: string; uid?: string; annotated?: boolean; extraAnnotations?: Record<string, string> } = {}): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: opts.ns ?? 'ns-one',
      uid: opts.uid ?? `uid-svc-${name}`,
      annotations: { ...((opts.annotated ?? true) ? { 'tsm.tanzu.vmware.com/endpoints.statefulset': SELECTOR } : {}), ...opts.extraAnnotations },
    },
    spec: { clusterIP: 'None', ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'tcp-client' }] },
  };
}

export const quietLogger = (): AgentLogger & { lines: { level: string; message: string; extra?: Record<string, unknown> }[] } => {
  const lines: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const log = (level: string) => (message: string, extra?: Record<string, unknown>) => {
    lines.push({ level, message, ...(extra === undefined ? {} : { extra }) });
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
};

/** Polls `check` until it returns true (no timed assertions: vitest's timeout bounds it). */
export async function until(check: () => boolean | Promise<boolean>, stepMs = 5): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, stepMs));
}

/** A kubeconfig whose API server nobody answers: the agents here watch through FakeKube's source. */
export function unreachableKubeConfig(): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return kubeConfig;
}

const started: Agent[] = [];

/**
 * Starts the agent of clusterOne for ns-one on `kube`'s watch source, publishing to `bus`, with
 * 1–5 ms backoffs and no periodic snapshot (`extra` adds or overrides options); not awaited
 * ready. stopStartedAgents stops it.
 */
export async function startFakeAgent(kube: FakeKube, bus: EventBus, extra: Partial<AgentOptions> = {}): Promise<Agent> {
  const agent = await startAgent({
    cluster: 'clusterOne', namespaces: ['ns-one'], kubeConfig: unreachableKubeConfig(), bus,
    watchSource: kube.source(), logger: quietLogger(), snapshotIntervalMs: 0,
    watchBackoff: { baseMs: 1, maxMs: 5 }, publisher: { backoff: { baseMs: 1, maxMs: 5 } },
    ...extra,
  });
  started.push(agent);
  return agent;
}

/** Stops every agent startFakeAgent started: for afterEach. */
export async function stopStartedAgents(): Promise<void> {
  await Promise.all(started.splice(0).map((a) => a.stop()));
}
