// The ingest's redelivery path against the real state store (dynalite): an attempt that merged
// all or part of an event and then failed (a crash mid-snapshot, a failed version bump) must
// still get every concerned target synced when SQS redelivers the record (ADR 0005, ADR 0008).
import { describe, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import type { IngestDeps, IngestRecord } from '../../../functions/ingest/ingest.ts';
import { indexTopology } from '../../../functions/topology.ts';
import { parseHlc } from '../../../shared/core/hlc.ts';
import { DynamoStateStore } from '../../../shared/adapters/dynamodb/state-store.ts';
import type { StateStore } from '../../../shared/ports.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import { FakeClock, FakeDeadLetters, FakeQueue, busBody, retryable } from '../../unit/functions/fakes.ts';
import { crashingClient, hlc, pod, podUpsert, service, serviceUpsert, snapshot, useDynamo } from '../store/helpers.ts';

const dynamo = useDynamo();

const topology = indexTopology({
  clusters: [{ name: 'one', network: 'one' }],
  globalNamespaces: [{ name: 'g', members: [{ cluster: 'one', namespace: 'ns-one' }, { cluster: 'one', namespace: 'ns-two' }] }],
  vipPool: '240.240.0.0/16',
  vipReleaseAfterMs: 3_600_000,
});
const nsTwo = { cluster: 'one', namespace: 'ns-two' };
const kafkaTarget = service('kafka-t');
const webTarget = service('web-t', { annotations: { 'gns-sync.io/endpoints.statefulset': '{"app":"web"}' } });

let n = 0;
const rec = (event: GnsEvent, receiveCount = 1, id = `evt-${++n}`): IngestRecord => ({ messageId: `m-${++n}`, body: busBody(event, id), receiveCount });

function depsFor(store: StateStore, queue: FakeQueue): IngestDeps {
  // The clock at the helpers' version base: their versions are not in the future (the ingest refuses those).
  const clock = new FakeClock();
  clock.ms = parseHlc(hlc(0)).ms;
  return { topology, store, queue, deadLetters: new FakeDeadLetters(), clock };
}

describe('ingest redelivery over the DynamoDB store', () => {
  it('a snapshot that crashed after collecting a pod still enqueues the target that pod was in', async () => {
    const tableName = await dynamo.freshTable();
    const store = new DynamoStateStore({ client: dynamo.engine().client, tableName });
    await store.merge(serviceUpsert(hlc(1), kafkaTarget, nsTwo));
    await store.merge(serviceUpsert(hlc(1), webTarget, nsTwo));
    await store.merge(podUpsert(hlc(2), pod('old', { labels: { app: 'web' } }))); // in web-t
    // The agent restarted: pod 'old' is gone, 'a' (a kafka pod) is new.
    const s = snapshot(hlc(10), [{ v: hlc(10), record: pod('a') }]);
    // Writes: header, record a, garbage delete of 'old', part mark. Crash before the mark.
    const crashing = crashingClient(dynamo.engine().endpoint, { at: [4], when: 'before' });
    const queue = new FakeQueue();
    const id = 'evt-snapshot-crash';
    const first = await ingestBatch(depsFor(new DynamoStateStore({ client: crashing.client, tableName }), queue), [rec(s, 1, id)]);
    crashing.client.destroy();
    expect(first.batchItemFailures).toHaveLength(1);
    expect(queue.sent).toEqual([]);
    expect((await store.podsOf('one', 'ns-one')).map((p) => p.name)).toEqual(['a']); // 'old' collected already

    const again = await ingestBatch(depsFor(store, queue), [rec(s, 2, id)]);
    expect(again.batchItemFailures).toEqual([]);
    // web-t still publishes 'old': its sync must run although the store no longer knows 'old'.
    expect(queue.keys()).toEqual(['one/ns-two/kafka-t', 'one/ns-two/web-t']);
  });

  it('a snapshot whose first attempt merged a new target but failed to bump the version bumps and enqueues it when redelivered', async () => {
    const tableName = await dynamo.freshTable();
    const real = new DynamoStateStore({ client: dynamo.engine().client, tableName });
    let failBump = false;
    const store: StateStore = {
      merge: (e) => real.merge(e),
      podsOf: (c, ns) => real.podsOf(c, ns),
      servicesOf: (c, ns) => real.servicesOf(c, ns),
      service: (c, ns, name) => real.service(c, ns, name),
      targetsVersions: (g) => real.targetsVersions(g),
      bumpTargetsVersion: (g) => (failBump ? Promise.reject(retryable('version bump')) : real.bumpTargetsVersion(g)),
      namespaceOf: (c, ns) => real.namespaceOf(c, ns),
      memberVersions: (g) => real.memberVersions(g),
      bumpMemberVersions: (g, m) => real.bumpMemberVersions(g, m),
    };
    await real.merge(serviceUpsert(hlc(1), kafkaTarget, nsTwo));
    const queue = new FakeQueue();
    const deps = depsFor(store, queue);
    // This container caches the GNS's target index (kafka-t only) at the current version.
    await ingestBatch(deps, [rec(podUpsert(hlc(2), pod('a')))]);
    expect(queue.keys()).toEqual(['one/ns-two/kafka-t']);
    queue.sent.length = 0;

    // The agent restarted and found a new target 'mirror' in ns-one (selecting the kafka pods).
    const s = snapshot(hlc(10), [{ v: hlc(2), record: pod('a') }], [{ v: hlc(10), record: service('mirror') }]);
    failBump = true;
    const first = await ingestBatch(deps, [rec(s, 1, 'evt-snapshot-bump')]);
    expect(first.batchItemFailures).toHaveLength(1);
    expect((await real.servicesOf('one', 'ns-one')).map((x) => x.name)).toEqual(['mirror']); // merged all the same
    failBump = false;

    const before = (await real.targetsVersions(['g'])).get('g') ?? 0;
    const again = await ingestBatch(deps, [rec(s, 2, 'evt-snapshot-bump')]);
    expect(again.batchItemFailures).toEqual([]);
    expect(queue.keys()).toContain('one/ns-one/mirror');
    // Other containers' cached indexes (without 'mirror') are invalidated.
    expect((await real.targetsVersions(['g'])).get('g')).toBeGreaterThan(before);
  });
});
