// The ingest's target cache is safe across containers (docs/adr/0008-function-costs-and-caches.md):
// a target created through one container is seen by the other's very next pod change, although
// that container holds a cached target index from before the target existed. Both tests failed
// with the former 5-second cache. Then the mechanics: bump after merges, one read per batch,
// failures of either.
import { beforeEach, describe, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import type { IngestDeps, IngestRecord } from '../../../functions/ingest/ingest.ts';
import {
  FakeClock, FakeDeadLetters, FakeQueue, FakeStore, busBody, kafkaPod, podUpsert, retryable, serviceDelete, serviceUpsert, targetService, topology,
} from './fakes.ts';

let store: FakeStore;
let queue: FakeQueue;
let a: IngestDeps;
let b: IngestDeps;
let n = 0;
const rec = (body: string, receiveCount = 1): IngestRecord => ({ messageId: `m-${++n}`, body, receiveCount });
const MIRROR = 'clusterOne/ns-one/kafka-mirror';

beforeEach(async () => {
  store = new FakeStore();
  queue = new FakeQueue();
  const clock = new FakeClock();
  // Two containers: separate deps objects (separate caches), one store, one queue, one clock.
  a = { topology: topology(), store, queue, deadLetters: new FakeDeadLetters(), clock };
  b = { topology: topology(), store, queue, deadLetters: new FakeDeadLetters(), clock };
  await store.put(serviceUpsert('clusterOne', 'ns-two', targetService()), serviceUpsert('clusterTwo', 'ns-one', targetService()));
  // Both containers have a warm index (two targets).
  await ingestBatch(a, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0))))]);
  await ingestBatch(b, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1))))]);
  queue.sent.length = 0;
});

describe('two ingest containers', () => {
  it('a target created through A is enqueued by the next pod change through B', async () => {
    await ingestBatch(a, [rec(busBody(serviceUpsert('clusterOne', 'ns-one', targetService('kafka-mirror'))))]);
    expect(queue.keys()).toEqual([MIRROR]);
    queue.sent.length = 0;
    await ingestBatch(b, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(2))))]);
    expect(queue.keys()).toContain(MIRROR);
  });

  it('a target deleted through A is no longer enqueued by pod changes through B', async () => {
    await ingestBatch(a, [rec(busBody(serviceDelete('clusterTwo', 'ns-one', 'kafka-headless')))]);
    queue.sent.length = 0;
    await ingestBatch(b, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(3))))]);
    expect(queue.keys()).toEqual(['clusterOne/ns-two/kafka-headless']);
  });
});

describe('targets version', () => {
  const others = () => store.calls.filter((c) => !c.startsWith('merge'));

  it('a batch merges first, then reads the version once (with its member bump, same item), then loads the index only if it changed', async () => {
    store.calls.length = 0;
    await ingestBatch(b, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(4)))), rec(busBody(podUpsert('clusterTwo', 'ns-one', kafkaPod(5))))]);
    expect(store.calls).toEqual(['merge gns-sync.pod.upsert.v2', 'merge gns-sync.pod.upsert.v2', 'bumpMemberVersions kafka-gns']);
    store.versions.set('kafka-gns', 7); // another container merged a Service change
    store.calls.length = 0;
    await ingestBatch(b, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(6))))]);
    expect(others()).toEqual(['bumpMemberVersions kafka-gns', 'servicesOf clusterOne/ns-one', 'servicesOf clusterOne/ns-two', 'servicesOf clusterTwo/ns-one']);
  });

  it('Service changes bump the version once per GNS per batch, after the merges; the bumped value needs no read', async () => {
    store.calls.length = 0;
    const result = await ingestBatch(a, [
      rec(busBody(serviceUpsert('clusterOne', 'ns-one', targetService('kafka-mirror')))),
      rec(busBody(serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-copy')))),
      rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(7)))),
    ]);
    expect(store.calls.slice(0, 3).every((c) => c.startsWith('merge'))).toBe(true);
    expect(store.calls[3]).toBe('bumpMemberVersions kafka-gns');
    expect(store.calls[4]).toBe('bumpTargetsVersion kafka-gns');
    expect(others().filter((c) => c.startsWith('bump') || c.startsWith('targetsVersions'))).toEqual(['bumpMemberVersions kafka-gns', 'bumpTargetsVersion kafka-gns']);
    expect(store.versions.get('kafka-gns')).toBe(1);
    expect(result.enqueued).toBe(4);
    expect(queue.keys()).toContain('clusterTwo/ns-one/kafka-copy');
  });

  it('a Service event that changed nothing bumps nothing; redelivered, it bumps again and enqueues its target', async () => {
    const body = busBody(serviceUpsert('clusterOne', 'ns-one', targetService('kafka-mirror')));
    await ingestBatch(a, [rec(body)]);
    store.calls.length = 0;
    queue.sent.length = 0;
    await ingestBatch(a, [rec(body)]);
    expect(others()).toEqual([]);
    expect(queue.sent).toEqual([]);
    await ingestBatch(a, [rec(body, 2)]);
    expect(others()).toEqual(['bumpMemberVersions kafka-gns', 'bumpTargetsVersion kafka-gns']);
    expect(queue.keys()).toEqual([MIRROR]);
  });

  it('a failed bump fails the Service records (not enqueued: their redelivery bumps first); pod records proceed', async () => {
    store.failBump = retryable('bump');
    const service = rec(busBody(serviceUpsert('clusterOne', 'ns-one', targetService('kafka-mirror'))));
    const pod = rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(8))));
    const result = await ingestBatch(a, [service, pod]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: service.messageId }]);
    expect(queue.keys()).not.toContain(MIRROR);
    expect(queue.keys().length).toBeGreaterThan(0);
    expect(store.calls).toContain('bumpMemberVersions kafka-gns'); // the pod's version for the index came with it
    store.failBump = undefined;
    queue.sent.length = 0;
    const again = await ingestBatch(a, [{ ...service, receiveCount: 2 }]);
    expect(again.batchItemFailures).toEqual([]);
    expect(store.versions.get('kafka-gns')).toBe(1);
    expect(queue.keys()).toEqual([MIRROR]);
    queue.sent.length = 0;
    await ingestBatch(b, [rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(9))))]);
    expect(queue.keys()).toContain(MIRROR);
  });

  it('a failed member bump (which also reads the version) fails the changed records: nothing is enqueued at an unread version; redelivered, they converge', async () => {
    await ingestBatch(a, [rec(busBody(serviceUpsert('clusterOne', 'ns-one', targetService('kafka-mirror'))))]);
    store.failBumpMembers = retryable('bump');
    queue.sent.length = 0;
    const pod = rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(10))));
    const result = await ingestBatch(b, [pod]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: pod.messageId }]);
    expect(queue.sent).toEqual([]);
    store.failBumpMembers = undefined;
    const again = await ingestBatch(b, [{ ...pod, receiveCount: 2 }]);
    expect(again.batchItemFailures).toEqual([]);
    expect(queue.keys()).toContain(MIRROR);
  });

  it('a failed index load fails the pod records (redelivered), not the Service records', async () => {
    store.versions.set('kafka-gns', 3);
    const servicesOf = store.servicesOf.bind(store);
    store.servicesOf = async () => { throw retryable('query'); };
    const service = rec(busBody(serviceUpsert('clusterOne', 'ns-one', targetService('kafka-mirror'))));
    const pod = rec(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(11))));
    const result = await ingestBatch(b, [service, pod]);
    store.servicesOf = servicesOf;
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: pod.messageId }]);
    expect(queue.keys()).toEqual([MIRROR]);
  });
});
