// The shared table definition and its mapping onto CreateTable (the local engine's input).
import { describe, expect, it } from 'vitest';
import { createTableInput } from '../../../local/dynamo/start.ts';
import { attributeDefinitions, GONE_INDEX, TABLE, TTL_ATTRIBUTE } from '../../../shared/adapters/dynamodb/table.ts';

describe('table definition', () => {
  it('defines each key attribute once, with its type', () => {
    expect(attributeDefinitions()).toEqual([
      { name: 'pk', type: 'S' },
      { name: 'sk', type: 'S' },
      { name: 'gonePk', type: 'S' },
      { name: 'goneSk', type: 'S' },
    ]);
    expect(TABLE.timeToLiveAttribute).toBe(TTL_ATTRIBUTE);
  });

  it('maps onto CreateTable with the gone index projecting what release reads', () => {
    const input = createTableInput(TABLE, 'x');
    expect(input).toMatchObject({
      TableName: 'x',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: GONE_INDEX,
          KeySchema: [{ AttributeName: 'gonePk', KeyType: 'HASH' }, { AttributeName: 'goneSk', KeyType: 'RANGE' }],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['vip', 'goneSince'] },
        },
      ],
    });
  });
});
