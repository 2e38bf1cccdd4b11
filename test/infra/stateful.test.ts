// The stateful stack: bus + archive, the table from the shared definition, queues with their
// dead-letter queues, and the credentials secrets (issue 6).
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { clusterSecretName as adapterSecretName } from '../../shared/adapters/kubernetes/cluster-apis.ts';
import { TABLE } from '../../shared/adapters/dynamodb/table.ts';
import { ARCHIVE_PATTERN } from '../../shared/rules.ts';
import { clusterSecretName } from '../../infra/naming.ts';
import { MAX_RECEIVE_COUNT, SYNC_MAX_RECEIVE_COUNT } from '../../infra/stacks/stateful-stack.ts';
import { resourcesOf, synth, type Synthesized } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synth({ context: { 'gns-sync:archiveRetentionDays': '90' } });
});

describe('event bus and archive', () => {
  it('creates the named bus, retained', () => {
    s.statefulTemplate.hasResource('AWS::Events::EventBus', { Properties: { Name: 'gns-sync' }, DeletionPolicy: 'Retain' });
  });

  it('archives agent events with the shared pattern and the configured retention', () => {
    s.statefulTemplate.resourceCountIs('AWS::Events::Archive', 1);
    s.statefulTemplate.hasResource('AWS::Events::Archive', {
      Properties: {
        EventPattern: ARCHIVE_PATTERN,
        RetentionDays: 90,
        SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] },
      },
      DeletionPolicy: 'Retain',
    });
  });

  it('keeps archived events forever with retention 0, and defaults to 30 days', () => {
    const forever = synth({ context: { 'gns-sync:archiveRetentionDays': 0 } });
    forever.statefulTemplate.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 0 });
    const byDefault = synth();
    byDefault.statefulTemplate.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 30 });
  });
});

describe('state table', () => {
  it('is the shared definition: keys, index, TTL', () => {
    s.statefulTemplate.resourceCountIs('AWS::DynamoDB::Table', 1);
    s.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey.name, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
      GlobalSecondaryIndexes: TABLE.globalSecondaryIndexes.map((i) => Match.objectLike({
        IndexName: i.indexName,
        KeySchema: [{ AttributeName: i.partitionKey.name, KeyType: 'HASH' }, { AttributeName: i.sortKey.name, KeyType: 'RANGE' }],
        Projection: i.nonKeyAttributes ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...i.nonKeyAttributes] } : { ProjectionType: 'ALL' },
      })),
    });
  });

  it('has point-in-time recovery, deletion protection, encryption, and is retained', () => {
    s.statefulTemplate.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        SSESpecification: { SSEEnabled: true },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('declares exactly the key attributes of the table and its indexes', () => {
    const [table] = Object.values(resourcesOf(s.statefulTemplate, 'AWS::DynamoDB::Table'));
    const defs = (table?.Properties?.AttributeDefinitions ?? []) as { AttributeName: string }[];
    const expected = new Set([TABLE.partitionKey, TABLE.sortKey, ...TABLE.globalSecondaryIndexes.flatMap((i) => [i.partitionKey, i.sortKey])].map((a) => a.name));
    expect(new Set(defs.map((d) => d.AttributeName))).toEqual(expected);
  });
});

describe('queues', () => {
  const queues = () => resourcesOf(s.statefulTemplate, 'AWS::SQS::Queue');
  const dlqIds = () => new Set(Object.values(queues()).flatMap((q) => {
    const arn = (q.Properties?.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': [string, string] } } | undefined)?.deadLetterTargetArn;
    return arn ? [arn['Fn::GetAtt'][0]] : [];
  }));

  it('has an ingest queue (standard, DLQ after 5 receives) and a sync queue (FIFO, no content dedup, DLQ after 8 receives: ~10 min of backed-off retries)', () => {
    const ingest = Object.entries(queues()).find(([id]) => id.startsWith('IngestQueue'));
    const sync = Object.entries(queues()).find(([id]) => id.startsWith('SyncQueue'));
    expect([MAX_RECEIVE_COUNT, SYNC_MAX_RECEIVE_COUNT]).toEqual([5, 8]);
    expect(ingest?.[1].Properties).toMatchObject({ RedrivePolicy: { maxReceiveCount: MAX_RECEIVE_COUNT, deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^IngestDlq/), 'Arn'] } } });
    expect(ingest?.[1].Properties?.FifoQueue).toBeUndefined();
    expect(sync?.[1].Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: false, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId', RedrivePolicy: { maxReceiveCount: SYNC_MAX_RECEIVE_COUNT, deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^SyncDlq/), 'Arn'] } } });
  });

  it('gives every queue that is not itself a dead-letter queue a dead-letter queue', () => {
    const dlqs = dlqIds();
    expect(dlqs.size).toBe(2);
    for (const [id, q] of Object.entries(queues())) {
      if (!dlqs.has(id)) expect(q.Properties?.RedrivePolicy, id).toBeDefined();
    }
  });

  it('retains every queue with the stack (the dead-letter queues hold what failed, with the reason)', () => {
    const all = Object.entries(queues());
    expect(all).toHaveLength(4);
    for (const [id, q] of all) expect({ id, deletion: q.DeletionPolicy, replace: q.UpdateReplacePolicy }).toEqual({ id, deletion: 'Retain', replace: 'Retain' });
  });

  it('makes the FIFO queue\'s DLQ FIFO too, and keeps dead letters 14 days', () => {
    const syncDlq = Object.entries(queues()).find(([id]) => id.startsWith('SyncDlq'))?.[1];
    expect(syncDlq?.Properties).toMatchObject({ FifoQueue: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  it('sizes visibility timeouts at six times the consumer timeout', () => {
    const byPrefix = (p: string) => Object.entries(queues()).find(([id]) => id.startsWith(p))?.[1].Properties?.VisibilityTimeout;
    expect(byPrefix('IngestQueue')).toBe(180);
    expect(byPrefix('SyncQueue')).toBe(360);
  });

  it('encrypts every queue with SSE-SQS and denies non-TLS access', () => {
    for (const q of Object.values(queues())) expect(q.Properties?.SqsManagedSseEnabled).toBe(true);
    const policies = resourcesOf(s.statefulTemplate, 'AWS::SQS::QueuePolicy');
    const denied = Object.values(policies).flatMap((p) => {
      const doc = p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] };
      const tls = doc.Statement.find((st) => st.Effect === 'Deny' && JSON.stringify(st.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }));
      return tls ? (p.Properties?.Queues as unknown[]) : [];
    });
    expect(denied).toHaveLength(Object.keys(queues()).length);
  });

  it('lets EventBridge send to the ingest queue and its DLQ only from rules on our bus', () => {
    const policies = Object.values(resourcesOf(s.statefulTemplate, 'AWS::SQS::QueuePolicy'));
    const allows = policies.flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement
      .filter((st) => st.Effect === 'Allow')
      .map((st) => ({ st, queues: JSON.stringify(p.Properties?.Queues) })));
    expect(allows).toHaveLength(2);
    for (const { st, queues: q } of allows) {
      expect(q).toMatch(/Ingest(Queue|Dlq)/);
      expect(st.Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(st.Action).toBe('sqs:SendMessage');
      expect(JSON.stringify(st.Condition)).toContain(':rule/gns-sync/*');
      expect(Object.keys(st.Condition as object)).toEqual(['ArnLike']);
    }
  });
});

describe('cluster credentials', () => {
  it('creates one retained secret per cluster, named gns-sync/clusters/<cluster>', () => {
    s.statefulTemplate.resourceCountIs('AWS::SecretsManager::Secret', 2);
    for (const cluster of ['clusterOne', 'clusterTwo']) {
      s.statefulTemplate.hasResource('AWS::SecretsManager::Secret', { Properties: Match.objectLike({ Name: `gns-sync/clusters/${cluster}` }), DeletionPolicy: 'Retain' });
    }
  });

  it('uses the same naming as the Kubernetes adapter that reads them', () => {
    for (const c of ['clusterOne', 'a.b_c-1']) expect(clusterSecretName(c)).toBe(adapterSecretName(c));
  });
});

describe('outputs', () => {
  it('exports what operators need: bus, archive, table, secrets', () => {
    const outputs = Object.keys(s.statefulTemplate.toJSON().Outputs as object);
    for (const o of ['EventBusName', 'EventBusArn', 'ArchiveArn', 'TableName']) expect(outputs).toContain(o);
  });

  it('protects the stateful stack from deletion', () => {
    expect(s.stateful.terminationProtection).toBe(true);
  });
});
