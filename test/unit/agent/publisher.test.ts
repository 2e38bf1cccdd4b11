import { describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../agent/metrics.ts';
import { Publisher } from '../../../agent/publisher.ts';
import type { BusEntry } from '../../../shared/ports.ts';
import { RecordingBus, quietLogger, until } from './fakes.ts';

const entry = (i: number, bytes = 10): BusEntry => ({ source: 'gns-sync.io/cluster/c', detailType: 'gns-sync.pod.upsert.v1', detail: JSON.stringify({ i, pad: 'x'.repeat(bytes) }) });
const value = AgentMetrics.value;

function setup(opts: { maxBuffered?: number; unreachableAfter?: number; maxBatchBytes?: number; maxInFlight?: number; lossResnapshotMs?: number; now?: () => number } = {}) {
  const bus = new RecordingBus();
  const metrics = new AgentMetrics('c');
  const logger = quietLogger();
  let resnapshots = 0;
  const publisher = new Publisher({
    bus, metrics, logger, backoff: { baseMs: 1, maxMs: 2 }, random: () => 0.5,
    onResnapshotNeeded: () => { resnapshots += 1; },
    ...opts,
  });
  return { bus, metrics, logger, publisher, resnapshots: () => resnapshots };
}

const ids = (entries: readonly BusEntry[]): number[] => entries.map((e) => (JSON.parse(e.detail) as { i: number }).i);

describe('Publisher', () => {
  it('batches at most 10 entries per PutEvents, in order', async () => {
    const { bus, publisher, metrics } = setup();
    publisher.publish(Array.from({ length: 25 }, (_, i) => entry(i)));
    await publisher.idle();
    expect(bus.calls.map((c) => c.length)).toEqual([10, 10, 5]);
    expect(ids(bus.accepted)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(await value(metrics.published)).toBe(25);
    expect(await value(metrics.buffered)).toBe(0);
  });

  it('keeps a call under the byte limit (a large entry goes alone)', async () => {
    const { bus, publisher } = setup({ maxBatchBytes: 1000 });
    publisher.publish([entry(0, 400), entry(1, 400), entry(2, 400), entry(3, 2000)]);
    await publisher.idle();
    expect(bus.calls.map(ids)).toEqual([[0, 1], [2], [3]]);
  });

  it('retries only entries failing with InternalFailure or ThrottlingException; others count as failed', async () => {
    const { bus, publisher, metrics, logger } = setup();
    bus.behaviour = (entries, call) => call === 1
      ? [
          { index: 0, errorCode: 'InternalFailure' },
          { index: 1, errorCode: 'ThrottlingException' },
          { index: 2, errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' },
        ]
      : [];
    publisher.publish([entry(0), entry(1), entry(2), entry(3)]);
    await publisher.idle();
    expect(bus.calls.map(ids)).toEqual([[0, 1, 2, 3], [0, 1]]);
    expect(ids(bus.accepted).sort()).toEqual([0, 1, 3]);
    expect(await value(metrics.published)).toBe(3);
    expect(await value(metrics.failed)).toBe(1);
    expect(logger.lines.some((l) => l.level === 'error' && l.extra?.errorCode === 'MalformedDetail')).toBe(true);
  });

  it('retries a whole call after a network error or 5xx, but not after a final call error', async () => {
    const { bus, publisher, metrics } = setup();
    bus.behaviour = (_e, call) => (call <= 2 ? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) : []);
    publisher.publish([entry(0)]);
    await publisher.idle();
    expect(bus.calls).toHaveLength(3);
    expect(await value(metrics.published)).toBe(1);

    bus.behaviour = () => Object.assign(new Error('AccessDenied'), { retryable: false });
    publisher.publish([entry(1), entry(2)]);
    await publisher.idle();
    expect(bus.calls).toHaveLength(4);
    expect(await value(metrics.failed)).toBe(2);
  });

  it('entries rejected for good (a final call or entry error) are covered by a resnapshot after the next accepted call, at most once per lossResnapshotMs', async () => {
    let ms = 0;
    const { bus, publisher, resnapshots } = setup({ lossResnapshotMs: 60_000, now: () => ms });
    // The bus policy has not propagated yet: the agent's first snapshot is rejected for good.
    bus.behaviour = (_e, call) => (call === 1 ? Object.assign(new Error('AccessDeniedException'), { retryable: false }) : []);
    publisher.publish([entry(0)]);
    await publisher.idle();
    expect(resnapshots()).toBe(0); // nothing accepted yet
    publisher.publish([entry(1)]);
    await publisher.idle();
    expect(resnapshots()).toBe(1); // the state entry 0 carried is sent again
    // A final entry error within the minute: no second resnapshot yet (a failing snapshot must not loop)…
    bus.behaviour = (_e, call) => (call === 3 ? [{ index: 0, errorCode: 'MalformedDetail' }] : []);
    publisher.publish([entry(2)]);
    await publisher.idle();
    publisher.publish([entry(3)]);
    await publisher.idle();
    expect(resnapshots()).toBe(1);
    // …but after it, the next accepted call brings one.
    ms += 60_000;
    publisher.publish([entry(4)]);
    await publisher.idle();
    expect(resnapshots()).toBe(2);
  });

  it('buffers while the bus is unreachable; when full drops the oldest, counts, logs once, and resnapshots after recovery', async () => {
    const { bus, publisher, metrics, logger, resnapshots } = setup({ maxBuffered: 5 });
    let down = true;
    bus.behaviour = () => (down ? new Error('connect ECONNREFUSED') : []);
    publisher.publish([entry(0)]);
    await until(() => bus.calls.length >= 3); // entry 0 is in flight, retried
    publisher.publish(Array.from({ length: 8 }, (_, i) => entry(i + 1)));
    expect(publisher.status().buffered).toBe(5);
    expect(await value(metrics.dropped)).toBe(3);
    expect(await value(metrics.buffered)).toBe(5);
    expect(logger.lines.filter((l) => l.message.startsWith('event buffer full'))).toHaveLength(1);
    expect(publisher.status().resnapshotNeeded).toBe(true);
    expect(publisher.status().failingSinceMs).toBeTypeOf('number');
    expect(resnapshots()).toBe(0);
    down = false;
    await publisher.idle();
    // The in-flight entry and the 5 newest survive; 1..3 were dropped (the resnapshot covers them).
    expect(ids(bus.accepted)).toEqual([0, 4, 5, 6, 7, 8]);
    expect(resnapshots()).toBe(1);
    expect(publisher.status()).toMatchObject({ buffered: 0, resnapshotNeeded: false });
    expect(publisher.status().failingSinceMs).toBeUndefined();
  });

  it('resnapshots after the bus was unreachable even when nothing was dropped', async () => {
    const { bus, publisher, resnapshots } = setup({ unreachableAfter: 2 });
    bus.behaviour = (_e, call) => (call <= 2 ? new Error('503 Service Unavailable') : []);
    publisher.publish([entry(0)]);
    await publisher.idle();
    expect(resnapshots()).toBe(1);
    // A single transient failure does not.
    bus.behaviour = (_e, call) => (call === 4 ? new Error('503') : []);
    publisher.publish([entry(1)]);
    await publisher.idle();
    expect(resnapshots()).toBe(1);
  });

  it('stop() drains what it can, then stops; publish after stop is ignored', async () => {
    const { bus, publisher } = setup();
    publisher.publish([entry(0), entry(1)]);
    await publisher.stop(1_000);
    expect(ids(bus.accepted)).toEqual([0, 1]);
    publisher.publish([entry(2)]);
    expect(publisher.status().buffered).toBe(0);
  });

  it('stop() gives up on a bus that stays down', async () => {
    const { bus, publisher, logger } = setup();
    bus.behaviour = () => new Error('down');
    publisher.publish([entry(0)]);
    await publisher.stop(20);
    expect(bus.accepted).toHaveLength(0);
    expect(logger.lines.some((l) => l.message.startsWith('publisher stopped with entries unpublished'))).toBe(true);
  });

  it('keeps up to maxInFlight calls in flight while the bus works', async () => {
    const { bus, publisher } = setup();
    const release: (() => void)[] = [];
    let open = 0;
    let most = 0;
    const slow = bus.put.bind(bus);
    bus.put = async (entries) => {
      open += 1;
      most = Math.max(most, open);
      await new Promise<void>((r) => release.push(r));
      open -= 1;
      return slow(entries);
    };
    for (let i = 0; i < 60; i += 1) publisher.publish([entry(i)]);
    await until(() => release.length === 4);
    while (release.length > 0) {
      release.splice(0).forEach((r) => r());
      await new Promise((r) => setImmediate(r));
    }
    await publisher.idle();
    expect(most).toBe(4);
    expect(ids(bus.accepted).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(publisher.status()).toMatchObject({ buffered: 0, inFlight: 0 });
  });

  it('rejects a non-positive buffer size or concurrency', () => {
    expect(() => setup({ maxBuffered: 0 })).toThrow(/maxBuffered must be a positive integer/);
    expect(() => setup({ maxInFlight: 0 })).toThrow(/maxInFlight must be a positive integer/);
  });
});
