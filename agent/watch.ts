// Informers on the pods and the Services of one namespace (@kubernetes/client-node 2.x
// `makeInformer` with a list function). client-node's informer relists by itself on 410 Gone
// but stops on any other error: we restart it with exponential backoff and jitter. After every
// (re)list — once the cache holds the new list — `onListed` fires, and the agent publishes a
// namespace snapshot. Per-object callbacks during a list carry `listing: true` (the snapshot
// that follows covers them).
import { CoreV1Api, makeInformer } from '@kubernetes/client-node';
import type { Informer, KubeConfig, KubernetesListObject, KubernetesObject, ListPromise, ObjectCache, V1Pod, V1Service } from '@kubernetes/client-node';
import { backoffDelay, withTimeout } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { AgentLogger } from './logger.ts';
import type { AgentMetrics } from './metrics.ts';

export type WatchedInformer<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;
export type InformerFactory = <T extends KubernetesObject>(path: string, list: ListPromise<T>) => WatchedInformer<T>;

export interface ObjectHandlers<T> {
  onUpsert(object: T, listing: boolean): void;
  onDelete(object: T, listing: boolean): void;
  /** After every successful list, with the cache updated. */
  onListed(): void;
}

export interface ResilientInformerOptions<T extends KubernetesObject> {
  /** e.g. `ns-one/pods`, for logs. */
  readonly name: string;
  readonly path: string;
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly factory: InformerFactory;
  readonly handlers: ObjectHandlers<T>;
  readonly metrics: AgentMetrics;
  readonly logger: AgentLogger;
  /** Default 500 ms doubling to 30 s. */
  readonly backoff?: BackoffPolicy;
  /** A list call that takes longer fails (and the informer restarts). Default 60 s. */
  readonly listTimeoutMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

/** One informer that restarts itself after errors. */
export class ResilientInformer<T extends KubernetesObject> {
  readonly #o: ResilientInformerOptions<T>;
  readonly #informer: WatchedInformer<T>;
  #listing = false;
  #synced = false;
  #stopped = false;
  #attempts = 0;
  #failingSince: number | undefined;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: ResilientInformerOptions<T>) {
    this.#o = options;
    this.#informer = options.factory<T>(options.path, () => this.#listWrapped());
    this.#informer.on('add', (o) => this.#upsert(o));
    this.#informer.on('update', (o) => this.#upsert(o));
    this.#informer.on('delete', (o) => {
      if (!this.#stopped) this.#o.handlers.onDelete(o, this.#listing);
    });
    this.#informer.on('error', (error: unknown) => this.#failed(error));
  }

  #upsert(object: T): void {
    if (this.#stopped) return;
    this.#healthy();
    this.#o.handlers.onUpsert(object, this.#listing);
  }

  async #listWrapped(): Promise<KubernetesListObject<T>> {
    this.#listing = true;
    try {
      const list = await withTimeout(this.#o.list(), this.#o.listTimeoutMs ?? 60_000, `listing ${this.#o.name}`);
      // The informer applies the list to its cache right after this promise resolves (in
      // microtasks); setImmediate runs after them and before any watch event can arrive.
      setImmediate(() => {
        this.#listing = false;
        if (this.#stopped) return;
        this.#synced = true;
        this.#healthy();
        this.#o.handlers.onListed();
      });
      return list;
    } catch (error) {
      this.#listing = false;
      throw error;
    }
  }

  #healthy(): void {
    this.#attempts = 0;
    this.#failingSince = undefined;
    this.#lastError = undefined;
  }

  #failed(error: unknown): void {
    if (this.#stopped) return;
    this.#attempts += 1;
    this.#failingSince ??= (this.#o.now ?? Date.now)();
    this.#lastError = describe(error);
    const delay = backoffDelay(this.#attempts, this.#o.backoff ?? { baseMs: 500, maxMs: 30_000 }, this.#o.random);
    this.#o.logger.warn('informer stopped on an error; restarting it', { informer: this.#o.name, error: this.#lastError, attempt: this.#attempts, delayMs: delay });
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#stopped) return;
      this.#o.metrics.watchRestarts.inc();
      this.#start();
    }, delay);
  }

  #start(): void {
    this.#informer.start().catch((error: unknown) => this.#failed(error));
  }

  start(): void {
    this.#stopped = false;
    this.#start();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#informer.stop();
  }

  /** e.g. `ns-one/pods`. */
  get name(): string {
    return this.#o.name;
  }

  /** Listed at least once. */
  get synced(): boolean {
    return this.#synced;
  }

  get failingSinceMs(): number | undefined {
    return this.#failingSince;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** The cached objects. */
  objects(): readonly T[] {
    return this.#informer.list();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const status = (error as { statusCode?: unknown; code?: unknown }).statusCode ?? (error as { code?: unknown }).code;
    return `${error.name}: ${error.message}${typeof status === 'number' ? ` (HTTP ${status})` : ''}`.replace(/\s+/g, ' ');
  }
  return String(error);
}

/** Where informers and their lists come from: the cluster of a KubeConfig, or a fake in tests. */
export interface WatchSource {
  readonly informer: InformerFactory;
  listPods(namespace: string): Promise<KubernetesListObject<V1Pod>>;
  listServices(namespace: string): Promise<KubernetesListObject<V1Service>>;
}

/** client-node's own informers and list calls, against the cluster of `kubeConfig`. */
export function kubeWatchSource(kubeConfig: KubeConfig): WatchSource {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  return {
    informer: <T extends KubernetesObject>(path: string, list: ListPromise<T>) => makeInformer<T>(kubeConfig, path, list),
    listPods: (namespace) => core.listNamespacedPod({ namespace }),
    listServices: (namespace) => core.listNamespacedService({ namespace }),
  };
}

export interface NamespaceWatchOptions {
  readonly namespace: string;
  readonly source: WatchSource;
  readonly pods: ObjectHandlers<V1Pod>;
  readonly services: ObjectHandlers<V1Service>;
  readonly metrics: AgentMetrics;
  readonly logger: AgentLogger;
  readonly backoff?: BackoffPolicy;
  readonly now?: () => number;
}

/** The two informers of one member namespace. */
export class NamespaceWatch {
  readonly namespace: string;
  readonly pods: ResilientInformer<V1Pod>;
  readonly services: ResilientInformer<V1Service>;

  constructor(options: NamespaceWatchOptions) {
    const { namespace, source, metrics, logger } = options;
    const ns = encodeURIComponent(namespace);
    const common = {
      factory: source.informer, metrics, logger,
      ...(options.backoff === undefined ? {} : { backoff: options.backoff }),
      ...(options.now === undefined ? {} : { now: options.now }),
    };
    this.namespace = namespace;
    this.pods = new ResilientInformer<V1Pod>({
      ...common,
      name: `${namespace}/pods`,
      path: `/api/v1/namespaces/${ns}/pods`,
      list: () => source.listPods(namespace),
      handlers: options.pods,
    });
    this.services = new ResilientInformer<V1Service>({
      ...common,
      name: `${namespace}/services`,
      path: `/api/v1/namespaces/${ns}/services`,
      list: () => source.listServices(namespace),
      handlers: options.services,
    });
  }

  start(): void {
    this.pods.start();
    this.services.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.pods.stop(), this.services.stop()]);
  }

  get synced(): boolean {
    return this.pods.synced && this.services.synced;
  }
}
