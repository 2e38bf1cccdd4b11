// The store's incarnation on dynalite (docs/adr/0014-store-completeness.md): one per table
// life — a new one after the table was emptied, recreated or restored (another TableId,
// carrying the old item) — agreed on by concurrent readers; marks of another incarnation are
// no-ops.
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureTable } from '../../../local/dynamo/start.ts';
import { documentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoIncarnationStore } from '../../../shared/adapters/dynamodb/incarnation-store.ts';
import { INCARNATION_KEY } from '../../../shared/adapters/dynamodb/keys.ts';
import { useDynamo } from './helpers.ts';

const dynamo = useDynamo();
const member = { cluster: 'one', namespace: 'ns-one' };

describe('DynamoIncarnationStore', () => {
  it('begins one incarnation, agreed on by concurrent readers, and keeps it', async () => {
    const tableName = await dynamo.freshTable();
    let n = 0;
    const stores = Array.from({ length: 5 }, () => new DynamoIncarnationStore({ client: dynamo.engine().client, tableName, newId: () => `inc-${++n}` }));
    const views = await Promise.all(stores.map((s, i) => s.current(1_000 + i)));
    expect(new Set(views.map((v) => v.id)).size).toBe(1);
    expect((await stores[0]!.current(9_999)).id).toBe(views[0]!.id);
    expect((await stores[0]!.current(9_999)).complete.size).toBe(0);
  });

  it('marks members complete in its own incarnation only', async () => {
    const tableName = await dynamo.freshTable();
    const store = new DynamoIncarnationStore({ client: dynamo.engine().client, tableName, newId: () => 'a' });
    const view = await store.current(1_000);
    await store.markComplete('not-this-one', member);
    expect((await store.current(2_000)).complete.size).toBe(0);
    await store.markComplete(view.id, member);
    await store.markComplete(view.id, member);
    expect([...(await store.current(2_000)).complete]).toEqual(['one/ns-one']);
  });

  it('the table emptied (item gone): a new incarnation with nothing complete', async () => {
    const tableName = await dynamo.freshTable();
    let n = 0;
    const store = new DynamoIncarnationStore({ client: dynamo.engine().client, tableName, newId: () => `inc-${++n}` });
    const first = await store.current(1_000);
    await store.markComplete(first.id, member);
    await documentClient(dynamo.engine().client).send(new DeleteCommand({ TableName: tableName, Key: INCARNATION_KEY }));
    const second = await store.current(5_000);
    expect(second).toMatchObject({ id: 'inc-2', since: 5_000 });
    expect(second.complete.size).toBe(0);
  });

  it('a restored table (another TableId) carrying the old item: a new incarnation, noticed by a warm container within a minute', async () => {
    const tableName = await dynamo.freshTable();
    const client = dynamo.engine().client;
    let n = 0;
    const store = new DynamoIncarnationStore({ client, tableName, newId: () => `inc-${++n}` });
    const first = await store.current(1_000);
    await store.markComplete(first.id, member);
    const old = (await documentClient(client).send(new GetCommand({ TableName: tableName, Key: INCARNATION_KEY, ConsistentRead: true }))).Item;
    // "Restore": a new table with the same name holding the old item.
    await client.send(new DeleteTableCommand({ TableName: tableName }));
    await ensureTable(client, tableName);
    await documentClient(client).send(new PutCommand({ TableName: tableName, Item: old! }));
    // A warm container checks the table's identity at most once a minute.
    expect((await store.current(30_000)).id).toBe(first.id);
    const second = await store.current(62_000);
    expect(second).toMatchObject({ id: 'inc-2', since: 62_000 });
    expect(second.complete.size).toBe(0);
    const cold = new DynamoIncarnationStore({ client, tableName, newId: () => 'never' });
    expect((await cold.current(63_000)).id).toBe('inc-2');
  });
});
