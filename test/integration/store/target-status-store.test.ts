// Target statuses: record, get, list; a malformed target is refused before any write.
import { describe, expect, it } from 'vitest';
import { DynamoTargetStatusStore } from '../../../shared/adapters/dynamodb/target-status-store.ts';
import { KeyError } from '../../../shared/core/identity.ts';
import type { TargetStatus } from '../../../shared/ports.ts';
import { deepFreeze } from '../../contract/helpers.ts';
import { useDynamo } from './helpers.ts';

const dynamo = useDynamo();
const target = (name: string) => ({ gns: 'kafka-gns', cluster: 'two', namespace: 'ns-one', name });
const status = (name: string, overrides: Partial<TargetStatus> = {}): TargetStatus =>
  deepFreeze({ target: target(name), lastSyncAt: 1_764_366_000_000, endpoints: 3, vips: 3, writes: 1, ...overrides });

describe('DynamoTargetStatusStore', () => {
  it('records, gets and lists statuses; the last record of a target wins', async () => {
    const statuses = new DynamoTargetStatusStore({ client: dynamo.engine().client, tableName: await dynamo.freshTable() });
    expect(await statuses.get(target('kafka-headless'))).toBeUndefined();
    await statuses.record(status('kafka-headless'));
    await statuses.record(status('zk-headless', { lastError: 'PoolExhaustedError: …', warnings: ['hostname conflict kafka-0'] }));
    await statuses.record(status('kafka-headless', { endpoints: 5, writes: 0 }));
    expect(await statuses.get(target('kafka-headless'))).toEqual(status('kafka-headless', { endpoints: 5, writes: 0 }));
    expect(await statuses.list()).toEqual([status('kafka-headless', { endpoints: 5, writes: 0 }), status('zk-headless', { lastError: 'PoolExhaustedError: …', warnings: ['hostname conflict kafka-0'] })]);
  });

  it('a malformed target is a KeyError and writes nothing', async () => {
    const statuses = new DynamoTargetStatusStore({ client: dynamo.engine().client, tableName: await dynamo.freshTable() });
    await expect(statuses.record(status('a/b'))).rejects.toThrow(KeyError);
    await expect(statuses.record({ ...status('x'), target: { ...target('x'), gns: '' } })).rejects.toThrow(/non-empty/);
    expect(await statuses.list()).toEqual([]);
  });
});
