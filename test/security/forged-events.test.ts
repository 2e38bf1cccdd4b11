// Adversarial: forged, future-stamped, wrong-account and replayed events at the ingest (issue 11,
// findings 2 and 3), over the real state store (dynalite). The proof of concept of the review:
// one snapshot stamped far in the future, listing nothing, hid every pod of its namespace from
// every target — permanently, and again on every archive replay. Each attack below is refused
// to the dead-letter queue with its reason and changes nothing; honest events still merge.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accountsOf } from '../../functions/ingest/admission.ts';
import { ingestBatch } from '../../functions/ingest/ingest.ts';
import type { IngestDeps } from '../../functions/ingest/ingest.ts';
import { indexTopology } from '../../functions/topology.ts';
import { DynamoStateStore } from '../../shared/adapters/dynamodb/state-store.ts';
import { formatHlc, parseHlc } from '../../shared/core/hlc.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS } from '../../shared/core/version-bound.ts';
import { toEnvelope } from '../../shared/schemas/envelope.ts';
import type { GnsEvent } from '../../shared/schemas/events.ts';
import { toBusEntries } from '../../shared/schemas/serialize.ts';
import { FakeClock, FakeDeadLetters, FakeQueue } from '../unit/functions/fakes.ts';
import { hlc, pod, podUpsert, service, serviceUpsert, snapshot, useDynamo } from '../integration/store/helpers.ts';

const dynamo = useDynamo();
const HOME = '111122223333';
const OTHER = '444455556666';
const clusters = [{ name: 'one', network: 'one' }, { name: 'far', network: 'far', awsAccountId: OTHER }];
const topology = indexTopology({
  clusters,
  globalNamespaces: [{ name: 'g', members: [{ cluster: 'one', namespace: 'ns-one' }, { cluster: 'far', namespace: 'ns-one' }] }],
  vipPool: '240.240.0.0/16',
  vipReleaseAfterMs: 3_600_000,
});
const NOW = parseHlc(hlc(0)).ms + 3_600_000;
const ahead = (ms: number, counter = 0) => formatHlc(NOW + ms, counter);

async function world() {
  const tableName = await dynamo.freshTable();
  const store = new DynamoStateStore({ client: dynamo.engine().client, tableName });
  const clock = new FakeClock();
  clock.ms = NOW;
  const dlq = new FakeDeadLetters();
  const deps: IngestDeps = { topology, store, queue: new FakeQueue(), deadLetters: dlq, clock, accountOf: accountsOf(clusters, HOME) };
  // 150 pods and their target, honestly published.
  const pods = Array.from({ length: 150 }, (_, i) => ({ v: hlc(10), record: pod(`kafka-${i}`) }));
  let n = 0;
  const body = (event: GnsEvent, envelope: { account?: string; replayName?: string; source?: string } = {}) => {
    const [entry] = toBusEntries(event);
    const e = toEnvelope({ ...entry!, ...(envelope.source ? { source: envelope.source } : {}) }, { id: `e-${++n}`, account: envelope.account ?? HOME, region: 'eu-west-1', receivedAt: new Date(NOW), ...(envelope.replayName ? { replayName: envelope.replayName } : {}) });
    if (envelope.account === 'none') delete (e as { account?: string }).account;
    return JSON.stringify(e);
  };
  const ingest = (...bodies: string[]) => ingestBatch(deps, bodies.map((b) => ({ messageId: `m-${++n}`, body: b, receiveCount: 1 })));
  const setup = await ingest(body(serviceUpsert(hlc(1), service('kafka-t'))), body(snapshot(hlc(20), pods)));
  expect(setup).toMatchObject({ invalid: 0, failed: 0 });
  const visible = async () => (await store.podsOf('one', 'ns-one')).length;
  expect(await visible()).toBe(150);
  return { store, dlq, body, ingest, visible };
}

// One world for the file (the 150-pod setup is the slow part); refused attacks change nothing.
let w: Awaited<ReturnType<typeof world>>;
beforeAll(async () => { w = await world(); }, 60_000);
beforeEach(() => { w.dlq.letters.length = 0; });

describe('future-stamped events (finding 2)', () => {
  it('the proof of concept: a snapshot listing nothing, stamped a day ahead, is dead-lettered; all 150 pods stay visible', async () => {
    const result = await w.ingest(w.body(snapshot(ahead(86_400_000), [], [], { keys: [] })));
    expect(result).toMatchObject({ invalid: 1, merged: 0 });
    expect(w.dlq.letters[0]?.reason).toMatch(/^detail\.v: version 0+\d+\.000000 is 86400000 ms ahead of the receiver's clock \(.*\); at most 300000 ms of clock skew is accepted/);
    expect(await w.visible()).toBe(150);
  });

  it('the same event replayed from the archive is refused by the same check', async () => {
    await w.ingest(w.body(snapshot(ahead(86_400_000), [], [], { keys: [] }), { replayName: 'restore-1' }));
    expect(w.dlq.letters.map((l) => l.reason)).toEqual([expect.stringMatching(/^detail\.v: .* ahead of the receiver's clock/)]);
    expect(await w.visible()).toBe(150);
  });

  it('the boundary: exactly S ahead is merged, one millisecond more is refused (each event type)', async () => {
    const S = DEFAULT_MAX_CLOCK_SKEW_MS;
    const accepted = await w.ingest(w.body(podUpsert(ahead(S), pod('kafka-0', { ips: ['10.0.0.99'] }))));
    expect(accepted).toMatchObject({ merged: 1, invalid: 0 });
    const refused = await w.ingest(
      w.body(podUpsert(ahead(S + 1), pod('kafka-1', { ips: ['10.0.0.98'] }))),
      w.body(serviceUpsert(ahead(S + 1), service('kafka-t'))),
      w.body(snapshot(ahead(S + 1), [], [], { keys: [] })),
    );
    expect(refused).toMatchObject({ merged: 0, invalid: 3 });
    expect(await w.visible()).toBe(150);
  });

  it('an honest event from the past, replayed, merges as before (nothing refused)', async () => {
    const result = await w.ingest(w.body(podUpsert(hlc(5), pod('kafka-7')), { replayName: 'r' }));
    expect(result).toMatchObject({ invalid: 0, failed: 0 });
  });
});

describe('wrong-account and forged events (finding 3)', () => {
  it.each([
    ['another account', { account: OTHER }, /^account: "444455556666" may not speak for cluster "one", whose events come from account 111122223333/],
    ['no account at all', { account: 'none' }, /^account: none may not speak for cluster "one"/],
    ['a cluster in another account, from the deployment account', { account: HOME, cluster: 'far' }, /^account: "111122223333" may not speak for cluster "far", whose events come from account 444455556666/],
  ])('%s: dead-lettered, nothing merged', async (_what, envelope, reason) => {
    const scope = { cluster: (envelope as { cluster?: string }).cluster ?? 'one', namespace: 'ns-one' };
    const result = await w.ingest(w.body(snapshot(hlc(30), [], [], { keys: [], s: scope }), envelope));
    expect(result).toMatchObject({ invalid: 1, merged: 0 });
    expect(w.dlq.letters[0]?.reason).toMatch(reason);
    expect(await w.visible()).toBe(150);
  });

  it('a cluster in another account publishing from that account is merged', async () => {
    const result = await w.ingest(w.body(podUpsert(hlc(30), pod('kafka-0'), { cluster: 'far', namespace: 'ns-one' }), { account: OTHER }));
    expect(result).toMatchObject({ invalid: 0, merged: 1 });
  });

  it('a source speaking for another cluster is refused (the contract\'s check, before the account)', async () => {
    const result = await w.ingest(w.body(snapshot(hlc(30), [], [], { keys: [] }), { source: 'gns-sync.io/cluster/far' }));
    expect(result).toMatchObject({ invalid: 1 });
    expect(w.dlq.letters[0]?.reason).toMatch(/^source: "gns-sync\.io\/cluster\/far" may not speak for cluster "one"/);
    expect(await w.visible()).toBe(150);
  });
});
