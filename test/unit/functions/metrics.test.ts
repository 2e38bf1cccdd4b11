// The functions' CloudWatch metrics (issue 14): Embedded Metric Format lines written by
// Powertools Metrics (no PutMetricData), per target cluster for syncs, Kubernetes writes and
// failures, and the count of rejected events; nothing outside Lambda.
import { readFileSync } from 'node:fs';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createHandler as createIngest } from '../../../functions/ingest/handler.ts';
import { createHandler as createSync } from '../../../functions/sync/handler.ts';
import { createHandler as createReconcile } from '../../../functions/reconcile/handler.ts';
import { newSyncMemo } from '../../../functions/sync/memo.ts';
import { ingestMetricPoints, lambdaMetrics, METRICS_NAMESPACE, syncMetricPoints } from '../../../functions/metrics.ts';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import { syncBatch } from '../../../functions/sync/batch.ts';
import { decodeSyncMessage, encodeSyncMessage } from '../../../functions/sync/message.ts';
import { targetKey } from '../../../shared/core/identity.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import {
  busBody, FakeClock, FakeClusters, FakeDeadLetters, FakeQueue, FakeStatuses, FakeStore, FakeVips, kafkaPod, podUpsert, serviceUpsert,
  targetService, topology, seedScenario,
} from './fakes.ts';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/aws/${name}`, import.meta.url), 'utf8'));
const context = fixture('lambda-context.json') as Context;
const logger = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const target = (cluster: string, name = 'kafka-headless') => ({ gns: 'kafka-gns', cluster, namespace: 'ns-one', name });
const outcome = (cluster: string, writes: number) => ({ target: target(cluster), action: 'synced', endpoints: 3, vips: 0, writes, replans: 0, warnings: [], missingVips: 0, ms: 5 }) as never;

type Emf = { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }; [key: string]: unknown };
/** The EMF lines Powertools writes to stdout while `fn` runs. */
async function emfLines(fn: () => Promise<unknown>): Promise<Emf[]> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    await fn();
  } finally {
    spy.mockRestore();
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l) as Emf);
}
const metrics = () => new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'gns-sync-test' });

afterEach(() => vi.restoreAllMocks());

describe('metric points', () => {
  it('per target cluster: syncs, their Kubernetes writes, failed syncs', () => {
    const points = syncMetricPoints({
      outcomes: [outcome('clusterTwo', 2), outcome('clusterOne', 0), outcome('clusterTwo', 1)],
      failed: [{ target: target('clusterThree'), error: 'ECONNREFUSED', retried: true }],
    });
    expect(points).toEqual([
      { name: 'Syncs', value: 1, dimensions: { Cluster: 'clusterOne' } },
      { name: 'KubernetesWrites', value: 0, dimensions: { Cluster: 'clusterOne' } },
      { name: 'SyncFailures', value: 0, dimensions: { Cluster: 'clusterOne' } },
      { name: 'Syncs', value: 0, dimensions: { Cluster: 'clusterThree' } },
      { name: 'KubernetesWrites', value: 0, dimensions: { Cluster: 'clusterThree' } },
      { name: 'SyncFailures', value: 1, dimensions: { Cluster: 'clusterThree' } },
      { name: 'Syncs', value: 2, dimensions: { Cluster: 'clusterTwo' } },
      { name: 'KubernetesWrites', value: 3, dimensions: { Cluster: 'clusterTwo' } },
      { name: 'SyncFailures', value: 0, dimensions: { Cluster: 'clusterTwo' } },
    ]);
  });

  it('rejected events: a count per reason when there are some, nothing otherwise', () => {
    expect(ingestMetricPoints({ rejected: { schema: 2, 'future-version': 1 } })).toEqual([
      { name: 'EventsRejected', value: 1, dimensions: { Reason: 'future-version' } },
      { name: 'EventsRejected', value: 2, dimensions: { Reason: 'schema' } },
    ]);
    expect(ingestMetricPoints({ rejected: {} })).toEqual([]);
  });

  it('only in Lambda: the local runner and tests run the same handlers without metrics', () => {
    expect(lambdaMetrics('x', {})).toBeUndefined();
    expect(lambdaMetrics('x', { AWS_LAMBDA_FUNCTION_NAME: 'gns-sync-sync' })).toBeInstanceOf(Metrics);
  });
});

describe('EMF through the handlers', () => {
  it('the sync handler writes one EMF line per metric and cluster, in the GnsSync namespace', async () => {
    const store = new FakeStore();
    await store.put(...seedScenario(1));
    const handler = createSync(
      { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: new FakeClusters(), clock: new FakeClock(), memo: newSyncMemo() },
      { logger: logger(), metrics: metrics() },
    );
    const emf = await emfLines(() => handler(fixture('sqs-sync-fifo-event.json') as never, context));
    const seen = emf.map((e) => {
      const def = e._aws.CloudWatchMetrics[0]!;
      const name = def.Metrics[0]!.Name;
      return `${def.Namespace} ${name}=${String(e[name])} Cluster=${String(e.Cluster)} dims=${def.Dimensions[0]!.join(',')}`;
    });
    expect(seen).toEqual(expect.arrayContaining([
      'GnsSync Syncs=1 Cluster=clusterOne dims=service,Cluster',
      'GnsSync Syncs=1 Cluster=clusterTwo dims=service,Cluster',
      'GnsSync SyncFailures=0 Cluster=clusterTwo dims=service,Cluster',
    ]));
    expect(seen.find((s) => s.startsWith('GnsSync KubernetesWrites=') && s.includes('Cluster=clusterTwo'))).toMatch(/KubernetesWrites=[1-9]/);
  });

  it('the ingest handler counts the event it dead-lettered', async () => {
    const handler = createIngest({ topology: topology(), store: new FakeStore(), queue: new FakeQueue(), deadLetters: new FakeDeadLetters(), clock: new FakeClock() }, { logger: logger(), metrics: metrics() });
    const emf = await emfLines(() => handler(fixture('sqs-ingest-event.json') as never, context));
    expect(emf).toHaveLength(1);
    expect(emf[0]).toMatchObject({ EventsRejected: 1, service: 'gns-sync-test', Reason: 'schema' });
    expect(emf[0]?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'GnsSync', Dimensions: [['service', 'Reason']], Metrics: [{ Name: 'EventsRejected', Unit: 'Count' }] });
  });
});

describe('VIP pool usage (reconcile)', () => {
  const reconcileDeps = (clusters: FakeClusters) => ({ topology: topology(), store: new FakeStore(), queue: new FakeQueue(), vips: new FakeVips(), clusters, clock: new FakeClock(), agentLease: false as const });
  const seen = (emf: Emf[]) => emf.map((e) => {
    const def = e._aws.CloudWatchMetrics[0]!;
    const name = def.Metrics[0]!.Name;
    const dims = def.Dimensions[0]!.filter((d) => d !== 'service').map((d) => `${d}=${String(e[d])}`).join(',');
    return `${name}=${String(e[name])} ${def.Metrics[0]!.Unit} ${dims}`;
  });

  it('the reconcile handler emits the pool\'s used, free and usage %', async () => {
    const deps = reconcileDeps(new FakeClusters());
    await deps.vips.ensure([0, 1, 2].map((i) => ({ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod: `kafka-${i}` })), 0);
    await deps.store.put(...[0, 1, 2].map((i) => podUpsert('clusterOne', 'ns-one', kafkaPod(i))), serviceUpsert('clusterTwo', 'ns-one', targetService()));
    const handler = createReconcile(deps, { logger: logger(), metrics: metrics() });
    const emf = await emfLines(() => handler(fixture('eventbridge-scheduled-event.json') as never, context));
    const pool = topology().topology.vipPool;
    expect(seen(emf)).toEqual([
      `VipsUsed=3 Count Pool=${pool}`, `VipsFree=65531 Count Pool=${pool}`, `VipPoolUsage=${(3 / 65_534) * 100} Percent Pool=${pool}`,
    ]);
  });

  it('a reconcile with a failed part still emits what it read, then fails (the schedule retries)', async () => {
    // clusterTwo cannot be reached; what it was last seen publishing is on record (as in the cloud), so the release runs.
    const published = { read: async () => new Map([['clusterTwo', new Set<string>()]]), write: async () => undefined };
    const deps = { ...reconcileDeps(new FakeClusters(['clusterOne'])), published };
    const handler = createReconcile(deps, { logger: logger(), metrics: metrics() });
    let failure: unknown;
    const emf = await emfLines(() => handler(fixture('eventbridge-scheduled-event.json') as never, context).catch((error: unknown) => { failure = error; }));
    expect(String(failure)).toMatch(/cluster clusterTwo/);
    expect(seen(emf)).toContain(`VipsUsed=0 Count Pool=${topology().topology.vipPool}`);
  });
});

describe('propagation lag (agent observation → target written)', () => {
  const at = (event: GnsEvent, observedAt: number): GnsEvent => ({ ...event, detail: { ...event.detail, observedAt } }) as GnsEvent;

  it('the ingest enqueues with the earliest observation of the batch; the sync message carries it', async () => {
    const store = new FakeStore();
    await store.put(serviceUpsert('clusterTwo', 'ns-one', targetService()));
    const queue = new FakeQueue();
    const rec = (body: string, i: number) => ({ messageId: `m-${i}`, body, receiveCount: 1 });
    await ingestBatch({ topology: topology(), store, queue, deadLetters: new FakeDeadLetters(), clock: new FakeClock() }, [
      rec(busBody(at(podUpsert('clusterOne', 'ns-one', kafkaPod(0)), 5_000)), 1),
      rec(busBody(at(podUpsert('clusterOne', 'ns-one', kafkaPod(1)), 4_000)), 2),
    ]);
    expect(queue.sent.map((m) => m.observedAt)).toEqual([4_000]);
    const t = { gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', name: 'kafka-headless' };
    const decoded = decodeSyncMessage(encodeSyncMessage(t, 'evt-1', 4_000));
    expect(decoded).toEqual({ ok: true, message: { v: 1, target: t, cause: 'evt-1', observedAt: 4_000 } });
    expect(decodeSyncMessage(encodeSyncMessage(t, 'evt-1'))).toEqual({ ok: true, message: { v: 1, target: t, cause: 'evt-1' } });
  });

  it('a sync batch keeps the earliest observation per target; a sync that wrote gives PropagationLag in ms for its cluster, one that wrote nothing none', async () => {
    const store = new FakeStore();
    await store.put(podUpsert('clusterOne', 'ns-one', kafkaPod(0)), serviceUpsert('clusterTwo', 'ns-one', targetService()));
    const deps = { topology: topology(), store, vips: new FakeVips(), statuses: new FakeStatuses(), clusters: new FakeClusters(), clock: new FakeClock(), memo: newSyncMemo() };
    const t = { gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', name: 'kafka-headless' };
    const first = await syncBatch(deps, [
      { messageId: 'a', body: encodeSyncMessage(t, 'e1', 10_000) },
      { messageId: 'b', body: encodeSyncMessage(t, 'e2', 9_000) },
    ], 10_000);
    expect(first.observedAt.get(targetKey(t))).toBe(9_000);
    const lags = syncMetricPoints(first, 9_250).filter((p) => p.name === 'PropagationLag');
    expect(lags).toEqual([{ name: 'PropagationLag', unit: 'Milliseconds', value: 250, dimensions: { Cluster: 'clusterTwo' } }]);
    const again = await syncBatch(deps, [{ messageId: 'c', body: encodeSyncMessage(t, 'e3', 11_000) }], 11_000);
    expect(again.outcomes[0]?.writes).toBe(0);
    expect(syncMetricPoints(again, 11_500).filter((p) => p.name === 'PropagationLag')).toEqual([]);
  });
});
