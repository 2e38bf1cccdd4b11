// How full the VIP pool is (issue 14): the release's pool read counts the configured pool's
// addresses held and in quarantine (no extra read), which the reconcile turns into the
// VipsUsed/VipsFree/VipPoolUsage metrics; `poolCounts` gives the same for `gns-sync status`.
import { describe, expect, it } from 'vitest';
import { countOps } from '../../../shared/adapters/dynamodb/op-counter.ts';
import { poolUsage } from '../../../shared/core/pool-usage.ts';
import type { PoolCounts } from '../../../shared/core/pool-usage.ts';
import { useDynamo } from './helpers.ts';
import { allocator, HOUR, identity, T0 } from './vip-helpers.ts';

const dynamo = useDynamo();

describe('DynamoVipAllocator: pool usage', () => {
  it('counts held and quarantined addresses of the configured pool, from the pool read the release does anyway', async () => {
    const tableName = await dynamo.freshTable();
    const client = dynamo.engine().client;
    const POOL = '10.9.0.0/29'; // 6 usable addresses
    const vips = allocator(client, tableName, { pool: POOL });
    await vips.ensure([identity('a'), identity('b'), identity('c')], T0);
    // An address left outside the pool by an earlier pool: not this pool's usage.
    await allocator(client, tableName, { pool: '240.240.0.0/16' }).ensure([identity('z', 'other')], T0);
    await vips.markGone([identity('c')], T0);

    let seen: PoolCounts | undefined;
    const ops = countOps(client);
    const released = await vips.releaseExpired(T0 + HOUR + 1, { onPoolRead: (counts) => { seen = counts; } });
    expect(released).toBe(1);
    expect(seen).toEqual({ held: 2, quarantined: 1 });
    expect(ops.counts().Query).toBe(2); // the gone index and the pool: no read for the count
    expect(await vips.poolCounts(T0 + HOUR + 1)).toEqual({ held: 2, quarantined: 1 });
    expect(poolUsage(POOL, seen!)).toEqual({ pool: POOL, size: 6, used: 3, free: 3, percent: 50 });
  });
});
