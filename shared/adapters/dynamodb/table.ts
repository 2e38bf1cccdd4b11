// The one definition of the gns-sync state table (docs/adr/0003-dynamodb-single-table.md),
// used by the CDK stack (infra/) and the local engine (local/dynamo/) alike. Plain data: no
// SDK or CDK import, so both sides map it onto their own API.

export interface KeyAttribute {
  readonly name: string;
  readonly type: 'S' | 'N' | 'B';
}

export interface IndexDefinition {
  readonly indexName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  /** KEYS_ONLY plus these attributes (INCLUDE), or ALL when undefined. */
  readonly nonKeyAttributes?: readonly string[];
}

export interface TableDefinition {
  /** Default physical name (the local engine; the CDK stack lets CloudFormation name it). */
  readonly tableName: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey: KeyAttribute;
  readonly globalSecondaryIndexes: readonly IndexDefinition[];
  /** The TTL attribute (epoch seconds). DynamoDB deletes expired items within days; dynalite never does. */
  readonly timeToLiveAttribute: string;
  readonly billingMode: 'PAY_PER_REQUEST';
}

/** Attribute names of the keys, shared by every item type. */
export const PK = 'pk';
export const SK = 'sk';
/** The sparse index of identities whose pod is gone (VIP release): only gone identity items carry these. */
export const GONE_INDEX = 'gone';
export const GONE_PK = 'gonePk';
export const GONE_SK = 'goneSk';
export const TTL_ATTRIBUTE = 'expiresAt';

export const TABLE: TableDefinition = {
  tableName: 'gns-sync-state',
  partitionKey: { name: PK, type: 'S' },
  sortKey: { name: SK, type: 'S' },
  globalSecondaryIndexes: [
    {
      indexName: GONE_INDEX,
      partitionKey: { name: GONE_PK, type: 'S' },
      sortKey: { name: GONE_SK, type: 'S' },
      nonKeyAttributes: ['vip', 'goneSince'],
    },
  ],
  timeToLiveAttribute: TTL_ATTRIBUTE,
  billingMode: 'PAY_PER_REQUEST',
};

/** Every attribute that is a key of the table or of an index, with its type (AttributeDefinitions). */
export function attributeDefinitions(table: TableDefinition = TABLE): readonly KeyAttribute[] {
  const all = [table.partitionKey, table.sortKey, ...table.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  const byName = new Map<string, KeyAttribute>();
  for (const a of all) byName.set(a.name, a);
  return [...byName.values()];
}
