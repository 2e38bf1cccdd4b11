// The release holds what some target still publishes (docs/adr/0004-vip-allocation.md,
// "Published VIPs"), on dynalite: a gone identity whose VIP is published keeps it past the
// grace period and loses it once it is not; an orphan claim of a published address is not
// quarantined; the per-cluster records round-trip, chunked when large.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '../../../shared/adapters/dynamodb/client.ts';
import { DynamoPublishedVipsStore } from '../../../shared/adapters/dynamodb/published-vips-store.ts';
import { identityKey } from '../../../shared/core/identity.ts';
import { useDynamo } from './helpers.ts';
import { allocator, HOUR, identity, readTable, T0 } from './vip-helpers.ts';

const dynamo = useDynamo();

describe('release with published addresses', () => {
  it('a gone identity keeps its VIP while it is published, and is released once it is not', async () => {
    const tableName = await dynamo.freshTable();
    const vips = allocator(dynamo.engine().client, tableName);
    const id = identity('kafka-2');
    const vip = (await vips.ensure([id], T0)).get(identityKey(id))!;
    await vips.markGone([id], T0);
    expect(await vips.releaseExpired(T0 + 2 * HOUR, { published: new Set([vip]) })).toBe(0);
    expect((await readTable(dynamo.engine().client, tableName)).bindings.get(identityKey(id))).toBe(vip);
    expect(await vips.releaseExpired(T0 + 3 * HOUR, { published: new Set(['240.240.9.9']) })).toBe(1);
    expect((await readTable(dynamo.engine().client, tableName)).bindings.has(identityKey(id))).toBe(false);
  });

  it('an orphan claim (its binding lost) of a published address is not quarantined', async () => {
    const tableName = await dynamo.freshTable();
    const client = dynamo.engine().client;
    const vips = allocator(client, tableName, { orphanAfterMs: 20 * 60_000 });
    const vip = (await vips.ensure([identity('kafka-0')], T0)).get(identityKey(identity('kafka-0')))!;
    // Only the claim survives (the binding was lost): an orphan once old enough.
    await documentClient(client).send(new UpdateCommand({ TableName: tableName, Key: { pk: 'ids/kafka-gns', sk: 'one/ns-one/kafka-0' }, UpdateExpression: 'REMOVE vip' }));
    expect(await vips.releaseExpired(T0 + HOUR, { published: new Set([vip]) })).toBe(0);
    expect((await readTable(client, tableName)).vips.get(vip)?.owner).toBe(identityKey(identity('kafka-0')));
    expect(await vips.releaseExpired(T0 + HOUR)).toBe(1);
  });

  it('rejects a published list that is not a Set, writing nothing', async () => {
    const tableName = await dynamo.freshTable();
    const vips = allocator(dynamo.engine().client, tableName);
    await expect(vips.releaseExpired(T0, { published: ['240.240.0.1'] as unknown as Set<string> })).rejects.toThrow(/published must be a Set/);
  });
});

describe('DynamoPublishedVipsStore', () => {
  it('records per cluster round-trip, large ones in chunks, and a rewrite replaces', async () => {
    const tableName = await dynamo.freshTable();
    const store = new DynamoPublishedVipsStore({ client: dynamo.engine().client, tableName, chunkBytes: 512 });
    const many = new Set(Array.from({ length: 3_000 }, (_, i) => `240.240.${i >> 8}.${i & 255}`));
    await store.write('clusterOne', many, T0);
    await store.write('clusterTwo', new Set(['240.240.0.7']), T0);
    let read = await store.read();
    expect(read.get('clusterOne')).toEqual(many);
    expect(read.get('clusterTwo')).toEqual(new Set(['240.240.0.7']));
    await store.write('clusterTwo', new Set(), T0 + 1);
    read = await store.read();
    expect(read.get('clusterTwo')).toEqual(new Set());
    expect([...read.keys()].sort()).toEqual(['clusterOne', 'clusterTwo']);
  });
});
