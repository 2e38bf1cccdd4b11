// The targets version of a GNS (docs/adr/0008-function-costs-and-caches.md): one counter item
// per GNS in the `targets` partition, bumped with one `ADD` after the ingest merges a Service
// change of that GNS, and read consistently (one BatchGetItem for every GNS of an ingest batch)
// before the ingest reuses a cached target index. Only equality matters: a changed version
// means "reload the index".
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RetryableError } from '../../errors.ts';
import { batchGet, storeError } from './client.ts';
import { TARGETS_PK } from './keys.ts';

const VERSION = 'tv';

/** The version of each GNS (0 when it has none yet), strongly consistent. */
export async function readTargetsVersions(doc: DynamoDBDocumentClient, tableName: string, gnsNames: readonly string[]): Promise<ReadonlyMap<string, number>> {
  const unique = [...new Set(gnsNames)];
  const out = new Map<string, number>(unique.map((gns) => [gns, 0]));
  if (unique.length === 0) return out;
  let items;
  try {
    items = await batchGet(doc, tableName, unique.map((gns) => ({ pk: TARGETS_PK, sk: gns })), true);
  } catch (error) {
    throw error instanceof RetryableError ? error : storeError(`read of the targets versions of ${unique.join(', ')}`, error);
  }
  for (const item of items) {
    if (typeof item.sk === 'string' && typeof item[VERSION] === 'number') out.set(item.sk, item[VERSION]);
  }
  return out;
}

/** Adds one to a GNS's version (creating it at 1); returns the new value. */
export async function bumpTargetsVersion(doc: DynamoDBDocumentClient, tableName: string, gns: string): Promise<number> {
  try {
    const res = await doc.send(new UpdateCommand({
      TableName: tableName,
      Key: { pk: TARGETS_PK, sk: gns },
      UpdateExpression: 'ADD #tv :one',
      ExpressionAttributeNames: { '#tv': VERSION },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }));
    const version = res.Attributes?.[VERSION];
    if (typeof version !== 'number') throw new Error(`UpdateItem returned no ${VERSION}`);
    return version;
  } catch (error) {
    throw storeError(`bump of the targets version of ${gns}`, error);
  }
}
