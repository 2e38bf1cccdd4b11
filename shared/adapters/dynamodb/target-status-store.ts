// Target statuses (last sync, endpoints, VIPs, writes, last error, warnings): one item per
// target in one `status` partition, so `list` is one paginated query. The sync queue
// serialises syncs per target (docs/adr/0005-queues.md), so a plain put is last-writer-wins
// in sync order.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { targetKey } from '../../core/identity.ts';
import type { TargetRef } from '../../core/types.ts';
import type { TargetStatus, TargetStatusStore } from '../../ports.ts';
import { documentClient, queryAll, storeError } from './client.ts';
import { STATUS_PK } from './keys.ts';

export interface DynamoTargetStatusStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
}

export class DynamoTargetStatusStore implements TargetStatusStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoTargetStatusStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
  }

  async record(status: TargetStatus): Promise<void> {
    const sk = targetKey(status.target);
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: STATUS_PK, sk, status: JSON.stringify(status) } }));
    } catch (error) {
      throw storeError(`write of the status of ${sk}`, error);
    }
  }

  async get(target: TargetRef): Promise<TargetStatus | undefined> {
    const sk = targetKey(target);
    try {
      const res = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: STATUS_PK, sk }, ConsistentRead: true }));
      return typeof res.Item?.status === 'string' ? (JSON.parse(res.Item.status) as TargetStatus) : undefined;
    } catch (error) {
      throw storeError(`read of the status of ${sk}`, error);
    }
  }

  async list(): Promise<readonly TargetStatus[]> {
    try {
      const items = await queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': STATUS_PK },
      });
      return items.filter((i) => typeof i.status === 'string').map((i) => JSON.parse(i.status as string) as TargetStatus);
    } catch (error) {
      throw storeError('query of target statuses', error);
    }
  }
}
