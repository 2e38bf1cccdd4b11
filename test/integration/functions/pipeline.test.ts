// The three handlers end to end at the function level, built with createHandler over the
// real adapters: DynamoDB (dynalite in memory) for state, VIPs and statuses, the Kubernetes
// adapter against the simulated clusters; only the SQS queues are replaced by arrays of
// AWS-shaped records. Agent events are delivered duplicated and shuffled.
import { createHash } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimClusters } from '../../../local/sim/index.ts';
import type { SimFleet } from '../../../local/sim/index.ts';
import { startLocalDynamo } from '../../../local/dynamo/start.ts';
import type { LocalDynamo } from '../../../local/dynamo/start.ts';
import { DynamoStateStore, DynamoTargetStatusStore, DynamoVipAllocator } from '../../../shared/adapters/dynamodb/index.ts';
import { kubeConfigClusterApis } from '../../../shared/adapters/kubernetes/cluster-apis.ts';
import { createHandler as createIngest } from '../../../functions/ingest/handler.ts';
import { createHandler as createSync } from '../../../functions/sync/handler.ts';
import { createHandler as createReconcile } from '../../../functions/reconcile/handler.ts';
import { encodeSyncMessage, syncMessageGroupId } from '../../../functions/sync/message.ts';
import type { TargetRef } from '../../../shared/core/types.ts';
import type { GnsEvent } from '../../../shared/schemas/events.ts';
import type { SyncQueue } from '../../../shared/ports.ts';
import {
  FakeClock, FakeDeadLetters, KAFKA_LABELS, busBody, kafkaPod, podDelete, podUpsert, serviceUpsert, targetService, topology, TOPOLOGY,
} from '../../unit/functions/fakes.ts';
import { readFileSync } from 'node:fs';

const context = JSON.parse(readFileSync(new URL('../../fixtures/aws/lambda-context.json', import.meta.url), 'utf8')) as Context;
const logger = () => new Logger({ serviceName: 'test', logLevel: 'SILENT' });

let fleet: SimFleet;
let dynamo: LocalDynamo;
const uids = new Map<string, string>();

function sqsRecord(body: string, id: string, group?: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1', SentTimestamp: '1764363600512', SenderId: 'AIDAIT2UOQQY3AUEKVGXU', ApproximateFirstReceiveTimestamp: '1764363600520',
      ...(group ? { MessageGroupId: group, SequenceNumber: '1', MessageDeduplicationId: id } : {}),
    },
    messageAttributes: {},
    md5OfBody: createHash('md5').update(body).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:q',
    awsRegion: 'eu-west-1',
  };
}

beforeAll(async () => {
  [fleet, dynamo] = await Promise.all([startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], events: false }), startLocalDynamo()]);
  // gns-sync: its own namespace as deploy/base leaves it (the writer's inventory lives there).
  for (const [cluster, namespace] of [['clusterOne', 'ns-one'], ['clusterOne', 'ns-two'], ['clusterTwo', 'ns-one'], ['clusterOne', 'gns-sync'], ['clusterTwo', 'gns-sync']] as const) {
    const sim = fleet.cluster(cluster);
    if (!sim.list('namespaces').some((n) => n.metadata.name === namespace)) sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  }
  for (const [cluster, namespace] of [['clusterOne', 'ns-two'], ['clusterTwo', 'ns-one']] as const) {
    const svc = fleet.cluster(cluster).apply({
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kafka-headless', namespace, annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': JSON.stringify(KAFKA_LABELS) } },
      spec: { clusterIP: 'None', ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'tcp-client' }] },
    });
    uids.set(`${cluster}/${namespace}`, svc.metadata.uid ?? '');
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([fleet?.stop(), dynamo?.stop()]);
});

describe('ingest → sync → reconcile over DynamoDB and the simulated clusters', () => {
  it('converges to the seed scenario from duplicated, shuffled events; a replay writes nothing', async () => {
    const { client, tableName } = dynamo;
    const clock = new FakeClock();
    const store = new DynamoStateStore({ client, tableName });
    const vips = new DynamoVipAllocator({ client, tableName, pool: TOPOLOGY.vipPool, releaseAfterMs: TOPOLOGY.vipReleaseAfterMs });
    const statuses = new DynamoTargetStatusStore({ client, tableName });
    const kc = new KubeConfig();
    kc.loadFromString(fleet.kubeconfigYaml());
    const clusters = kubeConfigClusterApis(kc, new Map());
    const pending: { target: TargetRef; cause: string }[] = [];
    const queue: SyncQueue = { enqueue: async (targets, cause) => void pending.push(...targets.map((target) => ({ target, cause }))) };
    const dlq = new FakeDeadLetters();

    const ingest = createIngest({ topology: topology(), store, queue, deadLetters: dlq, clock }, { logger: logger() });
    const sync = createSync({ topology: topology(), store, vips, statuses, clusters, clock }, { logger: logger() });
    const reconcile = createReconcile({ topology: topology(), store, queue, vips, clusters, clock }, { logger: logger() });

    let n = 0;
    const deliver = async (events: readonly GnsEvent[], times = 1) => {
      const bodies = events.map((e) => busBody(e));
      const all = bodies.flatMap((b) => Array.from({ length: times }, () => b));
      // A deterministic shuffle.
      all.sort((a, b) => createHash('md5').update(a + times).digest('hex').localeCompare(createHash('md5').update(b + times).digest('hex')));
      for (let i = 0; i < all.length; i += 10) {
        const response = await ingest({ Records: all.slice(i, i + 10).map((b) => sqsRecord(b, `m-${++n}`)) } as never, context);
        expect(response.batchItemFailures).toEqual([]);
      }
    };
    const drain = async () => {
      const batch = pending.splice(0);
      if (batch.length === 0) return;
      const records = batch.map((p) => sqsRecord(encodeSyncMessage(p.target, p.cause), `s-${++n}`, syncMessageGroupId(p.target)));
      const response = await sync({ Records: records } as never, context);
      expect(response.batchItemFailures).toEqual([]);
    };
    const one = fleet.cluster('clusterOne');
    const two = fleet.cluster('clusterTwo');
    const dns = () => [
      ...[0, 1, 2].map((i) => one.resolve(`kafka-${i}.kafka-headless.ns-two.svc.cluster.local`).join(',')),
      ...[0, 1, 2].map((i) => two.resolve(`kafka-${i}.kafka-headless.ns-one.svc.cluster.local`).join(',')),
    ];

    const history: GnsEvent[] = [
      serviceUpsert('clusterOne', 'ns-two', targetService('kafka-headless', { uid: uids.get('clusterOne/ns-two') ?? '' })),
      serviceUpsert('clusterTwo', 'ns-one', targetService('kafka-headless', { uid: uids.get('clusterTwo/ns-one') ?? '' })),
      ...[0, 1, 2].map((i) => podUpsert('clusterOne', 'ns-one', kafkaPod(i))),
    ];
    await deliver(history, 3);
    await drain();
    const first = dns();
    expect(first.slice(0, 3)).toEqual(['10.1.0.10', '10.1.0.11', '10.1.0.12']);
    expect(new Set(first.slice(3)).size).toBe(3);
    for (const vip of first.slice(3)) expect(vip).toMatch(/^240\.240\./);

    // kafka-1 restarts: new uid and IP. The pod IP follows; its VIP stays.
    await deliver([podDelete('clusterOne', 'ns-one', 'kafka-1', 'uid-kafka-1'), podUpsert('clusterOne', 'ns-one', kafkaPod(1, { uid: 'uid-kafka-1b', ips: ['10.1.0.77'] }))], 2);
    await drain();
    const second = dns();
    expect(second[1]).toBe('10.1.0.77');
    expect(second.slice(3)).toEqual(first.slice(3));

    // The whole history again (a replay), and a reconcile: the same slices, zero writes.
    const writes = one.counters.writes + two.counters.writes;
    await deliver(history, 2);
    await drain();
    const result = await reconcile(JSON.parse(readFileSync(new URL('../../fixtures/aws/eventbridge-scheduled-event.json', import.meta.url), 'utf8')) as never, context);
    expect(result).toMatchObject({ enqueued: 2, errors: [] });
    await drain();
    expect(dns()).toEqual(second);
    expect(one.counters.writes + two.counters.writes).toBe(writes);
    expect(dlq.letters).toEqual([]);
    expect((await statuses.list()).map((s) => [s.target.cluster, s.endpoints, s.vips]).sort()).toEqual([['clusterOne', 3, 0], ['clusterTwo', 3, 3]]);
  });
});
