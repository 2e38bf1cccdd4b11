// What a stopped `gns-sync local`'s state holds that a config change would give up: the VIPs
// bound per cluster and per GNS (for `validate-config --state-dir`, issue 10 case 11).
import { existsSync } from 'node:fs';
import { DynamoVipAllocator } from '../../shared/adapters/dynamodb/vip-allocator.ts';
import type { StateCounts } from '../../shared/config/changes.ts';
import type { Config } from '../../shared/config/schema.ts';
import { startLocalDynamo } from '../dynamo/start.ts';
import { lockStateDir, statePaths } from './state-dir.ts';

/**
 * The VIPs bound in the state directory, by cluster and by GNS of `config`; undefined when the
 * directory has no store. Throws StateDirLockedError while `gns-sync local` runs on it.
 */
export async function stateCounts(stateDir: string, config: Config): Promise<StateCounts | undefined> {
  const paths = statePaths(stateDir);
  if (!existsSync(paths.dynamodb)) return undefined;
  const lock = lockStateDir(stateDir);
  try {
    const dynamo = await startLocalDynamo({ dir: paths.dynamodb });
    try {
      const vips = new DynamoVipAllocator({ client: dynamo.client, tableName: dynamo.tableName, pool: config.vipPool, releaseAfterMs: config.vipReleaseAfterMs });
      const vipsByCluster = new Map<string, number>();
      const vipsByGns = new Map<string, number>();
      for (const gns of config.globalNamespaces) {
        const bound = await vips.listGns(gns.name);
        vipsByGns.set(gns.name, bound.size);
        for (const key of bound.keys()) {
          const cluster = key.slice(0, key.indexOf('/'));
          vipsByCluster.set(cluster, (vipsByCluster.get(cluster) ?? 0) + 1);
        }
      }
      return { vipsByCluster, vipsByGns };
    } finally {
      await dynamo.stop();
    }
  } finally {
    lock.release();
  }
}
