// `gns-sync local`: agents, bus, queues, the three functions and dynalite in one process
// (docs/design.md §7). `startLocal` wires them; `stop()` drains and closes everything; a restart
// on the same state directory resumes (dynalite and the archive live there).
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import type { Agent } from '../../agent/agent.ts';
import { syncMessageGroupId } from '../../functions/sync/message.ts';
import { startAgent } from '../../agent/agent.ts';
import { silentLogger } from '../../agent/logger.ts';
import { LEASE_NAME } from '../../agent/lease.ts';
import type { OpCounter } from '../../shared/adapters/dynamodb/op-counter.ts';
import { countOps } from '../../shared/adapters/dynamodb/op-counter.ts';
import { kubeConfigClusterApis, kubeConfigForContext } from '../../shared/adapters/kubernetes/cluster-apis.ts';
import { kubeConfigRoutingApis } from '../../shared/adapters/kubernetes/routing-api.ts';
import { loadConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import { GnsSyncError } from '../../shared/errors.ts';
import { LIVE_RULE, REPLAY_RULE } from '../../shared/rules.ts';
import { FileArchive } from '../bus/archive.ts';
import { LocalBus } from '../bus/local-bus.ts';
import type { LocalDynamo } from '../dynamo/start.ts';
import { startLocalDynamo } from '../dynamo/start.ts';
import { DeadLetterFile } from '../queue/dead-letter-file.ts';
import { LocalQueue } from '../queue/local-queue.ts';
import { LocalSyncQueue } from '../queue/local-sync-queue.ts';
import type { ReplayReport, ReplayRequest, StatusReport } from './control.ts';
import { startControl } from './control.ts';
import { buildPipeline, type Pipeline, type SyncLine } from './pipeline.ts';
import { configCopyPath } from './offline.ts';
import { memberStatuses } from './status-table.ts';
import { readPoolStatus } from './pool-status.ts';
import { PropagationWindow } from './propagation-window.ts';
import { lockStateDir, statePaths } from './state-dir.ts';
import { agentLogLines, RepeatFolder } from './log-lines.ts';
import type { LogFormat } from './log-lines.ts';
import { preflight, reachability, serverOf } from './preflight.ts';

export interface StartLocalOptions {
  readonly configPath?: string;
  readonly config?: Config;
  /** The kubeconfig reaching the clusters (one context per cluster, as the config names them). */
  readonly kubeconfigPath?: string;
  readonly kubeconfigYaml?: string;
  /**
   * Least privilege: the agents and the functions' writer each with their own identity, as
   * kubeconfigs with the same contexts (e.g. the gns-sync-agent and gns-sync-writer ServiceAccount
   * tokens, local/demo/identities.ts). Default: the kubeconfig's own users for both. Preflight and
   * status keep the kubeconfig's.
   */
  readonly identities?: { readonly agent: string; readonly writer: string };
  readonly stateDir: string;
  /** Reconcile period (default 60 s; 0: no timer). */
  readonly reconcileIntervalMs?: number;
  /** Run the agents (default true). Offline replay runs without them. */
  readonly agents?: boolean;
  /** Agents' periodic snapshots (default: the agent's, 10 min). */
  readonly snapshotIntervalMs?: number;
  /** Serve the control endpoint (default true). */
  readonly control?: boolean;
  /** One line per sync and runtime messages (default: console.log). */
  readonly log?: (line: string) => void;
  /** All the JSON logs of the agents and functions (default: their warnings and errors). */
  readonly verbose?: boolean;
  /** None of their JSON logs (tests, benches): only the sync lines go to `log`. */
  readonly quiet?: boolean;
  /** Human lines (default) or one JSON object per line, for the sync lines and the agents' warnings. */
  readonly logFormat?: LogFormat;
  /** Where the agents' warnings and errors go (default: stderr). */
  readonly warn?: (line: string) => void;
  /** Check at start that every cluster answers and every member namespace exists (lines to `warn`). */
  readonly preflight?: boolean;
  /** Seed of the bus's fault knobs. */
  readonly busSeed?: number;
  /** Sync retries become visible again after this (default 2 s; SQS: the visibility timeout). */
  readonly syncVisibilityTimeoutMs?: number;
  /** Kubernetes call timeout of the sync function (default 5 s). */
  readonly clusterTimeoutMs?: number;
  /**
   * Namespace of each agent's Lease `gns-sync-agent` (election and the HLC floor that survives
   * restarts, docs/adr/0002). Default `default`; `none`: no Lease (floor in memory).
   */
  readonly leaseNamespace?: string;
  /** Wraps every invocation of the three functions (benchmarks attribute their calls and CPU time to them). */
  readonly instrument?: FunctionInstrument;
}

/** What a function invocation is: its name and its SQS records (none for the scheduled reconcile). */
export type FunctionName = 'ingest' | 'sync' | 'reconcile';
export interface FunctionInstrument {
  around<T>(fn: FunctionName, records: number, invoke: () => Promise<T>): Promise<T>;
}

export interface LocalRuntime {
  readonly stateDir: string;
  readonly config: Config;
  readonly bus: LocalBus;
  readonly ingestQueue: LocalQueue;
  readonly syncQueue: LocalQueue;
  readonly deadLetters: { readonly ingest: DeadLetterFile; readonly sync: DeadLetterFile };
  readonly dynamo: LocalDynamo;
  /** DynamoDB operations of the functions, by command. */
  readonly ops: OpCounter;
  readonly agents: ReadonlyMap<string, Agent>;
  readonly controlPort: number | undefined;
  status(): Promise<StatusReport>;
  replay(request: ReplayRequest): Promise<ReplayReport>;
  /** Runs the reconcile function once (as its schedule would). */
  reconcile(): Promise<void>;
  /** Resolves when the bus has delivered everything and both queues are empty. */
  idle(): Promise<void>;
  /** Called after every sync (the log line's data). */
  onSync(listener: (line: SyncLine) => void): () => void;
  stop(): Promise<void>;
}

/** The kubeconfig does not reach the config's clusters: nothing was started or written. */
export class KubeconfigError extends GnsSyncError {
  override readonly name = 'KubeconfigError';
}

function loadKubeConfig(options: StartLocalOptions, config: Config): KubeConfig {
  const kc = new KubeConfig();
  const source = options.kubeconfigPath ?? 'the kubeconfig';
  try {
    if (options.kubeconfigYaml !== undefined) kc.loadFromString(options.kubeconfigYaml);
    else if (options.kubeconfigPath !== undefined) kc.loadFromString(readFileSync(options.kubeconfigPath, 'utf8'));
    else kc.loadFromDefault();
  } catch (error) {
    throw new KubeconfigError(`${source}: not a readable kubeconfig (${(error as Error).message.split('\n')[0]})`, { cause: error });
  }
  const known = new Set(kc.getContexts().map((c) => c.name));
  for (const cluster of config.clusters) {
    if (!known.has(cluster.context)) {
      throw new KubeconfigError(`${source} has no context "${cluster.context}" for cluster ${cluster.name} (contexts: ${[...known].join(', ') || 'none'}); set the cluster's context in the config`);
    }
  }
  return kc;
}

export function formatSyncLine(line: SyncLine): string {
  const t = line.target;
  const head = `sync ${t.cluster}/${t.namespace}/${t.name} (${t.gns}):`;
  return line.error ? `${head} failed, retried: ${line.error}` : `${head} ${line.endpoints} endpoints, ${line.writes} writes, ${line.ms} ms`;
}

/** A sync line as one JSON object (`--log-format json`). */
export function syncJson(line: SyncLine): string {
  const t = line.target;
  return JSON.stringify({
    level: line.error ? 'WARN' : 'INFO', time: new Date().toISOString(), message: line.error ? 'sync failed, retried' : 'sync',
    gns: t.gns, cluster: t.cluster, namespace: t.namespace, service: t.name,
    ...(line.error ? { error: line.error } : { endpoints: line.endpoints, writes: line.writes, ms: line.ms }),
  });
}

export async function startLocal(options: StartLocalOptions): Promise<LocalRuntime> {
  const log = options.log ?? ((line: string) => console.log(line));
  const config = options.config ?? (options.configPath !== undefined ? loadConfig(options.configPath) : undefined);
  if (!config) throw new Error('startLocal needs a config or a configPath');
  const kc = loadKubeConfig(options, config);
  const agentKc = options.identities ? loadKubeConfig({ ...options, kubeconfigYaml: options.identities.agent }, config) : kc;
  const writerKc = options.identities ? loadKubeConfig({ ...options, kubeconfigYaml: options.identities.writer }, config) : kc;
  const paths = statePaths(options.stateDir);
  const lock = lockStateDir(options.stateDir);
  const cleanups: (() => Promise<void> | void)[] = [() => lock.release()];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (error) {
        log(`local: while stopping: ${(error as Error).message}`);
      }
    }
  };
  try {
    // Offline `gns-sync replay` needs the topology: keep a copy of the config with the state.
    writeFileSync(configCopyPath(options.stateDir), `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    const dynamo = await startLocalDynamo({ dir: paths.dynamodb });
    cleanups.push(() => dynamo.stop());
    const ops = countOps(dynamo.client);
    // The last failure of each target (by sync-queue group = target key), for dead-letter reasons.
    const lastSyncError = new Map<string, string>();
    const deadLetters = { ingest: new DeadLetterFile(paths.ingestDlq), sync: new DeadLetterFile(paths.syncDlq) };
    const queueLog = (line: string) => log(line);
    // ADR 0005's queues; the ingest window is shorter than the cloud's 1 s so local latency stays low.
    const ingestQueue = new LocalQueue({
      name: 'gns-sync-ingest', fifo: false, batchSize: 100, batchWindowMs: 20, visibilityTimeoutMs: 5_000,
      maxReceiveCount: 5, deadLetters: deadLetters.ingest, concurrency: 4, log: queueLog,
    });
    const syncQueue = new LocalQueue({
      name: 'gns-sync-sync.fifo', fifo: true, batchSize: 10, batchWindowMs: 0,
      visibilityTimeoutMs: options.syncVisibilityTimeoutMs ?? 2_000, maxReceiveCount: 5,
      deadLetters: deadLetters.sync, concurrency: 16, log: queueLog,
      failureReason: (m) => (m.groupId === undefined ? undefined : lastSyncError.get(m.groupId)),
    });
    cleanups.push(() => ingestQueue.stop(), () => syncQueue.stop());
    const contexts = new Map(config.clusters.map((c) => [c.name, c.context] as const));
    const propagation = new PropagationWindow();
    const leaseNamespace = options.leaseNamespace ?? 'default';
    const routingApis = kubeConfigRoutingApis(writerKc, contexts, { policy: { timeoutMs: options.clusterTimeoutMs ?? 5_000 }, inventoryNamespace: leaseNamespace === 'none' ? 'default' : leaseNamespace, ...(config.installation ? { installation: config.installation } : {}) });
    const localSyncQueue = new LocalSyncQueue(syncQueue);
    const pipeline: Pipeline = buildPipeline({
      config,
      agentLease: leaseNamespace === 'none' ? false : { namespace: leaseNamespace, name: LEASE_NAME },
      dynamo,
      // The inventory lives beside the agent's Lease (gns-sync's namespace in deploy/; `default` locally).
      clusters: kubeConfigClusterApis(writerKc, contexts, { policy: { timeoutMs: options.clusterTimeoutMs ?? 5_000 }, inventoryNamespace: leaseNamespace === 'none' ? 'default' : leaseNamespace, ...(config.installation ? { installation: config.installation } : {}) }),
      ...(config.routing === 'istio' ? { routing: { apis: routingApis } } : {}),
      // The reconcile sweeps ServiceEntries whatever routing is: a switch to none leaves none behind.
      routingSweep: { apis: routingApis },
      syncQueue: localSyncQueue,
      // A target synced while others of its batch still run frees its FIFO group at once, as the
      // deployed function does (DeleteMessageBatch; docs/adr/0005-queues.md).
      syncRelease: localSyncQueue,
      deadLetters: deadLetters.ingest,
      syncDeadLetters: deadLetters.sync,
      logLevel: options.quiet ? 'SILENT' : options.verbose ? 'INFO' : 'ERROR',
      onSyncMetrics: (points) => propagation.record(points, Date.now()),
    });
    const format = options.logFormat ?? 'human';
    const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
    const folder = new RepeatFolder(60_000, warn);
    cleanups.push(() => folder.flush());
    const syncFolder = new RepeatFolder(60_000, log);
    cleanups.push(() => syncFolder.flush());
    const printSync = (line: SyncLine): void => {
      const text = format === 'json' ? syncJson(line) : formatSyncLine(line);
      // A target that keeps failing (its cluster is down) prints once per minute, with a count.
      if (line.error) syncFolder.note(`${syncMessageGroupId(line.target)}\u0000${line.error}`, text);
      else log(text);
    };
    const listeners = new Set<(line: SyncLine) => void>([printSync]);
    pipeline.onSync((line) => {
      const group = syncMessageGroupId(line.target);
      if (line.error) lastSyncError.set(group, line.error);
      else lastSyncError.delete(group);
      for (const l of listeners) l(line);
    });
    const around = options.instrument?.around.bind(options.instrument) ?? ((_fn: FunctionName, _n: number, invoke: () => Promise<never>) => invoke());
    ingestQueue.attach((event) => around('ingest', event.Records.length, () => pipeline.ingest(event)));
    syncQueue.attach((event) => around('sync', event.Records.length, () => pipeline.sync(event)));

    const bus = new LocalBus({
      rules: [LIVE_RULE, REPLAY_RULE].map((rule) => ({ rule, target: { send: (body: string) => ingestQueue.send([{ body }]).then(() => undefined) } })),
      archive: new FileArchive(paths.archive),
      seed: options.busSeed ?? 1,
      log,
    });
    cleanups.push(() => bus.stop());

    let reconciling: Promise<void> | undefined;
    const reconcile = async (): Promise<void> => {
      reconciling ??= around('reconcile', 0, () => pipeline.reconcile()).finally(() => { reconciling = undefined; });
      return reconciling;
    };
    const interval = options.reconcileIntervalMs ?? 60_000;
    if (interval > 0) {
      const timer = setInterval(() => {
        reconcile().catch((error: unknown) => log(`reconcile failed (retried at the next tick): ${(error as Error).message}`));
      }, interval);
      timer.unref();
      cleanups.push(() => clearInterval(timer));
    }

    const startedAt = Date.now();
    const status = async (): Promise<StatusReport> => {
      const { shown, hidden } = memberStatuses(await pipeline.statuses.list(), config.globalNamespaces);
      const pool = await readPoolStatus(pipeline.vips, config, Date.now(), pipeline.store).catch((error: unknown) => {
        log(`status: reading the VIP pool failed: ${(error as Error).message}`);
        return undefined;
      });
      return {
        pid: process.pid,
        startedAt,
        targets: shown,
        hiddenTargets: hidden,
        deadLetters: { ingest: deadLetters.ingest.list().length, sync: deadLetters.sync.list().length },
        queues: { ingest: ingestQueue.depth, sync: syncQueue.depth },
        clusters: await reachability(kc, config),
        ...(pool === undefined ? {} : { pool }),
        propagation: propagation.summary(Date.now()),
      };
    };
    const replay = async (request: ReplayRequest): Promise<ReplayReport> => {
      const name = request.name ?? `local-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const result = await bus.replay({ name, fromMs: request.fromMs, toMs: request.toMs });
      log(`replay ${name}: ${result.events} events from the archive${result.skipped ? ` (${result.skipped} unreadable lines skipped)` : ''}`);
      return { name, ...result };
    };

    let controlPort: number | undefined;
    if (options.control ?? true) {
      const control = await startControl(options.stateDir, { status, replay });
      controlPort = control.port;
      cleanups.push(() => control.close());
    }

    if (options.preflight) for (const problem of await preflight(kc, config)) warn(format === 'json' ? JSON.stringify({ level: 'WARN', time: new Date().toISOString(), message: problem }) : problem);

    const agents = new Map<string, Agent>();
    let agentsStopped: Promise<void> | undefined;
    const stopAgents = () => (agentsStopped ??= Promise.all([...agents.values()].map((a) => a.stop().catch(() => undefined))).then(() => undefined));
    cleanups.push(stopAgents);
    // A stable identity per machine and state directory: a restarted runner (even after
    // SIGKILL) takes its own Lease back at once instead of waiting for it to expire.
    const identity = `gns-sync-local-${hostname()}-${createHash('sha256').update(paths.dir).digest('hex').slice(0, 8)}`;
    // A new store (first run, or its table deleted) begins its incarnation before the agents'
    // start snapshots, so that those make the members complete (docs/adr/0014-store-completeness.md).
    await pipeline.beginIncarnation().catch((error: unknown) => log(`reading the store incarnation failed (the first sync retries): ${(error as Error).message}`));
    if (options.agents ?? true) {
      for (const cluster of config.clusters) {
        const namespaces = config.globalNamespaces.flatMap((g) => g.members.filter((m) => m.cluster === cluster.name).map((m) => m.namespace));
        if (namespaces.length === 0) continue;
        const agent = await startAgent({
          cluster: cluster.name,
          namespaces,
          kubeConfig: kubeConfigForContext(agentKc, cluster.context, cluster.name),
          bus,
          identity,
          ...(leaseNamespace === 'none' ? {} : { leaseNamespace }),
          ...(config.installation ? { installation: config.installation } : {}),
          ...(options.snapshotIntervalMs !== undefined ? { snapshotIntervalMs: options.snapshotIntervalMs } : {}),
          logger: options.quiet
            ? silentLogger
            : agentLogLines({ name: cluster.name, server: serverOf(kc, cluster.context) }, folder, { format, write: warn, verbose: options.verbose ?? false }),
        });
        agents.set(cluster.name, agent);
      }
    }
    // A restart resumes: sync every stored target now rather than at the first timer tick.
    reconcile().catch((error: unknown) => log(`reconcile failed (retried at the next tick): ${(error as Error).message}`));
    log(`local: ${agents.size} agents, state in ${paths.dir}${controlPort ? `, control on 127.0.0.1:${controlPort}` : ''}`);

    const idle = async (): Promise<void> => {
      for (let i = 0; i < 3; i += 1) {
        await bus.drain();
        await ingestQueue.drain();
        await syncQueue.drain();
      }
    };
    let stopping: Promise<void> | undefined;
    return {
      stateDir: paths.dir,
      config,
      bus,
      ingestQueue,
      syncQueue,
      deadLetters,
      dynamo,
      ops,
      agents,
      controlPort,
      status,
      replay,
      reconcile,
      idle,
      onSync(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      stop() {
        stopping ??= (async () => {
          // Agents first: nothing new enters while the rest drains.
          await stopAgents();
          await bus.stop();
          // Drain what is queued, but never hang a shutdown on an unreachable cluster.
          await Promise.race([idle(), new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
          await reconciling?.catch(() => undefined);
          await cleanup();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}
