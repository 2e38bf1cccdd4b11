// Member versions on DynamoDB (dynalite): shared/adapters/dynamodb/member-versions.ts and the
// whole-namespace read (docs/adr/0016).
import { describe, expect, it } from 'vitest';
import { localClient } from '../../../local/dynamo/start.ts';
import { DynamoStateStore } from '../../../shared/adapters/dynamodb/state-store.ts';
import { RetryableError } from '../../../shared/errors.ts';
import { hlc, pod, podUpsert, service, serviceUpsert, useDynamo } from './helpers.ts';

const dynamo = useDynamo();

describe('DynamoStateStore: member versions', () => {
  it('reads nothing for a GNS never bumped; one write bumps several members; the targets version is kept apart', async () => {
    const tableName = await dynamo.freshTable();
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName });
    expect(await store.memberVersions('g')).toEqual(new Map());
    expect(await store.bumpMemberVersions('g', ['one/a', 'two/b', 'one/a'])).toEqual({ members: new Map([['one/a', 1], ['two/b', 1]]), targetsVersion: 0 });
    expect(await store.bumpTargetsVersion('g')).toBe(1);
    // The bump returns every member's version and the targets version: the ingest reads nothing more.
    expect(await store.bumpMemberVersions('g', ['one/a'])).toEqual({ members: new Map([['one/a', 2], ['two/b', 1]]), targetsVersion: 1 });
    expect(await store.memberVersions('g')).toEqual(new Map([['one/a', 2], ['two/b', 1]]));
    expect(await store.targetsVersions(['g'])).toEqual(new Map([['g', 1]]));
    expect(await store.memberVersions('other')).toEqual(new Map());
  });

  it('concurrent bumps from several stores are all counted', async () => {
    const tableName = await dynamo.freshTable();
    const stores = Array.from({ length: 4 }, () => new DynamoStateStore({ client: localClient(dynamo.engine().endpoint), tableName }));
    await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 4]!.bumpMemberVersions('g', ['c/ns'])));
    expect(await stores[0]!.memberVersions('g')).toEqual(new Map([['c/ns', 20]]));
  });

  it('namespaceOf reads the visible pods and Services of a member together', async () => {
    const tableName = await dynamo.freshTable();
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName });
    await store.merge(podUpsert(hlc(1), pod('a')));
    await store.merge(serviceUpsert(hlc(2), service('t')));
    const view = await store.namespaceOf('one', 'ns-one');
    expect(view.pods).toEqual(await store.podsOf('one', 'ns-one'));
    expect(view.services).toEqual(await store.servicesOf('one', 'ns-one'));
    expect(view.pods.map((p) => p.name)).toEqual(['a']);
    expect(view.services.map((s) => s.name)).toEqual(['t']);
  });

  it('a store failure is a RetryableError naming the operation', async () => {
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName: 'no-such-table' });
    await expect(store.bumpMemberVersions('g', ['c/ns'])).rejects.toThrow(RetryableError);
    await expect(store.memberVersions('g')).rejects.toThrow(/member versions of g/);
  });
});
