// The state table, from the one shared definition (shared/adapters/dynamodb/table.ts) that the
// local engine also uses; and the only DynamoDB permissions a function gets.
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { TABLE, type KeyAttribute, type TableDefinition } from '../../shared/adapters/dynamodb/table.ts';

const TYPES: Readonly<Record<KeyAttribute['type'], dynamodb.AttributeType>> = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
};
const attribute = (a: KeyAttribute): dynamodb.Attribute => ({ name: a.name, type: TYPES[a.type] });

/**
 * The DynamoDB actions the store adapters use (shared/adapters/dynamodb/): item reads and
 * conditional single-item writes, queries of the table and its indexes, and DescribeTable (its
 * TableId tells a table restored from a backup from the original: docs/adr/0014-store-completeness.md).
 * No transactions, no other table-level action. test/infra checks this list against the adapters' commands.
 */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:DescribeTable',
] as const;

export function stateTable(scope: Construct, id: string, definition: TableDefinition = TABLE): dynamodb.Table {
  const table = new dynamodb.Table(scope, id, {
    partitionKey: attribute(definition.partitionKey),
    sortKey: attribute(definition.sortKey),
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    deletionProtection: true,
    timeToLiveAttribute: definition.timeToLiveAttribute,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of definition.globalSecondaryIndexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.indexName,
      partitionKey: attribute(index.partitionKey),
      sortKey: attribute(index.sortKey),
      ...(index.nonKeyAttributes
        ? { projectionType: dynamodb.ProjectionType.INCLUDE, nonKeyAttributes: [...index.nonKeyAttributes] }
        : { projectionType: dynamodb.ProjectionType.ALL }),
    });
  }
  return table;
}

/** Read and write items of the table and query its indexes, each index named (no wildcard). */
export function grantTable(table: dynamodb.Table, role: iam.IRole, definition: TableDefinition = TABLE): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    sid: 'StateTableItems',
    actions: [...TABLE_ACTIONS],
    resources: [
      table.tableArn,
      ...definition.globalSecondaryIndexes.map((i) => `${table.tableArn}/index/${i.indexName}`),
    ],
  }));
}
