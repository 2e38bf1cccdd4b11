// The store's incarnation on DynamoDB (docs/adr/0014-store-completeness.md): one item
// `meta` / `incarnation` naming the table it was created in (DescribeTable's TableId) and the
// members that merged a whole snapshot since it began. The item is missing after the table
// was emptied or recreated; a table restored from a backup is another table (another
// TableId) and carries the old item: either way the first reader begins a new incarnation
// with one conditional PutItem, and every member is incomplete in it until it resnapshots.
import { randomUUID } from 'node:crypto';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { memberKey } from '../../core/completeness.ts';
import type { IncarnationView } from '../../core/completeness.ts';
import type { MemberRef } from '../../core/types.ts';
import { RetryableError } from '../../errors.ts';
import type { IncarnationStore } from '../../ports.ts';
import { documentClient, isConditionalFailure, storeError } from './client.ts';
import type { Item } from './client.ts';
import { INCARNATION_KEY } from './keys.ts';

export interface DynamoIncarnationStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** New incarnation ids (tests pass a deterministic one). Default randomUUID. */
  readonly newId?: () => string;
}

/** How long a container trusts the TableId it read. */
const IDENTITY_TTL_MS = 60_000;

function viewOf(item: Item): IncarnationView {
  const done = (item.done ?? {}) as Record<string, unknown>;
  const floors = Object.entries((item.floors ?? {}) as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
  return { id: String(item.id), since: Number(item.since), complete: new Set(Object.keys(done)), floors: new Map(floors) };
}

export class DynamoIncarnationStore implements IncarnationStore {
  private readonly client: DynamoDBClient;
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly newId: () => string;
  private tableId: Promise<string> | undefined;
  private describedAt = Number.NaN;

  constructor(options: DynamoIncarnationStoreOptions) {
    this.client = options.client;
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.newId = options.newId ?? randomUUID;
  }

  /**
   * The table's identity (TableId): read at most once a minute per container (a table deleted
   * and restored under the same name while this container ran is noticed within that), and
   * again before beginning an incarnation.
   */
  private identity(now: number, refresh = false): Promise<string> {
    if (refresh || this.tableId === undefined || !(now - this.describedAt < IDENTITY_TTL_MS)) {
      this.describedAt = now;
      const reading = this.client.send(new DescribeTableCommand({ TableName: this.tableName })).then((res) => {
        const id = res.Table?.TableId ?? `${this.tableName}@${res.Table?.CreationDateTime?.getTime() ?? 0}`;
        return id;
      });
      reading.catch(() => { if (this.tableId === reading) this.tableId = undefined; });
      this.tableId = reading;
    }
    return this.tableId;
  }

  private async read(): Promise<Item | undefined> {
    try {
      return (await this.doc.send(new GetCommand({ TableName: this.tableName, Key: INCARNATION_KEY, ConsistentRead: true }))).Item;
    } catch (error) {
      throw storeError('read of the store incarnation', error);
    }
  }

  async current(now: number): Promise<IncarnationView> {
    let table: string;
    try {
      table = await this.identity(now);
    } catch (error) {
      throw storeError('DescribeTable (the store incarnation)', error);
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      const item = await this.read();
      if (item !== undefined && item.table === table) return viewOf(item);
      // No incarnation, or one of another table: check the table once more, then begin one.
      try {
        table = await this.identity(now, true);
      } catch (error) {
        throw storeError('DescribeTable (the store incarnation)', error);
      }
      if (item !== undefined && item.table === table) return viewOf(item);
      const fresh = { ...INCARNATION_KEY, id: this.newId(), since: now, table, done: {}, floors: {} };
      try {
        await this.doc.send(new PutCommand({
          TableName: this.tableName,
          Item: fresh,
          ConditionExpression: 'attribute_not_exists(#table) OR #table <> :table',
          ExpressionAttributeNames: { '#table': 'table' },
          ExpressionAttributeValues: { ':table': table },
        }));
        return viewOf(fresh);
      } catch (error) {
        if (!isConditionalFailure(error)) throw storeError('write of a new store incarnation', error);
        // Another container began it first: read theirs.
      }
    }
    throw new RetryableError('the store incarnation kept changing while being read: the message will be retried');
  }

  async markComplete(id: string, member: MemberRef): Promise<void> {
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: INCARNATION_KEY,
        UpdateExpression: 'SET #done.#m = :t',
        ConditionExpression: '#id = :id',
        ExpressionAttributeNames: { '#done': 'done', '#m': memberKey(member), '#id': 'id' },
        ExpressionAttributeValues: { ':id': id, ':t': true },
      }));
    } catch (error) {
      if (isConditionalFailure(error)) return; // another incarnation began: this snapshot counts for nothing there
      throw storeError(`write of ${memberKey(member)} complete in the store incarnation`, error);
    }
  }

  async raiseFloors(id: string, floors: ReadonlyMap<string, string>): Promise<void> {
    await Promise.all([...floors].map(async ([cluster, v]) => {
      try {
        await this.doc.send(new UpdateCommand({
          TableName: this.tableName,
          Key: INCARNATION_KEY,
          UpdateExpression: 'SET #floors.#c = :v',
          ConditionExpression: '#id = :id AND (attribute_not_exists(#floors.#c) OR #floors.#c < :v)',
          ExpressionAttributeNames: { '#floors': 'floors', '#c': cluster, '#id': 'id' },
          ExpressionAttributeValues: { ':id': id, ':v': v },
        }));
      } catch (error) {
        if (isConditionalFailure(error)) return; // already higher, or another incarnation
        throw storeError(`write of the version floor of ${cluster}`, error);
      }
    }));
  }
}
