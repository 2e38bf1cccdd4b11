// Member versions (docs/adr/0016-a-pod-event-costs-constant-work.md): a change counter per
// member namespace of a GNS, kept as attributes `mv:<cluster>/<namespace>` of the GNS's item in
// the `targets` partition (the item that holds its targets version). The ingest adds one to
// every member a batch changed, with one `UpdateItem ADD` per GNS, after merging; a sync reads
// the item (one consistent `GetItem`) and re-reads only the members whose counter moved since
// it last read them. Only equality matters.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { storeError } from './client.ts';
import { TARGETS_PK } from './keys.ts';

const PREFIX = 'mv:';
/** targets-version.ts's attribute on the same item. */
const TARGETS_VERSION = 'tv';

/** The counter of every member that has one, by `cluster/namespace` (absent: never bumped, 0). */
export async function readMemberVersions(doc: DynamoDBDocumentClient, tableName: string, gns: string): Promise<ReadonlyMap<string, number>> {
  let item: Record<string, unknown> | undefined;
  try {
    item = (await doc.send(new GetCommand({ TableName: tableName, Key: { pk: TARGETS_PK, sk: gns }, ConsistentRead: true }))).Item;
  } catch (error) {
    throw storeError(`read of the member versions of ${gns}`, error);
  }
  return versionsOf(item);
}

const versionsOf = (item: Record<string, unknown> | undefined): Map<string, number> => {
  const out = new Map<string, number>();
  for (const [name, value] of Object.entries(item ?? {})) {
    if (name.startsWith(PREFIX) && typeof value === 'number') out.set(name.slice(PREFIX.length), value);
  }
  return out;
};

/**
 * Adds one to the counter of each of `members` (`cluster/namespace`) of a GNS, in one write;
 * returns every counter after it, and the item's targets version (0: none yet).
 */
export async function bumpMemberVersions(doc: DynamoDBDocumentClient, tableName: string, gns: string, members: readonly string[]): Promise<{ members: ReadonlyMap<string, number>; targetsVersion: number }> {
  const unique = [...new Set(members)].sort();
  if (unique.length === 0) throw new Error('bumpMemberVersions needs at least one member');
  const names = Object.fromEntries(unique.map((m, i) => [`#m${i}`, `${PREFIX}${m}`]));
  try {
    const res = await doc.send(new UpdateCommand({
      TableName: tableName,
      Key: { pk: TARGETS_PK, sk: gns },
      UpdateExpression: `ADD ${unique.map((_, i) => `#m${i} :one`).join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'ALL_NEW',
    }));
    const tv = res.Attributes?.[TARGETS_VERSION];
    return { members: versionsOf(res.Attributes), targetsVersion: typeof tv === 'number' ? tv : 0 };
  } catch (error) {
    throw storeError(`bump of the member versions of ${gns}`, error);
  }
}
