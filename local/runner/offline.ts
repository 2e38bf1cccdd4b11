// `status` and `replay` when no `gns-sync local` runs: open the store on disk (taking the
// state directory's lock for the duration), answer, close.
import { existsSync, readFileSync } from 'node:fs';
import { FileArchive } from '../bus/archive.ts';
import { LocalBus } from '../bus/local-bus.ts';
import { startLocalDynamo } from '../dynamo/start.ts';
import { DeadLetterFile } from '../queue/dead-letter-file.ts';
import { LocalQueue } from '../queue/local-queue.ts';
import { LIVE_RULE, REPLAY_RULE } from '../../shared/rules.ts';
import type { Config } from '../../shared/config/schema.ts';

import { DynamoTargetStatusStore } from '../../shared/adapters/dynamodb/target-status-store.ts';
import { DynamoStateStore } from '../../shared/adapters/dynamodb/state-store.ts';
import { DynamoVipAllocator } from '../../shared/adapters/dynamodb/vip-allocator.ts';
import { readPoolStatus } from './pool-status.ts';
import type { ClusterApis } from '../../shared/ports.ts';
import type { ReplayReport, ReplayRequest, StatusReport } from './control.ts';
import { buildPipeline } from './pipeline.ts';
import { lockStateDir, statePaths } from './state-dir.ts';
import { memberStatuses } from './status-table.ts';

export const configCopyPath = (stateDir: string): string => `${statePaths(stateDir).dir}/config.json`;

export async function readStatusOffline(stateDir: string): Promise<StatusReport> {
  const paths = statePaths(stateDir);
  const lock = lockStateDir(stateDir);
  try {
    const dynamo = await startLocalDynamo({ dir: paths.dynamodb });
    try {
      const statuses = new DynamoTargetStatusStore({ client: dynamo.client, tableName: dynamo.tableName });
      const all = await statuses.list();
      // The config of the last `gns-sync local` says which targets are still members.
      const config = existsSync(configCopyPath(stateDir)) ? (JSON.parse(readFileSync(configCopyPath(stateDir), 'utf8')) as Config) : undefined;
      const { shown, hidden } = config ? memberStatuses(all, config.globalNamespaces) : { shown: all, hidden: 0 };
      const pool = config
        ? await readPoolStatus(new DynamoVipAllocator({ client: dynamo.client, tableName: dynamo.tableName, pool: config.vipPool, releaseAfterMs: config.vipReleaseAfterMs }), config, Date.now(), new DynamoStateStore({ client: dynamo.client, tableName: dynamo.tableName }))
        : undefined;
      return {
        pid: process.pid,
        startedAt: Date.now(),
        targets: shown,
        hiddenTargets: hidden,
        deadLetters: { ingest: new DeadLetterFile(paths.ingestDlq).list().length, sync: new DeadLetterFile(paths.syncDlq).list().length },
        queues: {},
        ...(pool === undefined ? {} : { pool }),
      };
    } finally {
      await dynamo.stop();
    }
  } finally {
    lock.release();
  }
}

const noClusters: ClusterApis = {
  get: async (cluster) => { throw new Error(`offline replay does not reach cluster ${cluster}`); },
};

/**
 * Replays the archive into the store with the ingest function alone (no agents, no clusters):
 * the affected targets are not synced now — the next `gns-sync local` reconciles every target.
 */
export async function replayOffline(stateDir: string, request: ReplayRequest): Promise<ReplayReport> {
  const paths = statePaths(stateDir);
  const lock = lockStateDir(stateDir);
  try {
    if (!existsSync(configCopyPath(stateDir))) throw new Error(`no config.json in ${paths.dir}: run gns-sync local once first, so replay knows the global namespaces`);
    const config = JSON.parse(readFileSync(configCopyPath(stateDir), 'utf8')) as Config;
    const dynamo = await startLocalDynamo({ dir: paths.dynamodb });
    try {
      const deadLetters = new DeadLetterFile(paths.ingestDlq);
      const ingestQueue = new LocalQueue({ name: 'gns-sync-ingest', fifo: false, batchSize: 100, batchWindowMs: 20, visibilityTimeoutMs: 1_000, maxReceiveCount: 5, deadLetters });
      const pipeline = buildPipeline({ config, dynamo, clusters: noClusters, syncQueue: { enqueue: async () => undefined }, deadLetters, logLevel: 'ERROR' });
      ingestQueue.attach(pipeline.ingest);
      const bus = new LocalBus({
        rules: [LIVE_RULE, REPLAY_RULE].map((rule) => ({ rule, target: { send: (body: string) => ingestQueue.send([{ body }]).then(() => undefined) } })),
        archive: new FileArchive(paths.archive),
      });
      const name = request.name ?? `local-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      const result = await bus.replay({ name, fromMs: request.fromMs, toMs: request.toMs });
      await ingestQueue.drain();
      await ingestQueue.stop();
      return { name, ...result };
    } finally {
      await dynamo.stop();
    }
  } finally {
    lock.release();
  }
}
