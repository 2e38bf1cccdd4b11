// Store costs, counted (not timed) with the op counter against dynalite in memory:
// writes and reads per pod event (fresh, and stale or duplicate), writes per new VIP, and
// what asking again for a known VIP costs. docs/adr/0003 and 0004 explain the figures.
import { startLocalDynamo } from '../local/dynamo/start.ts';
import { countOps } from '../shared/adapters/dynamodb/op-counter.ts';
import { DynamoStateStore } from '../shared/adapters/dynamodb/state-store.ts';
import { DynamoVipAllocator } from '../shared/adapters/dynamodb/vip-allocator.ts';
import { formatHlc } from '../shared/core/hlc.ts';
import type { VipIdentity } from '../shared/core/types.ts';
import type { GnsEvent } from '../shared/schemas/events.ts';

const PODS = 200;
const EVENTS = 2_000;
const VIPS = 1_000;

function podEvent(i: number): GnsEvent {
  const name = `kafka-${i % PODS}`;
  const v = formatHlc(1_764_366_000_000 + i, 0);
  const scope = { cluster: 'one', namespace: 'ns-one', v };
  if (i % 10 === 9) return { type: 'gns-sync.pod.delete.v2', detail: { ...scope, name, uid: `uid-${name}` } };
  return {
    type: 'gns-sync.pod.upsert.v2',
    detail: {
      ...scope,
      pod: { name, uid: `uid-${name}`, labels: { app: 'kafka' }, ips: [`10.0.${i % 250}.${i % 200}`], hostname: name, ready: i % 3 !== 0, terminating: false, ports: [] },
    },
  };
}

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const local = await startLocalDynamo();
  try {
    const ops = countOps(local.client);
    const store = new DynamoStateStore({ client: local.client, tableName: local.tableName });
    const events = Array.from({ length: EVENTS }, (_, i) => podEvent(i));
    for (const e of events) await store.merge(e);
    const fresh = { writes: ops.writes(), reads: ops.reads() };
    ops.reset();
    for (const e of events.slice(0, EVENTS / 2)) await store.merge(e); // duplicates and stale replays
    const stale = { writes: ops.writes(), reads: ops.reads() };
    log(`${EVENTS} pod events: ${fresh.writes} writes, ${fresh.reads} reads; ${EVENTS / 2} replayed: ${stale.writes} failed writes, ${stale.reads} reads`);

    ops.reset();
    const vips = new DynamoVipAllocator({ client: local.client, tableName: local.tableName, pool: '240.240.0.0/16', releaseAfterMs: 3_600_000 });
    const ids: VipIdentity[] = Array.from({ length: VIPS }, (_, i) => ({ gns: 'kafka-gns', cluster: `c${i % 3}`, namespace: 'ns-one', pod: `kafka-${i}` }));
    for (let i = 0; i < ids.length; i += 50) await vips.ensure(ids.slice(i, i + 50), 0);
    const alloc = { writes: ops.writes(), reads: ops.reads(), calls: VIPS / 50 };
    ops.reset();
    for (let i = 0; i < ids.length; i += 50) await vips.ensure(ids.slice(i, i + 50), 1);
    const known = { writes: ops.writes(), reads: ops.reads() };
    log(`${VIPS} new VIPs in ${alloc.calls} calls: ${alloc.writes} writes, ${alloc.reads} reads; asked again: ${known.writes} writes, ${known.reads} reads`);
    ops.detach();

    return {
      'stores.writes_per_pod_event': fresh.writes / EVENTS,
      'stores.reads_per_pod_event': fresh.reads / EVENTS,
      'stores.writes_per_stale_pod_event': stale.writes / (EVENTS / 2),
      'stores.reads_per_stale_pod_event': stale.reads / (EVENTS / 2),
      'stores.writes_per_new_vip': alloc.writes / VIPS,
      'stores.reads_per_ensure_call': alloc.reads / alloc.calls,
      'stores.writes_per_known_vip': known.writes / VIPS,
    };
  } finally {
    await local.stop();
  }
}
