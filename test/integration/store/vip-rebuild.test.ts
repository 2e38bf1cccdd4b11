// Acceptance (issue 4): allocate 5,000 identities, drop the table, allocate again in another
// order: ≥ 99% get their old VIP; with adoption of the old list first: 100%.
//
// The pool is a /12: with linear probing, the share of identities whose first choice collides
// (and so may swap in another order) grows with the pool's fill; a /12 holds 5,000 at 0.5 %.
// On the default /16 the same run keeps about 93 % (docs/adr/0004-vip-allocation.md), and
// adoption from the target slices keeps 100 % on any pool.
//
// Size: `npm test` runs 1,250 identities on a /14, the same fill (0.5 %) as the 5,000 on
// a /12, so first choices collide as often and the share kept is the same figure; it takes a
// quarter of the time. `npm run test:full-size` (GNS_SYNC_TEST_FULL_SIZE=1) runs 5,000 on the /12.
// Each run allocates in batches of 100 from 4 callers at once, drops the table and adopts in
// lists of 500, at either size.
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureTable } from '../../../local/dynamo/start.ts';
import { identityKey } from '../../../shared/core/identity.ts';
import type { VipIdentity } from '../../../shared/core/types.ts';
import { FULL_SIZE, prng, shuffle, useDynamo } from './helpers.ts';
import { allocator, expectConsistent, identity, readTable, T0 } from './vip-helpers.ts';

const dynamo = useDynamo();
const IDENTITIES = FULL_SIZE ? 5_000 : 1_250;
const POOL = FULL_SIZE ? '240.240.0.0/12' : '240.240.0.0/14';

async function allocateAll(tableName: string, ids: readonly VipIdentity[]): Promise<Map<string, string>> {
  const vips = allocator(dynamo.engine().client, tableName, { pool: POOL, concurrency: 16 });
  const out = new Map<string, string>();
  const batches: VipIdentity[][] = [];
  for (let i = 0; i < ids.length; i += 100) batches.push(ids.slice(i, i + 100));
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < batches.length) for (const [k, v] of await vips.ensure(batches[next++] as VipIdentity[], T0)) out.set(k, v);
    }),
  );
  return out;
}

async function dropTable(tableName: string): Promise<void> {
  await dynamo.engine().client.send(new DeleteTableCommand({ TableName: tableName }));
  await ensureTable(dynamo.engine().client, tableName);
  expect((await readTable(dynamo.engine().client, tableName)).items).toBe(0);
}

describe('VIP rebuild from an empty table (acceptance)', () => {
  it(`${IDENTITIES} identities: ≥ 99 % keep their VIP in another order, 100 % with adoption`, { timeout: FULL_SIZE ? 600_000 : 180_000 }, async () => {
    const tableName = await dynamo.freshTable();
    const ids = Array.from({ length: IDENTITIES }, (_, i) => identity(`kafka-${i}`, `gns-${i % 3}`, i % 2 ? 'one' : 'two', `ns-${i % 7}`));
    const before = await allocateAll(tableName, ids);
    expect(new Set(before.values()).size).toBe(IDENTITIES);

    await dropTable(tableName);
    const again = await allocateAll(tableName, shuffle(ids, prng(3)));
    const kept = ids.filter((id) => again.get(identityKey(id)) === before.get(identityKey(id))).length;
    console.log(`vip rebuild: ${kept} of ${IDENTITIES} identities kept their VIP (${((100 * kept) / IDENTITIES).toFixed(2)} %) without adoption`);
    expect(kept / IDENTITIES).toBeGreaterThanOrEqual(0.99);
    expectConsistent(await readTable(dynamo.engine().client, tableName));

    await dropTable(tableName);
    const vips = allocator(dynamo.engine().client, tableName, { pool: POOL, concurrency: 16 });
    const old = shuffle([...before], prng(5)).map(([key, vip]) => {
      const [gns = '', cluster = '', namespace = '', pod = ''] = key.split('/');
      return { identity: { gns, cluster, namespace, pod }, vip };
    });
    for (let i = 0; i < old.length; i += 500) await vips.adopt(old.slice(i, i + 500), T0);
    const adopted = await allocateAll(tableName, shuffle(ids, prng(9)));
    expect(adopted).toEqual(before);
    expectConsistent(await readTable(dynamo.engine().client, tableName));
  });
});
