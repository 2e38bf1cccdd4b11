// The per-cluster watcher agent: informers on the pods and Services of the member namespaces
// of its cluster → projected, suppressed, versioned events → the event bus (docs/adr/0002).
// Used in-process by the local runner and by agent/main.ts in a container.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CoordinationV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod, V1Service } from '@kubernetes/client-node';
import { GnsSyncError } from '../shared/errors.ts';
import type { EventBus } from '../shared/ports.ts';
import { ClusterNameSchema, DETAIL_TYPES, NamespaceNameSchema } from '../shared/schemas/events.ts';
import type { GnsEvent, PodUpsert, ServiceUpsert } from '../shared/schemas/events.ts';
import { toBusEntries } from '../shared/schemas/serialize.ts';
import type { BackoffPolicy } from './backoff.ts';
import { HlcClock, MemoryFloorStore } from './clock.ts';
import type { FloorStore } from './clock.ts';
import { Elector } from './election.ts';
import { HandbackListener } from './handback.ts';
import type { Health, HealthServer } from './health.ts';
import { assessHealth, startHealthServer } from './health.ts';
import { leaseFloorStore } from './lease.ts';
import { jsonLogger } from './logger.ts';
import type { AgentLogger } from './logger.ts';
import { AgentMetrics } from './metrics.ts';
import { projectPod, projectService } from './project.ts';
import { Publisher } from './publisher.ts';
import { buildSnapshot, projectionsOf, snapshotEvent } from './snapshot.ts';
import { Ledger, keyOf } from './suppress.ts';
import type { Projection } from './suppress.ts';
import { publishable } from './publishable.ts';
import { deletedPodOf, isReturning, kubeStatefulSetReader } from './returning.ts';
import type { StatefulSetReader } from './returning.ts';
import { kubeWatchSource, NamespaceWatch } from './watch.ts';
import type { WatchSource } from './watch.ts';

export interface AgentOptions {
  readonly cluster: string;
  /** The member namespaces of this cluster (from the config). */
  readonly namespaces: readonly string[];
  /** A KubeConfig with the cluster's context selected. */
  readonly kubeConfig: KubeConfig;
  readonly bus: EventBus;
  /** Wall clock, ms since the epoch. Default Date.now. */
  readonly clock?: () => number;
  /** Periodic snapshots of every namespace. Default 10 min; 0 disables them. */
  readonly snapshotIntervalMs?: number;
  /** Namespace of the Lease `gns-sync-agent` (election + HLC floor). Undefined: no Lease, this agent always publishes and its floor lives in memory. */
  readonly leaseNamespace?: string;
  /** The installation (shared/core/installation.ts): names and labels its Lease (`gns-sync-agent-<installation>`). Default `default`. */
  readonly installation?: string;
  /** Port of /healthz and /metrics (0: any free port). Undefined: no server. */
  readonly healthPort?: number;
  readonly healthHost?: string;
  readonly logger?: AgentLogger;
  /** The Lease holder identity. Default `<hostname>-<random>`. */
  readonly identity?: string;
  /** Overrides the Lease (tests: a MemoryFloorStore shared between agent instances). */
  readonly floorStore?: FloorStore;
  readonly lease?: { readonly durationMs?: number; readonly renewMs?: number; readonly windowMs?: number };
  readonly publisher?: { readonly maxBuffered?: number; readonly backoff?: BackoffPolicy; readonly unreachableAfter?: number };
  readonly watchBackoff?: BackoffPolicy;
  /** Informers and lists (default: the cluster of kubeConfig; tests pass a fake). */
  readonly watchSource?: WatchSource;
  /** /healthz fails when an informer or the publisher keeps failing this long. Default 60 s. */
  readonly stuckAfterMs?: number;
  /**
   * Reads a deleted pod's StatefulSet, to say whether the pod returns (agent/returning.ts).
   * Default: GET apps/v1 statefulsets of the cluster of kubeConfig.
   */
  readonly statefulSets?: StatefulSetReader;
}

export interface Agent {
  readonly metrics: AgentMetrics;
  /** The health server's port, when one runs. */
  readonly healthPort: number | undefined;
  /** Resolves when every informer has listed once and the first election round ran. */
  ready(): Promise<void>;
  health(): Health;
  /** Whether this agent is the cluster's publisher. */
  isPublishing(): boolean;
  /** Resolves when the publisher has nothing buffered or in flight (tests). */
  idle(): Promise<void>;
  /** Publishes a snapshot of every synced namespace now. */
  snapshotAll(reason: string): void;
  stop(): Promise<void>;
}

/** Bad agent options: nothing was started. */
export class AgentConfigError extends GnsSyncError {
  override readonly name: string = 'AgentConfigError';
}

function validate(options: AgentOptions): readonly string[] {
  const cluster = ClusterNameSchema.safeParse(options.cluster);
  if (!cluster.success) throw new AgentConfigError(`cluster ${JSON.stringify(options.cluster)}: ${cluster.error.issues[0]?.message ?? 'invalid'}; the agent was not started`);
  for (const namespace of options.namespaces) {
    const parsed = NamespaceNameSchema.safeParse(namespace);
    if (!parsed.success) throw new AgentConfigError(`namespace ${JSON.stringify(namespace)}: ${parsed.error.issues[0]?.message ?? 'invalid'}; the agent was not started`);
  }
  if (options.snapshotIntervalMs !== undefined && (!Number.isFinite(options.snapshotIntervalMs) || options.snapshotIntervalMs < 0)) {
    throw new AgentConfigError(`snapshotIntervalMs must be 0 (off) or a positive number of milliseconds, got ${options.snapshotIntervalMs}; the agent was not started`);
  }
  if (options.leaseNamespace !== undefined && !NamespaceNameSchema.safeParse(options.leaseNamespace).success) {
    throw new AgentConfigError(`leaseNamespace ${JSON.stringify(options.leaseNamespace)} must be a DNS-1123 label; the agent was not started`);
  }
  return [...new Set(options.namespaces)];
}


export async function startAgent(options: AgentOptions): Promise<Agent> {
  const namespaces = validate(options);
  const { cluster, kubeConfig, bus } = options;
  const wall = options.clock ?? Date.now;
  const logger = options.logger ?? jsonLogger({ cluster });
  const metrics = new AgentMetrics(cluster);
  const hlc = new HlcClock(wall);
  const stuckAfterMs = options.stuckAfterMs ?? 60_000;
  const ledgers = new Map<string, Ledger>(namespaces.map((ns) => [ns, new Ledger()]));
  const watches = new Map<string, NamespaceWatch>();
  const invalidLogged = new Set<string>();
  /** Namespaces whose ledger holds what no published event or snapshot carried (all, until their first snapshot). */
  const unpublished = new Set<string>(namespaces);
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const publisher = new Publisher({
    bus, metrics, logger, now: wall,
    onResnapshotNeeded: () => {
      // The snapshots supersede every buffered event (each record with its last-change version,
      // every present key), so the buffer need not be sent first.
      const discarded = publisher.discardBuffered();
      if (discarded > 0) logger.info('buffered events superseded by the resnapshot', { discarded });
      snapshotAll('the event bus recovered');
    },
    ...options.publisher,
  });

  const store = options.floorStore
    ?? (options.leaseNamespace === undefined ? new MemoryFloorStore() : leaseFloorStore(kubeConfig.makeApiClient(CoordinationV1Api), options.leaseNamespace, options.installation));
  const elector = new Elector({
    store, clock: hlc, wall, logger,
    identity: options.identity ?? `${hostname()}-${randomUUID().slice(0, 8)}`,
    ...options.lease,
    onElected: () => {
      // Versions stamped while standby were never issued: the first snapshot restamps everything.
      for (const ledger of ledgers.values()) ledger.clearVersions();
      snapshotAll('elected publisher');
    },
    onRecord: (record) => handback.observe(record?.handback ?? {}),
  });
  // What the functions hand back through the Lease: a new store incarnation or a version floor
  // above this clock → resnapshot, after the round that adopted it wrote the new floor (so the
  // agent still publishes), restamping every record when the clock jumped.
  const handback = new HandbackListener(hlc, (reason, restamp) => {
    void elector.runRound().then(() => {
      if (restamp) for (const ledger of ledgers.values()) ledger.clearVersions();
      snapshotAll(reason);
    });
  }, logger);
  const publishing = (): boolean => !stopped && elector.isPublishing();

  function emit(event: GnsEvent): void {
    try {
      publisher.publish(toBusEntries(event), event.detail.observedAt);
    } catch (error) {
      metrics.failed.inc();
      logger.error('event cannot be published', { detailType: event.type, namespace: event.detail.namespace, error: String(error) });
    }
  }

  function snapshot(namespace: string, reason: string): void {
    const watch = watches.get(namespace);
    const ledger = ledgers.get(namespace);
    if (!publishing() || watch === undefined || ledger === undefined || !watch.synced) return;
    const current = projectionsOf(watch.pods.objects(), watch.services.objects());
    for (const [key, projection] of current) {
      const out = publishable(projection);
      if (out.ok) current.set(key, out.projection);
      else current.delete(key);
    }
    const changed = ledger.reconcile(current, () => hlc.now());
    // A relist that found nothing the bus has not seen publishes nothing (docs/adr/0006).
    if (reason === 'listed' && !changed && !unpublished.has(namespace)) {
      metrics.snapshotsUnchanged.inc();
      return;
    }
    const detail = buildSnapshot({ cluster, namespace, observedAt: wall() }, hlc.now(), ledger);
    emit(snapshotEvent(detail));
    unpublished.delete(namespace);
    metrics.snapshots.inc();
    logger.info('namespace snapshot', { namespace, reason, keys: detail.keys.length, v: detail.v });
  }

  function snapshotAll(reason: string): void {
    for (const namespace of namespaces) snapshot(namespace, reason);
  }

  /** A projection observed: publish it when it changed (and this agent publishes, outside a list). */
  function upsert(namespace: string, ledger: Ledger, observed: Projection, listing: boolean): void {
    const key = keyOf(observed);
    const out = publishable(observed);
    if (!out.ok) {
      if (!invalidLogged.has(`${namespace}/${key}`)) {
        invalidLogged.add(`${namespace}/${key}`);
        logger.warn('object cannot be published (treated as absent)', { namespace, key, reason: out.reason });
      }
      remove(namespace, ledger, key, observed.record.uid, listing);
      return;
    }
    if (out.problem !== undefined) {
      if (!invalidLogged.has(`${namespace}/${key}`)) {
        invalidLogged.add(`${namespace}/${key}`);
        logger.warn('Service published without its annotations and ports (the target is invalid until fixed)', { namespace, key, problem: out.problem });
      }
    } else invalidLogged.delete(`${namespace}/${key}`);
    const projection = out.projection;
    const pub = publishing();
    let v: string | undefined;
    const changed = ledger.observe(projection, () => (pub ? (v = hlc.now()) : undefined));
    if (changed && (v === undefined || listing)) unpublished.add(namespace);
    if (!changed || v === undefined || listing) return;
    const scope = { cluster, namespace, v, observedAt: wall() };
    emit(projection.kind === 'pod'
      ? { type: DETAIL_TYPES.podUpsert, detail: { ...scope, pod: projection.record as PodUpsert['pod'] } }
      : { type: DETAIL_TYPES.serviceUpsert, detail: { ...scope, service: projection.record as ServiceUpsert['service'] } });
  }

  const statefulSets = options.statefulSets ?? kubeStatefulSetReader(kubeConfig);
  /** Pod deletions waiting for their StatefulSet's read (idle() waits for them). */
  const pendingDeletes = new Set<Promise<void>>();

  /** `deleted`: the pod object an informer reported deleted (a pod that may return; agent/returning.ts). */
  function remove(namespace: string, ledger: Ledger, key: string, uid: string, listing: boolean, deleted?: V1Pod): void {
    const held = ledger.get(key);
    // A DELETE of an older incarnation must not remove the newer one we hold.
    if (held === undefined || (uid !== '' && held.projection.record.uid !== uid)) return;
    ledger.remove(key);
    if (!publishing() || listing) {
      unpublished.add(namespace);
      return;
    }
    // Version and observation time now: the StatefulSet's read only adds the flag.
    const detail = { cluster, namespace, v: hlc.now(), observedAt: wall(), name: held.projection.record.name, uid: held.projection.record.uid };
    if (held.projection.kind !== 'pod') {
      emit({ type: DETAIL_TYPES.serviceDelete, detail });
      return;
    }
    const pod = deleted === undefined ? undefined : deletedPodOf(deleted);
    if (pod?.controller?.kind !== 'StatefulSet') {
      emit({ type: DETAIL_TYPES.podDelete, detail });
      return;
    }
    const onError = (error: unknown) => logger.warn('could not read the deleted pod\'s StatefulSet: its deletion is published as not returning', { namespace, pod: detail.name, error: String(error) });
    const pending = isReturning(statefulSets, namespace, pod, onError).then((returning) => {
      emit({ type: DETAIL_TYPES.podDelete, detail: returning ? { ...detail, returning } : detail });
    });
    pendingDeletes.add(pending);
    void pending.finally(() => pendingDeletes.delete(pending));
  }

  let resolveReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => { resolveReady = resolve; });
  let electorStarted = false;
  const checkReady = (): void => {
    if (electorStarted && [...watches.values()].every((w) => w.synced)) resolveReady();
  };

  const source = options.watchSource ?? kubeWatchSource(kubeConfig);
  for (const namespace of namespaces) {
    const ledger = ledgers.get(namespace) as Ledger;
    const onListed = (): void => {
      snapshot(namespace, 'listed');
      checkReady();
    };
    watches.set(namespace, new NamespaceWatch({
      namespace, source, metrics, logger, now: wall,
      ...(options.watchBackoff === undefined ? {} : { backoff: options.watchBackoff }),
      pods: {
        onUpsert: (pod: V1Pod, listing) => upsert(namespace, ledger, { kind: 'pod', record: projectPod(pod) }, listing),
        onDelete: (pod: V1Pod, listing) => remove(namespace, ledger, `pod/${pod.metadata?.name ?? ''}`, pod.metadata?.uid ?? '', listing, pod),
        onListed,
      },
      services: {
        onUpsert: (service: V1Service, listing) => {
          const record = projectService(service);
          if (record === null) remove(namespace, ledger, `service/${service.metadata?.name ?? ''}`, service.metadata?.uid ?? '', listing);
          else upsert(namespace, ledger, { kind: 'service', record }, listing);
        },
        onDelete: (service: V1Service, listing) => remove(namespace, ledger, `service/${service.metadata?.name ?? ''}`, service.metadata?.uid ?? '', listing),
        onListed,
      },
    }));
  }

  const health = (): Health => assessHealth({
    now: wall(),
    stuckAfterMs,
    informers: [...watches.values()].flatMap((w) => [w.pods, w.services]),
    publisher: publisher.status(),
  });

  let server: HealthServer | undefined;
  if (options.healthPort !== undefined) {
    server = await startHealthServer({ port: options.healthPort, ...(options.healthHost === undefined ? {} : { host: options.healthHost }), metrics, health });
  }

  for (const watch of watches.values()) watch.start();
  await elector.start();
  electorStarted = true;
  checkReady();

  const interval = options.snapshotIntervalMs ?? 600_000;
  const timer = interval > 0 ? setInterval(() => snapshotAll('periodic'), interval) : undefined;
  timer?.unref();
  logger.info('agent started', { namespaces, lease: options.leaseNamespace ?? null, healthPort: server?.port ?? null });

  return {
    metrics,
    healthPort: server?.port,
    ready: () => readyPromise,
    health,
    isPublishing: publishing,
    idle: async () => {
      while (pendingDeletes.size > 0) await Promise.all(pendingDeletes);
      await publisher.idle();
    },
    snapshotAll,
    stop() {
      stopping ??= (async () => {
        clearInterval(timer);
        await Promise.all([...watches.values()].map((w) => w.stop()));
        await Promise.all(pendingDeletes);
        await publisher.stop();
        stopped = true;
        await elector.stop();
        await server?.close();
        logger.info('agent stopped');
      })();
      return stopping;
    },
  };
}
