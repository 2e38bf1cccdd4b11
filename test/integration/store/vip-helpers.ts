// VIP test helpers: allocators on a table, reading back every VIP and identity item, and the
// invariants every test checks (one VIP per identity, never two identities per VIP).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import { documentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoVipAllocator } from '../../../shared/adapters/dynamodb/vip-allocator.ts';
import type { DynamoVipAllocatorOptions } from '../../../shared/adapters/dynamodb/vip-allocator.ts';
import type { VipIdentity } from '../../../shared/core/types.ts';

export const HOUR = 3_600_000;
export const T0 = 1_764_366_000_000;

export function allocator(client: DynamoDBClient, tableName: string, options: Partial<DynamoVipAllocatorOptions> = {}): DynamoVipAllocator {
  return new DynamoVipAllocator({ client, tableName, pool: '240.240.0.0/16', releaseAfterMs: HOUR, ...options });
}

export const identity = (pod: string, gns = 'kafka-gns', cluster = 'one', namespace = 'ns-one'): VipIdentity => ({ gns, cluster, namespace, pod });

export interface TableView {
  /** addr → item */
  readonly vips: Map<string, Record<string, unknown>>;
  /** identity key → vip */
  readonly bindings: Map<string, string>;
  readonly items: number;
}

export async function readTable(client: DynamoDBClient, tableName: string): Promise<TableView> {
  const doc = documentClient(client);
  const vips = new Map<string, Record<string, unknown>>();
  const bindings = new Map<string, string>();
  let items = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ...(start ? { ExclusiveStartKey: start } : {}) }));
    for (const item of page.Items ?? []) {
      items++;
      if (item.pk === 'vips') vips.set(item.addr as string, item);
      else if (String(item.pk).startsWith('ids/')) bindings.set(`${String(item.pk).slice(4)}/${String(item.sk)}`, item.vip as string);
    }
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return { vips, bindings, items };
}

/**
 * The allocation invariants: no VIP bound to two identities; every binding's VIP is held by
 * that identity; and (unless orphans are allowed) every held VIP is bound to its holder.
 */
export function expectConsistent(view: TableView, options: { orphansAllowed?: boolean } = {}): void {
  const byVip = new Map<string, string>();
  for (const [key, vip] of view.bindings) {
    const other = byVip.get(vip);
    expect(other, `${vip} bound to both ${other} and ${key}`).toBeUndefined();
    byVip.set(vip, key);
    expect(view.vips.get(vip)?.owner, `${key} bound to ${vip} which it does not hold`).toBe(key);
  }
  if (!options.orphansAllowed) {
    for (const [addr, item] of view.vips) {
      if (typeof item.owner === 'string') expect(view.bindings.get(item.owner), `${addr} held by ${item.owner} but not bound`).toBe(addr);
    }
  }
}
