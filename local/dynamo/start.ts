// The local DynamoDB: dynalite in memory (tests) or on disk under a state directory (the local
// runner), in this process or in a child process of its own (`engine: 'process'`: a core of its
// own, as DynamoDB is a separate service in the cloud; local/dynamo/engine-child.ts), with the
// table created from the shared definition
// (shared/adapters/dynamodb/table.ts), so the local and cloud tables have the same keys and
// indexes. The client carries a fixed region and fake credentials: no AWS config is read.
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { GnsSyncError } from '../../shared/errors.ts';
import { attributeDefinitions, TABLE } from '../../shared/adapters/dynamodb/table.ts';
import type { TableDefinition } from '../../shared/adapters/dynamodb/table.ts';
import { startEngineProcess } from './engine-child.ts';
import { storeProblem } from './store-check.ts';

interface DynaliteOptions {
  readonly path?: string;
  readonly createTableMs?: number;
  readonly deleteTableMs?: number;
  readonly updateTableMs?: number;
}
type Dynalite = (options: DynaliteOptions) => Server;
const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Stop the server and close the store (flushes to disk when `dir` was given). */
  stop(): Promise<void>;
}

export interface LocalDynamoOptions {
  /** Keep the data on disk under this directory; in memory when absent. */
  readonly dir?: string;
  /** Default: the shared definition's name. */
  readonly tableName?: string;
  /**
   * Where dynalite runs: in this process (default; tests), or in a child process that dies
   * with this one (its own core: the recovery drill's writes are not slowed by the callers).
   */
  readonly engine?: 'in-process' | 'process';
}

/** The local engine failed to start or to create its table. */
export class LocalDynamoError extends GnsSyncError {
  override readonly name: string = 'LocalDynamoError';
}

/**
 * A client for a local endpoint: fixed region, fake credentials, and every setting the SDK
 * would otherwise look up in the environment or ~/.aws given explicitly, so no AWS config is read.
 */
export function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 5,
    retryMode: 'standard',
    defaultsMode: 'standard',
    accountIdEndpointMode: 'disabled',
    authSchemePreference: [],
    endpointDiscoveryEnabled: false,
    useDualstackEndpoint: false,
    useFipsEndpoint: false,
    userAgentAppId: 'gns-sync-local',
  });
}

export function createTableInput(table: TableDefinition, tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: table.billingMode,
    AttributeDefinitions: attributeDefinitions(table).map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
    KeySchema: [
      { AttributeName: table.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: table.sortKey.name, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: table.globalSecondaryIndexes.map((i) => ({
      IndexName: i.indexName,
      KeySchema: [
        { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
      ],
      Projection: i.nonKeyAttributes === undefined
        ? { ProjectionType: 'ALL' }
        : { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.nonKeyAttributes] },
    })),
  };
}

/**
 * Create the table from the shared definition unless it exists, and wait until it is ACTIVE.
 * A table still being deleted (DELETING) is waited for and created again once it is gone.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string, table: TableDefinition = TABLE): Promise<void> {
  for (let i = 0; i < 200; i++) {
    let status: string | undefined;
    try {
      status = (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table?.TableStatus;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      try {
        await client.send(new CreateTableCommand(createTableInput(table, tableName)));
      } catch (createError) {
        if (!(createError instanceof ResourceInUseException)) throw createError;
      }
      continue;
    }
    if (status === 'ACTIVE') return;
    await sleep(10);
  }
  throw new LocalDynamoError(`table ${tableName} did not become ACTIVE within 2 s; restart the local runner`);
}

export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const tableName = options.tableName ?? TABLE.tableName;
  if (options.dir !== undefined) {
    try {
      mkdirSync(options.dir, { recursive: true });
    } catch (error) {
      throw new LocalDynamoError(`cannot use ${options.dir} as the local DynamoDB state directory (${String(error)}): choose another state directory`, { cause: error });
    }
  }
  if (options.dir !== undefined) {
    const problem = await storeProblem(options.dir);
    if (problem !== undefined) throw new LocalDynamoError(problem);
  }
  const listenError = (reason: string, cause?: unknown) =>
    new LocalDynamoError(`dynalite could not listen on 127.0.0.1${options.dir ? ` (store ${options.dir})` : ''}: ${reason}`, { cause });
  const engine = options.engine === 'process'
    ? await startEngineProcess(options.dir, listenError)
    : await startInProcess(options.dir, listenError);
  const { port } = engine;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const stop = async (): Promise<void> => {
    client.destroy();
    await engine.stop();
  };
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    await stop().catch(() => undefined);
    if (error instanceof LocalDynamoError) throw error;
    throw new LocalDynamoError(`could not create table ${tableName} in the local DynamoDB: ${String(error)}`, { cause: error });
  }
  return { endpoint, client, tableName, stop };
}

async function startInProcess(dir: string | undefined, fail: (reason: string, cause: unknown) => Error): Promise<{ port: number; stop(): Promise<void> }> {
  const server = dynalite({ ...(dir === undefined ? {} : { path: dir }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(fail(String(error), error)));
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
