// The stateful stack: what holds data and outlives any code change (docs/architecture.md: infrastructure split by lifecycle) — the event bus
// with its resource policy and the agent roles it names, its archive, the state table, the queues and their dead-letter queues, and one Secrets
// Manager secret per target cluster. Everything here is retained when the stack is deleted.
import { Aws, Duration, RemovalPolicy, Stack, type StackProps, CfnOutput, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secrets from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { ARCHIVE_PATTERN } from '../../shared/rules.ts';
import { Publishers, type PublisherCluster } from '../constructs/publishers.ts';
import { QueueWithDlq } from '../constructs/queue-with-dlq.ts';
import { stateTable } from '../constructs/state-table.ts';
import { toCdkPattern } from '../pattern.ts';
import { clusterSecretName } from '../naming.ts';
import type { CloudSettings } from '../settings.ts';

/** Lambda timeouts the queues' visibility timeouts are sized for (AWS: visibility ≥ 6 × timeout). */
export const FUNCTION_TIMEOUTS = { ingest: Duration.seconds(30), sync: Duration.seconds(60), reconcile: Duration.minutes(5) } as const;
/** Receives before a message is dead-lettered (docs/adr/0005-queues.md). */
export const MAX_RECEIVE_COUNT = 5;
/**
 * Failed syncs come back after 5 s × 2^(n−1), capped at 5 min (functions/sync/retry-backoff.ts):
 * 8 receives give a target cluster about 15 minutes (5+10+20+40+80+160+300+300 s) to come
 * back before its messages reach the sync DLQ and its alarm. The reconcile re-enqueues every target
 * anyway, so the DLQ marks a lasting outage, not a lost change.
 */
export const SYNC_MAX_RECEIVE_COUNT = 8;

export interface StatefulStackProps extends StackProps {
  readonly settings: CloudSettings;
  /** The registered clusters (one credentials secret each). */
  readonly clusters: readonly string[];
  /** Every cluster of the config: who may publish as it (the agent roles and the bus's policy). */
  readonly publishers: readonly PublisherCluster[];
}

export class StatefulStack extends Stack {
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly table: dynamodb.Table;
  readonly ingestQueue: sqs.Queue;
  readonly ingestDlq: sqs.Queue;
  readonly syncQueue: sqs.Queue;
  readonly syncDlq: sqs.Queue;
  readonly clusterSecrets: ReadonlyMap<string, secrets.Secret>;
  readonly publishers: Publishers;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: settings.busName, description: 'gns-sync agent events' });
    this.bus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.archive = this.bus.archive('Archive', {
      description: 'gns-sync agent events, for replays (docs/deploy.md: recovery)',
      eventPattern: toCdkPattern(ARCHIVE_PATTERN),
      retention: Duration.days(settings.archiveRetentionDays),
    });
    this.archive.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // The bus's resource policy names the agent roles (aws:PrincipalArn), so they live here too.
    this.publishers = new Publishers(this, 'Publishers', { bus: this.bus, busName: settings.busName, clusters: props.publishers });

    this.table = stateTable(this, 'State');

    const ingest = new QueueWithDlq(this, 'Ingest', {
      fifo: false,
      visibilityTimeout: Duration.seconds(FUNCTION_TIMEOUTS.ingest.toSeconds() * 6),
      maxReceiveCount: MAX_RECEIVE_COUNT,
    });
    const sync = new QueueWithDlq(this, 'Sync', {
      fifo: true,
      visibilityTimeout: Duration.seconds(FUNCTION_TIMEOUTS.sync.toSeconds() * 6),
      maxReceiveCount: SYNC_MAX_RECEIVE_COUNT,
    });
    this.ingestQueue = ingest.queue;
    this.ingestDlq = ingest.dlq;
    this.syncQueue = sync.queue;
    this.syncDlq = sync.dlq;

    // The rules live in the stateless stack; granting them by ARN here would make the two stacks
    // depend on each other. Instead the queue accepts EventBridge deliveries from rules on *our*
    // bus only. The ingest DLQ also receives events a rule could not deliver (target DLQ).
    const ourRules = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${settings.busName}/*`;
    for (const queue of [this.ingestQueue, this.ingestDlq]) {
      queue.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AgentEventsFromOurBusRules',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
        conditions: { ArnLike: { 'aws:SourceArn': ourRules } },
      }));
    }

    const clusterSecrets = new Map<string, secrets.Secret>();
    for (const cluster of props.clusters) {
      const secret = new secrets.Secret(this, `ClusterCredentials-${cluster}`, {
        secretName: clusterSecretName(cluster),
        description: `Kubeconfig gns-sync uses to write EndpointSlices in cluster ${cluster}; replace the generated placeholder (docs/deploy.md)`,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'The secret holds credentials issued by the target cluster; they are rotated there and written with put-secret-value (docs/deploy.md: rotating credentials). Secrets Manager has nothing to rotate.',
      });
      clusterSecrets.set(cluster, secret);
      new CfnOutput(this, `ClusterSecret-${cluster}`, { value: secret.secretName, description: `Credentials secret of cluster ${cluster}` });
    }
    this.clusterSecrets = clusterSecrets;

    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: this.bus.eventBusArn });
    new CfnOutput(this, 'ArchiveArn', { value: this.archive.archiveArn, description: 'gns-sync replay --archive <this> --from … --to …' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
  }
}
