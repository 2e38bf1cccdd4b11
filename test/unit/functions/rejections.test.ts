// Events rejected by reason (issue 14): every way the ingest dead-letters an event counts once
// in EventsRejected under one reason of the fixed set (shared/schemas/rejections.ts), so the
// metric's sum is the number of dead letters and no path goes uncounted.
import { describe, expect, it } from 'vitest';
import { ingestBatch } from '../../../functions/ingest/ingest.ts';
import { ingestMetricPoints } from '../../../functions/metrics.ts';
import { formatHlc } from '../../../shared/core/hlc.ts';
import { FinalError } from '../../../shared/errors.ts';
import { REJECTION_REASONS } from '../../../shared/schemas/rejections.ts';
import type { RejectionReason } from '../../../shared/schemas/rejections.ts';
import { busBody, FakeClock, FakeDeadLetters, FakeQueue, FakeStore, kafkaPod, podUpsert, topology } from './fakes.ts';

const ACCOUNT = '111122223333';
const clock = new FakeClock();
const valid = () => JSON.parse(busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(0)))) as Record<string, unknown> & { detail: Record<string, unknown> };
const edit = (fn: (e: ReturnType<typeof valid>) => void): string => {
  const e = valid();
  fn(e);
  return JSON.stringify(e);
};

/** One body per rejection path, by the reason it must count under. */
const CASES: readonly { readonly reason: RejectionReason; readonly what: string; readonly body: string }[] = [
  { reason: 'malformed', what: 'not JSON', body: '{"version":' },
  { reason: 'malformed', what: 'not an object', body: '[1,2]' },
  { reason: 'malformed', what: 'an envelope without its id', body: edit((e) => { delete e.id; }) },
  { reason: 'unknown-type', what: "a newer agent's detail type", body: edit((e) => { e['detail-type'] = 'gns-sync.pod.upsert.v9'; }) },
  { reason: 'wrong-source', what: 'a source that is no agent', body: edit((e) => { e.source = 'aws.ec2'; }) },
  { reason: 'wrong-source', what: 'a source speaking for another cluster', body: edit((e) => { e.source = 'gns-sync.io/cluster/clusterTwo'; }) },
  { reason: 'schema', what: 'a detail that is not an object', body: edit((e) => { e.detail = 'x' as never; }) },
  { reason: 'schema', what: 'a detail without its namespace', body: edit((e) => { delete e.detail.namespace; }) },
  { reason: 'oversize', what: 'a namespace name longer than the contract allows', body: edit((e) => { e.detail.namespace = 'n'.repeat(64); }) },
  { reason: 'oversize', what: 'a pod with more IPs than the contract allows', body: edit((e) => { (e.detail.pod as { ips: string[] }).ips = ['10.0.0.1', '10.0.0.2', '10.0.0.3']; }) },
  { reason: 'wrong-account', what: "another account's event", body: edit((e) => { e.account = '999999999999'; }) },
  { reason: 'future-version', what: 'a version an hour ahead of the clock', body: edit((e) => { e.detail.v = formatHlc(clock.ms + 3_600_000, 0); }) },
  { reason: 'unmergeable', what: 'an event the store refuses for good', body: busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(7))) },
];

async function ingest(bodies: readonly string[]) {
  const store = new FakeStore();
  store.failMerge = (event) => ('pod' in event.detail && event.detail.pod.name === 'kafka-7' ? new FinalError('cannot merge: item too large') : undefined);
  const deadLetters = new FakeDeadLetters();
  const result = await ingestBatch(
    { topology: topology(), store, queue: new FakeQueue(), deadLetters, clock, accountOf: () => ACCOUNT },
    bodies.map((body, i) => ({ messageId: `m-${i}`, body })),
  );
  return { result, deadLetters };
}

describe('EventsRejected by reason', () => {
  it.each(CASES)('$what → dead-lettered, counted once as $reason', async ({ reason, body }) => {
    const { result, deadLetters } = await ingest([body]);
    expect(deadLetters.letters).toHaveLength(1);
    expect(result.rejected).toEqual({ [reason]: 1 });
    expect(ingestMetricPoints(result)).toEqual([{ name: 'EventsRejected', value: 1, dimensions: { Reason: reason } }]);
  });

  it('every reason of the fixed set has a path here, and a batch of all of them counts each dead letter once', async () => {
    expect(new Set(CASES.map((c) => c.reason))).toEqual(new Set(REJECTION_REASONS));
    const { result, deadLetters } = await ingest([...CASES.map((c) => c.body), busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1)))]);
    const points = ingestMetricPoints(result);
    expect(points.reduce((sum, p) => sum + p.value, 0)).toBe(deadLetters.letters.length);
    expect(deadLetters.letters).toHaveLength(CASES.length);
    expect(result.merged).toBe(1);
  });

  it('a valid event counts nothing; an event whose dead-lettering failed counts nothing (it is redelivered)', async () => {
    expect(ingestMetricPoints((await ingest([busBody(podUpsert('clusterOne', 'ns-one', kafkaPod(1)))])).result)).toEqual([]);
    const store = new FakeStore();
    const deadLetters = new FakeDeadLetters();
    deadLetters.fail = new Error('SQS down');
    const result = await ingestBatch({ topology: topology(), store, queue: new FakeQueue(), deadLetters, clock }, [{ messageId: 'm', body: '{' }]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm' }]);
    expect(ingestMetricPoints(result)).toEqual([]);
  });
});
