// Acceptance (issue 4): 50 concurrent allocators over 2,000 identities, with duplicates,
// retries and injected crashes between writes: no VIP held by two identities, each identity
// exactly one VIP, the same VIP on every retry.
//
// Each allocator has its own client whose writes crash at random (before the write is sent,
// or after it took effect and the reply is lost); a crashed request is retried until it
// succeeds, as a redelivered queue message would be. The pool is a /20 (4,094 addresses) so
// that half of it fills and first choices collide often.
//
// Size: `npm test` runs 1,000 identities on a /21 (2,046 addresses): half of it fills, as at the
// issue's size, so first choices collide as often, and the 50 allocators still crash about a
// hundred times (the test asserts more than 50) and each serves several requests; it takes half
// the time. `npm run test:full-size` (GNS_SYNC_TEST_FULL_SIZE=1) runs 2,000 on the /20.
import { describe, expect, it } from 'vitest';
import { identityKey } from '../../../shared/core/identity.ts';
import type { VipIdentity } from '../../../shared/core/types.ts';
import { crashingClient, FULL_SIZE, prng, shuffle, useDynamo } from './helpers.ts';
import { allocator, expectConsistent, HOUR, identity, readTable, T0 } from './vip-helpers.ts';

const dynamo = useDynamo();

const ALLOCATORS = 50;
const IDENTITIES = FULL_SIZE ? 2_000 : 1_000;
const POOL = FULL_SIZE ? '240.240.0.0/20' : '240.240.0.0/21';

describe('VIP allocation under concurrency (acceptance)', () => {
  it(`${ALLOCATORS} allocators, ${IDENTITIES} identities, duplicates, retries and crashes`, { timeout: FULL_SIZE ? 600_000 : 120_000 }, async () => {
    const tableName = await dynamo.freshTable();
    const random = prng(11);
    const ids: VipIdentity[] = Array.from({ length: IDENTITIES }, (_, i) =>
      identity(`kafka-${i}`, i % 2 ? 'gns-a' : 'gns-b', i % 3 ? 'one' : 'two', `ns-${i % 5}`),
    );
    // Every identity asked for 2 or 3 times, in batches of 1 to 20, in random order.
    const asks = shuffle(ids.flatMap((id) => (random() < 0.5 ? [id, id] : [id, id, id])), random);
    const batches: VipIdentity[][] = [];
    for (let i = 0; i < asks.length; ) {
      const n = 1 + Math.floor(random() * 20);
      batches.push(asks.slice(i, i + n));
      i += n;
    }

    const seen = new Map<string, Set<string>>();
    let next = 0;
    let retries = 0;
    const workers = Array.from({ length: ALLOCATORS }, (_, w) => crashingClient(dynamo.engine().endpoint, { probability: 0.03, when: 'both', seed: w + 1 }));
    await Promise.all(
      workers.map(async ({ client }, w) => {
        const vips = allocator(client, tableName, { pool: POOL });
        while (next < batches.length) {
          const batch = batches[next++] as VipIdentity[];
          for (let attempt = 1; ; attempt++) {
            try {
              const got = await vips.ensure(batch, T0 + w);
              for (const id of batch) {
                const key = identityKey(id);
                const vip = got.get(key);
                expect(vip, `no VIP for ${key}`).toBeDefined();
                seen.set(key, (seen.get(key) ?? new Set()).add(vip as string));
              }
              break;
            } catch (error) {
              if (!/InjectedCrash/.test(String(error)) || attempt > 50) throw error;
              retries++;
            }
          }
        }
      }),
    );
    const crashes = workers.reduce((a, w) => a + w.crashes(), 0);
    const writes = workers.reduce((a, w) => a + w.writes(), 0);
    for (const w of workers) w.client.destroy();
    console.log(`vip concurrency: ${batches.length} requests, ${writes} writes, ${crashes} injected crashes, ${retries} retries`);
    expect(crashes).toBeGreaterThan(50);

    // The same VIP on every answer, for every identity; one VIP per identity, one identity per VIP.
    expect(seen.size).toBe(IDENTITIES);
    for (const [key, vips] of seen) expect([...vips], key).toHaveLength(1);
    const view = await readTable(dynamo.engine().client, tableName);
    expect(view.bindings.size).toBe(IDENTITIES);
    for (const [key, vips] of seen) expect(view.bindings.get(key)).toBe([...vips][0]);
    expectConsistent(view, { orphansAllowed: true });

    // Claims a crash left behind for good (none expected: every crash was retried) are swept.
    const vips = allocator(dynamo.engine().client, tableName, { pool: POOL });
    const orphans = view.vips.size - IDENTITIES;
    expect(await vips.sweepOrphans(T0 + HOUR)).toBe(orphans);
    expectConsistent(await readTable(dynamo.engine().client, tableName));
    expect(orphans).toBe(0);
  });
});
