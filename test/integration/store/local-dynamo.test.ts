// The local engine: dynalite in memory and on disk (data survives a restart), the table from
// the shared definition created idempotently, the op counter, and a clear error when the
// state directory cannot be used.
import { CreateTableCommand, DescribeTableCommand, ListTablesCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureTable, LocalDynamoError, startLocalDynamo } from '../../../local/dynamo/start.ts';
import { countOps } from '../../../shared/adapters/dynamodb/op-counter.ts';
import { DynamoStateStore } from '../../../shared/adapters/dynamodb/state-store.ts';
import { GONE_INDEX, TABLE } from '../../../shared/adapters/dynamodb/table.ts';
import { hlc, pod, podUpsert, tempDirs } from './helpers.ts';

const tempDir = tempDirs('gns-sync-dynamo-');

describe('startLocalDynamo', () => {
  it('in memory: listens on 127.0.0.1 with the table of the shared definition', async () => {
    const local = await startLocalDynamo();
    try {
      expect(local.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(local.tableName).toBe(TABLE.tableName);
      const { Table } = await local.client.send(new DescribeTableCommand({ TableName: local.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual([GONE_INDEX]);
      await ensureTable(local.client, local.tableName); // idempotent
      expect((await local.client.send(new ListTablesCommand({}))).TableNames).toEqual([TABLE.tableName]);
    } finally {
      await local.stop();
    }
  });

  it.each(['in-process', 'process'] as const)('on disk (%s engine): state survives a restart (flushed at stop, read back in-process), and the table is not recreated', async (engine) => {
    const dir = tempDir();
    const first = await startLocalDynamo({ dir, engine });
    await new DynamoStateStore({ client: first.client, tableName: first.tableName }).merge(podUpsert(hlc(1), pod('kafka-0')));
    await first.stop();
    const second = await startLocalDynamo({ dir });
    try {
      const pods = await new DynamoStateStore({ client: second.client, tableName: second.tableName }).podsOf('one', 'ns-one');
      expect(pods.map((p) => p.name)).toEqual(['kafka-0']);
    } finally {
      await second.stop();
    }
  });

  it('reads no AWS config: broken AWS_* settings and config files change nothing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'config'), '[default\nthis is = not [ini');
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'config'),
      AWS_PROFILE: 'does-not-exist',
      AWS_REGION: 'mars-north-1',
      AWS_DEFAULTS_MODE: 'bogus',
      AWS_USE_FIPS_ENDPOINT: 'maybe',
      AWS_RETRY_MODE: 'sometimes',
      AWS_MAX_ATTEMPTS: 'many',
    });
    try {
      const local = await startLocalDynamo();
      await new DynamoStateStore({ client: local.client, tableName: local.tableName }).merge(podUpsert(hlc(1), pod('a')));
      await local.stop();
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });

  it('a state directory that is a file gives a LocalDynamoError naming it', async () => {
    const file = join(tempDir(), 'not-a-dir');
    writeFileSync(file, 'x');
    const error = await startLocalDynamo({ dir: file }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalDynamoError);
    expect(String(error)).toMatch(/not-a-dir/);
  });

  it('the op counter counts operations by command name and can be detached', async () => {
    const local = await startLocalDynamo();
    try {
      const ops = countOps(local.client);
      const store = new DynamoStateStore({ client: local.client, tableName: local.tableName });
      await store.merge(podUpsert(hlc(1), pod('a')));
      await store.merge(podUpsert(hlc(1), pod('a')));
      await store.podsOf('one', 'ns-one');
      // The first upsert created the entry, so it also read the snapshot floor (GetItem).
      expect(ops.counts()).toEqual({ PutItem: 2, ConditionalCheckFailed: 1, GetItem: 1, Query: 1 });
      expect([ops.writes(), ops.reads()]).toEqual([2, 2]);
      ops.detach();
      await store.podsOf('one', 'ns-one');
      expect(ops.reads()).toBe(2);
    } finally {
      await local.stop();
    }
  });

  it('ensureTable right after a DeleteTable: waits while the table is DELETING, then creates it again', async () => {
    // The engine deletes a table a moment after DeleteTable answers: what the drill meets.
    const answers: (() => unknown)[] = [
      () => ({ Table: { TableStatus: 'DELETING' } }),
      () => {
        throw new ResourceNotFoundException({ message: 'Requested resource not found', $metadata: {} });
      },
      () => ({}),
      () => ({ Table: { TableStatus: 'ACTIVE' } }),
    ];
    const sent: string[] = [];
    const client = {
      send: async (command: object) => {
        sent.push(command.constructor.name);
        const answer = answers.shift();
        if (!answer) throw new Error('unexpected request');
        return answer();
      },
    } as unknown as DynamoDBClient;
    await ensureTable(client, 'gone-soon');
    expect(sent).toEqual([DescribeTableCommand.name, DescribeTableCommand.name, CreateTableCommand.name, DescribeTableCommand.name]);
  });
});
