// The stateless stack: code and wiring that can be replaced at any time (docs/architecture.md: infrastructure split by lifecycle) — the three
// functions, the rules from shared/rules.ts, the queue event sources, the reconcile schedule and
// the alarms. It holds no data. (Who may publish to the bus is the bus's own policy: stateful.)
import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { RULES } from '../../shared/rules.ts';
import { Alarms } from '../constructs/alarms.ts';
import { GnsDashboard } from '../constructs/dashboard.ts';
import { GnsFunction } from '../constructs/gns-function.ts';
import type { PublisherCluster } from '../constructs/publishers.ts';
import { QueueRuleTarget } from '../constructs/queue-rule-target.ts';
import { grantTable } from '../constructs/state-table.ts';
import { toCdkPattern } from '../pattern.ts';
import { ENV } from '../naming.ts';
import type { CloudSettings } from '../settings.ts';
import { FUNCTION_TIMEOUTS, type StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly settings: CloudSettings;
  readonly state: StatefulStack;
  readonly clusters: readonly PublisherCluster[];
  /** The gns-sync config as JSON (the functions parse it with the shared schema). */
  readonly configJson: string;
  /** The config's vipPool: the dimension of the VIP pool metrics (dashboard, pool alarm). */
  readonly vipPool: string;
  /** Repository root (entry points and lock file). */
  readonly projectRoot: string;
}

export class StatelessStack extends Stack {
  readonly ingest: GnsFunction;
  readonly sync: GnsFunction;
  readonly reconcile: GnsFunction;
  readonly rules: readonly events.Rule[];
  readonly reconcileSchedule: events.Rule;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { state, settings } = props;
    const configEnv = { [ENV.config]: props.configJson };
    const tableEnv = { [ENV.tableName]: state.table.tableName };

    this.ingest = new GnsFunction(this, 'Ingest', {
      name: 'ingest',
      projectRoot: props.projectRoot,
      description: 'gns-sync: validate agent events, merge them into the state table, enqueue affected targets',
      timeout: FUNCTION_TIMEOUTS.ingest,
      // The deployment's account: the events of a cluster without awsAccountId must come from it.
      environment: { ...tableEnv, ...configEnv, [ENV.syncQueueUrl]: state.syncQueue.queueUrl, [ENV.ingestDlqUrl]: state.ingestDlq.queueUrl, [ENV.account]: Aws.ACCOUNT_ID },
    });
    this.sync = new GnsFunction(this, 'Sync', {
      name: 'sync',
      projectRoot: props.projectRoot,
      description: 'gns-sync: sync one target: allocate VIPs, compute and write its EndpointSlices',
      timeout: FUNCTION_TIMEOUTS.sync,
      memorySize: 1024,
      // The sync DLQ (FIFO) takes malformed sync messages (the adapter sends a group and deduplication id).
      // The sync queue's URL: failed messages get a short backoff with ChangeMessageVisibility (ADR 5),
      // which the event source's consume grant already allows on that queue (and only there).
      environment: { ...tableEnv, ...configEnv, [ENV.syncDlqUrl]: state.syncDlq.queueUrl, [ENV.syncQueueUrl]: state.syncQueue.queueUrl },
    });
    this.reconcile = new GnsFunction(this, 'Reconcile', {
      name: 'reconcile',
      projectRoot: props.projectRoot,
      description: 'gns-sync: scheduled drift repair: enqueue every target, release expired VIPs',
      timeout: FUNCTION_TIMEOUTS.reconcile,
      environment: { ...tableEnv, ...configEnv, [ENV.syncQueueUrl]: state.syncQueue.queueUrl },
    });

    // Least privilege: named actions on named resources (no wildcard actions anywhere).
    for (const f of [this.ingest, this.sync, this.reconcile]) grantTable(state.table, f.role);
    sendOnly(this.ingest.role, 'SendToSyncQueue', state.syncQueue.queueArn);
    sendOnly(this.ingest.role, 'SendToIngestDlq', state.ingestDlq.queueArn);
    sendOnly(this.reconcile.role, 'SendToSyncQueue', state.syncQueue.queueArn);
    sendOnly(this.sync.role, 'SendToSyncDlq', state.syncDlq.queueArn);
    // routing: istio (ADR 13): the syncs enqueue the gateway-entry writers on the sync queue.
    if ((JSON.parse(props.configJson) as { routing?: string }).routing === 'istio') sendOnly(this.sync.role, 'SendRoutingWriters', state.syncQueue.queueArn);
    // Cluster credentials: each secret by its full ARN (no wildcard suffix), and DescribeCluster
    // on exactly the EKS clusters of the config, for the two functions that write to clusters.
    const secretArns = [...state.clusterSecrets.values()].map((s) => s.secretArn);
    const eksArns = props.clusters.flatMap((c) => (c.eks ? [`arn:${Aws.PARTITION}:eks:${c.eks.region}:${Aws.ACCOUNT_ID}:cluster/${c.eks.name}`] : []));
    for (const f of [this.sync, this.reconcile]) {
      if (secretArns.length > 0) f.role.addToPolicy(new iam.PolicyStatement({ sid: 'ReadClusterCredentials', actions: ['secretsmanager:GetSecretValue'], resources: secretArns }));
      if (eksArns.length > 0) f.role.addToPolicy(new iam.PolicyStatement({ sid: 'DescribeEksClusters', actions: ['eks:DescribeCluster'], resources: eksArns }));
    }

    // Queues → functions, reporting per-record failures (docs/adr/0005-queues.md).
    this.ingest.fn.addEventSource(new SqsEventSource(state.ingestQueue, {
      batchSize: 100,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
    }));
    // Batches of up to 10 messages mix targets (FIFO groups); a target synced while others of its
    // batch still run has its messages deleted by the function after 100 ms (DeleteMessageBatch,
    // SYNC_QUEUE_URL; sqs:DeleteMessage comes with this consume grant), so its group is not held
    // until the batch returns (ADR 5, "A group freed as its sync ends").
    this.sync.fn.addEventSource(new SqsEventSource(state.syncQueue, {
      batchSize: 10,
      reportBatchItemFailures: true,
    }));

    // The bus rules, exactly as shared/rules.ts defines them: live events and replays both go to
    // the ingest queue; the live rule excludes replays.
    // Named as in shared/rules.ts, so `gns-sync replay --archive` can name the replay rule's ARN.
    this.rules = RULES.map((rule) => new events.Rule(this, `Rule-${rule.name}`, {
      ruleName: rule.name,
      eventBus: state.bus,
      description: rule.description,
      eventPattern: toCdkPattern(rule.pattern),
      targets: [new QueueRuleTarget(state.ingestQueue, state.ingestDlq)],
    }));

    this.reconcileSchedule = new events.Rule(this, 'ReconcileSchedule', {
      description: 'gns-sync: reconcile every target (drift repair) and release expired VIPs',
      schedule: events.Schedule.rate(Duration.minutes(settings.reconcileMinutes)),
      targets: [new eventsTargets.LambdaFunction(this.reconcile.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(settings.reconcileMinutes) })],
    });

    // For EKS IAM authentication (a secret {"eks": {...}}): the roles to give EKS access entries.
    for (const [name, f] of [['Sync', this.sync], ['Reconcile', this.reconcile]] as const) {
      new CfnOutput(this, `${name}RoleArn`, { value: f.role.roleArn, description: `IAM role of the ${name.toLowerCase()} function (EKS access entry, docs/deploy.md)` });
    }

    const alarms = new Alarms(this, 'Alarms', {
      workQueues: { Ingest: state.ingestQueue, Sync: state.syncQueue },
      deadLetterQueues: { Ingest: state.ingestDlq, Sync: state.syncDlq },
      functions: { Ingest: this.ingest.fn, Sync: this.sync.fn, Reconcile: this.reconcile.fn },
      syncLagSeconds: settings.syncLagSeconds,
      ...(settings.alarmEmail ? { email: settings.alarmEmail } : {}),
    });

    new GnsDashboard(this, 'Metrics', {
      dashboardName: `${settings.busName.replace(/\./g, '-')}-metrics`,
      clusters: props.clusters.map((c) => c.name),
      propagationP99Ms: settings.propagationP99Ms,
      vipPool: props.vipPool,
      reconcileMinutes: settings.reconcileMinutes,
      alarmTopic: alarms.topic,
    });

  }
}

function sendOnly(role: iam.IRole, sid: string, queueArn: string): void {
  role.addToPrincipalPolicy(new iam.PolicyStatement({ sid, actions: ['sqs:SendMessage'], resources: [queueArn] }));
}
