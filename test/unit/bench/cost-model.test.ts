// The cost model's arithmetic (bench/cost-model.ts): counts → dollars, checked by hand.
import { describe, expect, it } from 'vitest';
import { durationMs, price, priceFixed } from '../../../bench/cost-model.ts';
import type { Assumptions, Usage } from '../../../bench/cost-model.ts';
import { PRICES } from '../../../bench/cost-prices.ts';
import type { FunctionCounts } from '../../../bench/meter.ts';

const A: Assumptions = {
  memoryMb: { ingest: 512, sync: 1024, reconcile: 512 },
  dynamodbCallMs: 6, kubeCallMs: 25, sqsCallMs: 10,
  platformLogBytes: 330, ingestLogBytes: 420, syncLogBytes: 480, reconcileLogBytes: 800, emfBytesPerInvocation: 700,
};
const counts = (c: Partial<FunctionCounts>): FunctionCounts => ({ invocations: 0, records: 0, ddbCalls: {}, ddbConditionFailed: 0, readUnits: 0, writeUnits: 0, kubeRequests: 0, sqsSends: 0, sqsDeletes: 0, cpuMs: 0, ...c });

const usage: Usage = {
  counts: {
    ingest: counts({ invocations: 1, records: 10, ddbCalls: { PutItem: 10 }, writeUnits: 10, sqsSends: 1 }),
    sync: counts({ invocations: 2, records: 2, ddbCalls: { Query: 4 }, readUnits: 4, kubeRequests: 6 }),
    reconcile: counts({}),
  },
  cpuMsPerInvocation: { ingest: 5, sync: 10, reconcile: 0 },
  busEntries: 10,
  syncOutcomes: 2,
};

describe('cost model', () => {
  it('models a duration from CPU time plus a latency per call, rounded up to the millisecond', () => {
    expect(durationMs(usage, 'ingest', A)).toBe(75); // 5 + 10 × 6 + 1 × 10
    expect(durationMs(usage, 'sync', A)).toBe(97); // 10 + (4 × 6 + 6 × 25) / 2
    expect(durationMs(usage, 'reconcile', A)).toBe(0);
  });

  it('a sync batch of several targets syncs them side by side: its calls\' latency is shared by its targets', () => {
    expect(durationMs({ ...usage, syncOutcomes: 4 }, 'sync', A)).toBe(54); // 10 + (4 × 6 + 6 × 25) / 2 / (4 targets / 2 invocations)
  });

  it('prices each service from the counts', () => {
    const b = price(usage, PRICES, A);
    expect(b.dynamodb).toBeCloseTo((4 * 0.125 + 10 * 0.625) / 1e6, 12);
    expect(b.gbSeconds).toBeCloseTo(0.075 * 0.5 + 2 * 0.097 * 1, 9);
    expect(b.lambda).toBeCloseTo(b.gbSeconds * 0.0000133334 + (3 * 0.2) / 1e6, 12);
    // standard: 10 sends by EventBridge + 1 receive + 1 delete; FIFO: 1 send + 2 receives + 2 deletes
    expect(b.sqsStandardRequests).toBe(12);
    expect(b.sqsFifoRequests).toBe(5);
    expect(b.sqs).toBeCloseTo((12 * 0.4 + 5 * 0.5) / 1e6, 12);
    expect(b.eventBridge).toBeCloseTo(10 / 1e6, 12);
    expect(b.logBytes).toBe(3 * (330 + 700) + 420 + 2 * 480);
    expect(b.total).toBeCloseTo(b.dynamodb + b.lambda + b.sqs + b.eventBridge + b.logs, 12);
  });

  it('the sync function\'s own early deletes are FIFO requests and calls of its duration', () => {
    const early: Usage = { ...usage, counts: { ...usage.counts, sync: { ...usage.counts.sync, sqsDeletes: 2 } } };
    expect(durationMs(early, 'sync', A)).toBe(107); // 10 + (4 × 6 + 6 × 25 + 2 × 10) / 2
    expect(price(early, PRICES, A).sqsFifoRequests).toBe(7); // 1 send + 2 receives + 2 deletes by the event source + 2 early
  });

  it('prices what runs when nothing changes, per month', () => {
    const quiet: Usage = { ...usage, counts: { ingest: counts({}), sync: counts({}), reconcile: counts({}) }, busEntries: 0, syncOutcomes: 0 };
    const f = priceFixed({
      reconcilePass: usage, reconcileMinutes: 5, snapshotRound: quiet, snapshotMinutes: 10, clusters: 10, alarms: 7, dashboards: 1,
      customMetrics: 12, tableBytes: 1024 ** 3, idlePollersPerQueue: 5, secretReadsPerClusterPerHour: 2,
    }, PRICES, A);
    expect(f.reconcile).toBeCloseTo(price(usage, PRICES, A).total * 8760, 9);
    expect(f.snapshots).toBe(0);
    expect(f.idlePolling).toBeCloseTo((5 * 3 * 43_800 * (0.4 + 0.5)) / 1e6, 9);
    expect(f.secrets).toBeCloseTo(10 * 0.4 + ((10 * 2 * 730) / 1e4) * 0.05, 9);
    expect(f.alarms).toBeCloseTo(0.7, 9);
    expect(f.storageAndPitr).toBeCloseTo(0.45, 9);
    expect(f.total).toBeCloseTo(f.reconcile + f.idlePolling + f.secrets + f.alarms + 3 + 12 * 0.3 + 0.45, 9);
  });
});
