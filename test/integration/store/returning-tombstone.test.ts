// A returning pod's tombstone on DynamoDB (dynalite): the store keeps the agent's flag with the
// observation time, the whole-namespace read reports it, and the item follows the core's rule
// (docs/adr/0019-a-restart-keeps-its-routing.md).
import { describe, expect, it } from 'vitest';
import { DynamoStateStore } from '../../../shared/adapters/dynamodb/state-store.ts';
import { emptyNamespaceState, mergeEvents } from '../../../shared/core/merge.ts';
import { returningPods } from '../../../shared/core/returning.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import { hlc, pod, podDelete, podUpsert, useDynamo } from './helpers.ts';

const dynamo = useDynamo();
const returning = (event: GnsEvent, observedAt?: number): GnsEvent => {
  const d = { ...event.detail, returning: true } as Record<string, unknown>;
  if (observedAt !== undefined) d.observedAt = observedAt;
  return { ...event, detail: d } as GnsEvent;
};

describe('DynamoStateStore: returning tombstones', () => {
  it('keeps the flag and the observation time; a plain delete has none; the pod back ends it', async () => {
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName: await dynamo.freshTable() });
    await store.merge(podUpsert(hlc(1), pod('kafka-0')));
    await store.merge(podUpsert(hlc(1), pod('kafka-1')));
    await store.merge(returning(podDelete(hlc(2), 'kafka-0'), 1_764_366_000_001));
    await store.merge(podDelete(hlc(2), 'kafka-1'));
    const view = await store.namespaceOf('one', 'ns-one');
    expect(view.pods).toEqual([]);
    expect(view.returning).toEqual([{ name: 'kafka-0', since: 1_764_366_000_001 }]);

    await store.merge(podUpsert(hlc(3), pod('kafka-0', { uid: 'new', ips: [] })));
    expect((await store.namespaceOf('one', 'ns-one')).returning).toEqual([]);
  });

  it('a flagged and an unflagged tombstone of one version: the flagged one wins in either order, as in the core', async () => {
    for (const flaggedFirst of [true, false]) {
      const store = new DynamoStateStore({ client: dynamo.engine().client, tableName: await dynamo.freshTable() });
      const events = [returning(podDelete(hlc(2), 'kafka-0')), podDelete(hlc(2), 'kafka-0')];
      for (const e of flaggedFirst ? events : [...events].reverse()) await store.merge(e);
      expect((await store.namespaceOf('one', 'ns-one')).returning).toEqual(returningPods(mergeEvents(emptyNamespaceState(), events).entries));
      expect((await store.namespaceOf('one', 'ns-one')).returning).toEqual([{ name: 'kafka-0', since: 1_764_366_000_002 }]);
    }
  });
});
