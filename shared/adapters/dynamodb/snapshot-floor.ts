// The snapshot floor of a member namespace (docs/adr/0003-dynamodb-single-table.md, issue 10
// case 3). The store garbage-collects entries that can never be visible again — tombstones
// included — when a newer snapshot arrives. A collected tombstone can then no longer refuse a
// late or replayed upsert of the deleted pod, which a later snapshot listing the name again
// (a recreated pod) would make visible until that snapshot's own record arrives: a stale IP.
// So for a key without an entry, the newest snapshot is the authority for everything older:
// a key it lists gets its record from the snapshot's own parts (at its last-change version), a
// key it does not list was gone. An upsert that *creates* an entry with a version below the
// snapshot's is therefore refused: the ingest writes it (it cannot know before: no read per
// event), sees from `ALL_OLD` that the key was new, reads the snapshot's version (one
// consistent GetItem, only on this path) and deletes its own write when it is below.
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionalFailure, storeError } from './client.ts';
import { SNAPSHOT_SK } from './keys.ts';

/** The version of the member's newest snapshot, if any (one consistent GetItem). */
export async function snapshotFloor(doc: DynamoDBDocumentClient, tableName: string, pk: string): Promise<string | undefined> {
  try {
    const res = await doc.send(
      new GetCommand({ TableName: tableName, Key: { pk, sk: SNAPSHOT_SK }, ProjectionExpression: '#v', ExpressionAttributeNames: { '#v': 'v' }, ConsistentRead: true }),
    );
    const v = res.Item?.v;
    return typeof v === 'string' ? v : undefined;
  } catch (error) {
    throw storeError(`read of the snapshot version of ${pk}`, error);
  }
}

/**
 * Deletes the entry this upsert just created when its version is below the member's snapshot
 * floor; returns whether it did. The delete is conditional on the entry still being this write
 * (a newer event may have replaced it meanwhile: then that one stands).
 */
export async function refuseBelowFloor(doc: DynamoDBDocumentClient, tableName: string, pk: string, sk: string, v: string, r: string): Promise<boolean> {
  const floor = await snapshotFloor(doc, tableName, pk);
  if (floor === undefined || v >= floor) return false;
  try {
    await doc.send(
      new DeleteCommand({
        TableName: tableName,
        Key: { pk, sk },
        ConditionExpression: '#v = :v AND #r = :r',
        ExpressionAttributeNames: { '#v': 'v', '#r': 'r' },
        ExpressionAttributeValues: { ':v': v, ':r': r },
      }),
    );
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw storeError(`refusal of ${pk} ${sk} below the snapshot floor ${floor}`, error);
  }
  return true;
}
