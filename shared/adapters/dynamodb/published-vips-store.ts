// What each cluster was last seen publishing (docs/adr/0004-vip-allocation.md, "Published
// VIPs"): the addresses of every endpoint in the slices gns-sync manages there, as the
// reconcile listed them. The release holds a VIP while any cluster's record shows it — also a
// cluster that cannot be listed now (down, credentials expired) and one that left the config
// while its slices may remain. One item per cluster in the `published` partition (addresses
// sorted, gzipped; extra chunks beside it only for a very large cluster), read with one query.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { PublishedVipsStore } from '../../ports.ts';
import { documentClient, queryAll, storeError } from './client.ts';
import { PUBLISHED_PK } from './keys.ts';
import { CHUNK_BYTES, decodeKeys, encodeKeys } from './snapshot-keys.ts';

export interface DynamoPublishedVipsStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly chunkBytes?: number;
}

const chunkSk = (cluster: string, i: number) => `${cluster}#${String(i).padStart(4, '0')}`;

export class DynamoPublishedVipsStore implements PublishedVipsStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly chunkBytes: number;

  constructor(options: DynamoPublishedVipsStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  }

  async read(): Promise<Map<string, ReadonlySet<string>>> {
    let items;
    try {
      items = await queryAll(this.doc, { TableName: this.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': PUBLISHED_PK }, ConsistentRead: true });
    } catch (error) {
      throw storeError('query of the published VIPs', error);
    }
    const bySk = new Map(items.map((i) => [String(i.sk), i]));
    const out = new Map<string, ReadonlySet<string>>();
    for (const item of items) {
      const sk = String(item.sk);
      if (sk.includes('#') || !(item.a instanceof Uint8Array)) continue;
      const chunks: Uint8Array[] = [item.a];
      for (let i = 1; i < Number(item.n ?? 1); i++) {
        const more = bySk.get(chunkSk(sk, i))?.a;
        if (more instanceof Uint8Array) chunks.push(more);
      }
      out.set(sk, decodeKeys(chunks));
    }
    return out;
  }

  async write(cluster: string, addresses: ReadonlySet<string>, now: number): Promise<void> {
    const [head, ...more] = encodeKeys([...addresses], this.chunkBytes);
    try {
      for (const [i, a] of more.entries()) await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: PUBLISHED_PK, sk: chunkSk(cluster, i + 1), a } }));
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk: PUBLISHED_PK, sk: cluster, a: head, n: more.length + 1, at: now } }));
    } catch (error) {
      throw storeError(`write of the VIPs published in ${cluster}`, error);
    }
  }
}
