// The stateless stack: functions with the house defaults, queue event sources, the shared rules,
// the reconcile schedule, alarms and the publishers (bus policy, agent roles) (issue 6).
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCEPTED_DETAIL_TYPES, sourceOf } from '../../shared/schemas/events.ts';
import { LIVE_RULE, REPLAY_RULE } from '../../shared/rules.ts';
import { replayRuleArn } from '../../local/cli/cloud-replay.ts';
import { asArray, busPolicyStatements, exampleCloud, resourcesOf, synth, type Synthesized } from './synth.ts';

const OTHER_ACCOUNT = '210987654321';
const THIRD_ACCOUNT = '123456789012';
let s: Synthesized;
beforeAll(() => {
  s = synth({
    cloud: exampleCloud([
      { name: 'clusterThree', awsAccountId: OTHER_ACCOUNT },
      { name: 'clusterFour', awsAccountId: OTHER_ACCOUNT },
      { name: 'clusterFive', awsAccountId: THIRD_ACCOUNT },
    ]),
    context: { 'gns-sync:reconcileMinutes': '7', 'gns-sync:syncLagSeconds': 120, 'gns-sync:alarmEmail': 'ops@example.com' },
  });
});

const functionsByName = () => {
  const fns = resourcesOf(s.statelessTemplate, 'AWS::Lambda::Function');
  const find = (p: string) => {
    const entry = Object.entries(fns).find(([id]) => id.startsWith(p));
    if (!entry) throw new Error(`no ${p} function`);
    return { id: entry[0], props: entry[1].Properties as Record<string, unknown> };
  };
  return { ingest: find('IngestFunction'), sync: find('SyncFunction'), reconcile: find('ReconcileFunction') };
};
const envOf = (fn: { props: Record<string, unknown> }) => (fn.props.Environment as { Variables: Record<string, unknown> }).Variables;
const importOf = (value: unknown) => JSON.stringify(value);

describe('functions', () => {
  it('has exactly three: Node 24 on ARM64, ESM handler, JSON logs to their own log group', () => {
    s.statelessTemplate.resourceCountIs('AWS::Lambda::Function', 3);
    for (const fn of Object.values(functionsByName())) {
      expect(fn.props).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'], Handler: 'index.handler', LoggingConfig: { LogFormat: 'JSON' } });
      expect(envOf(fn).NODE_OPTIONS).toBe('--enable-source-maps');
    }
    for (const lg of Object.values(resourcesOf(s.statelessTemplate, 'AWS::Logs::LogGroup'))) expect(lg.Properties?.RetentionInDays).toBe(30);
  });

  it('passes the environment each function reads', () => {
    const { ingest, sync, reconcile } = functionsByName();
    const config = JSON.parse(String(envOf(ingest).GNS_SYNC_CONFIG)) as { clusters: { name: string }[] };
    expect(config.clusters.map((c) => c.name)).toEqual(['clusterOne', 'clusterTwo']);
    expect(Object.keys(envOf(ingest)).sort()).toEqual(['GNS_SYNC_ACCOUNT', 'GNS_SYNC_CONFIG', 'INGEST_DLQ_URL', 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'SYNC_QUEUE_URL', 'TABLE_NAME']);
    expect(Object.keys(envOf(sync)).sort()).toEqual(['GNS_SYNC_CONFIG', 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'SYNC_DLQ_URL', 'SYNC_QUEUE_URL', 'TABLE_NAME']);
    expect(importOf(envOf(sync).SYNC_QUEUE_URL)).toMatch(/RefSyncQueue/);
    expect(Object.keys(envOf(reconcile)).sort()).toEqual(['GNS_SYNC_CONFIG', 'NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'SYNC_QUEUE_URL', 'TABLE_NAME']);
    expect(importOf(envOf(ingest).SYNC_QUEUE_URL)).toMatch(/RefSyncQueue/);
    expect(importOf(envOf(ingest).INGEST_DLQ_URL)).toMatch(/RefIngestDlq/);
    expect(importOf(envOf(sync).SYNC_DLQ_URL)).toMatch(/RefSyncDlq/);
    expect(importOf(envOf(sync).TABLE_NAME)).toMatch(/RefState/);
    expect(envOf(sync).POWERTOOLS_SERVICE_NAME).toBe('gns-sync-sync');
  });

  it('does not use AWSLambdaBasicExecutionRole: each role writes only to its own log group', () => {
    for (const role of Object.values(resourcesOf(s.statelessTemplate, 'AWS::IAM::Role'))) {
      expect(role.Properties?.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('queue event sources', () => {
  it('feeds the ingest function in batches of up to 100 within 1 s, reporting item failures', () => {
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionsByName().ingest.id },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('IngestQueue') },
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('feeds the sync function from the FIFO queue in batches of 10, reporting item failures', () => {
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: functionsByName().sync.id },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('SyncQueue') },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    s.statelessTemplate.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
  });
});

describe('rules', () => {
  const rules = () => Object.values(resourcesOf(s.statelessTemplate, 'AWS::Events::Rule')).map((r) => r.Properties as Record<string, unknown>);
  const onBus = () => rules().filter((r) => r.EventBusName !== undefined);

  it('are the shared rule definitions, named as they are, on our bus', () => {
    expect(onBus().map((r) => r.EventPattern)).toEqual([LIVE_RULE.pattern, REPLAY_RULE.pattern]);
    expect(onBus().map((r) => r.Name)).toEqual([LIVE_RULE.name, REPLAY_RULE.name]);
    expect(replayRuleArn('arn:aws:events:eu-west-1:111122223333:event-bus/gns-sync')).toBe(`arn:aws:events:eu-west-1:111122223333:rule/gns-sync/${REPLAY_RULE.name}`);
    for (const r of onBus()) expect(importOf(r.EventBusName)).toMatch(/RefBus/);
  });

  it('live rule ignores replayed events; the replay rule takes only them', () => {
    const [live, replay] = onBus().map((r) => r.EventPattern as Record<string, unknown>);
    expect(live?.['replay-name']).toEqual([{ exists: false }]);
    expect(replay?.['replay-name']).toEqual([{ exists: true }]);
    for (const p of [live, replay]) {
      expect(p?.source).toEqual([{ prefix: 'gns-sync.io/cluster/' }]);
      expect(new Set(p?.['detail-type'] as string[])).toEqual(new Set(ACCEPTED_DETAIL_TYPES));
    }
  });

  it('deliver to the ingest queue, with the ingest DLQ for undeliverable events', () => {
    for (const r of onBus()) {
      const targets = r.Targets as Record<string, unknown>[];
      expect(targets).toHaveLength(1);
      expect(importOf(targets[0]?.Arn)).toMatch(/IngestQueue.*Arn/);
      expect(importOf(targets[0]?.DeadLetterConfig)).toMatch(/IngestDlq.*Arn/);
      expect(targets[0]?.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 });
    }
  });

  it('schedules the reconcile function at the configured rate', () => {
    const schedule = rules().find((r) => r.ScheduleExpression !== undefined);
    expect(schedule?.ScheduleExpression).toBe('rate(7 minutes)');
    expect(importOf(schedule?.Targets)).toContain(functionsByName().reconcile.id);
    s.statelessTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [functionsByName().reconcile.id, 'Arn'] },
    });
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(resourcesOf(s.statelessTemplate, 'AWS::CloudWatch::Alarm')).map((a) => a.Properties as Record<string, unknown>);
  const dims = (a: Record<string, unknown>) => importOf(a.Dimensions);

  it('alarm on the depth of every dead-letter queue', () => {
    for (const dlq of ['IngestDlq', 'SyncDlq']) {
      const a = alarms().find((x) => x.MetricName === 'ApproximateNumberOfMessagesVisible' && dims(x).includes(dlq));
      expect(a, dlq).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Namespace: 'AWS/SQS' });
    }
  });

  it('a dead-letter alarm stays in ALARM while its metric is missing: SQS stops publishing the metrics of a queue inactive for 6 hours, messages or not', () => {
    const dlqAlarms = alarms().filter((x) => x.MetricName === 'ApproximateNumberOfMessagesVisible');
    expect(dlqAlarms).toHaveLength(2);
    for (const a of dlqAlarms) expect(a.TreatMissingData).toBe('ignore');
    // The pool usage alarm too: a gauge once per reconcile, whose missing reading says nothing (test/infra/dashboard.test.ts).
    for (const a of alarms().filter((x) => x.MetricName !== 'ApproximateNumberOfMessagesVisible' && x.MetricName !== 'VipPoolUsage')) expect(a.TreatMissingData).toBe('notBreaching');
  });

  it('alarm on sync lag: the oldest message of every work queue', () => {
    for (const q of ['IngestQueue', 'SyncQueue']) {
      const a = alarms().find((x) => x.MetricName === 'ApproximateAgeOfOldestMessage' && dims(x).includes(q));
      expect(a, q).toMatchObject({ Threshold: 120, EvaluationPeriods: 3 });
    }
  });

  it('alarm on errors of every function', () => {
    for (const fn of Object.values(functionsByName())) {
      const a = alarms().find((x) => x.MetricName === 'Errors' && dims(x).includes(fn.id));
      expect(a, fn.id).toMatchObject({ Namespace: 'AWS/Lambda', Threshold: 1, Statistic: 'Sum' });
    }
  });

  it('every queue, dead-letter or not, has an alarm; every alarm notifies the topic', () => {
    const queueNames = ['IngestQueue', 'IngestDlq', 'SyncQueue', 'SyncDlq'];
    for (const q of queueNames) expect(alarms().some((a) => dims(a).includes(q)), q).toBe(true);
    // 7 on queues and functions, one on the VIP pool's usage, and one propagation alarm per cluster (test/infra/dashboard.test.ts).
    expect(alarms().filter((a) => a.MetricName !== 'PropagationLag')).toHaveLength(8);
    expect(alarms().filter((a) => a.MetricName === 'PropagationLag')).toHaveLength(5);
    for (const a of alarms()) {
      expect(importOf(a.AlarmActions)).toMatch(/AlarmsTopic/);
      expect(importOf(a.OKActions)).toMatch(/AlarmsTopic/);
    }
    s.statelessTemplate.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('publishers', () => {
  // Each entry of a PutEvents call must carry one of the agents' detail types (AWS's documented
  // cross-account example restricts events:detail-type the same way).
  const AGENT_DETAIL_TYPES = [...ACCEPTED_DETAIL_TYPES].sort();
  // The Allow statements for other accounts (the Deny of each cluster: test/security/bus-policy.test.ts).
  const busPolicies = () => busPolicyStatements(s.statefulTemplate).map((st) => ({ Statement: st }))
    .filter((p) => (p.Statement as { Effect: string }).Effect === 'Allow');

  it("one Allow for the other accounts with their clusters' sources, and a Deny per account keeping each to its own", () => {
    const policies = busPolicies();
    expect(policies).toHaveLength(1);
    const allow = policies[0]!.Statement as Record<string, unknown>;
    expect(importOf((allow.Principal as { AWS: unknown }).AWS).match(/iam::\d{12}:root/g)).toEqual([`iam::${THIRD_ACCOUNT}:root`, `iam::${OTHER_ACCOUNT}:root`]);
    expect(allow.Condition).toEqual({
      'ForAllValues:StringEquals': { 'events:source': [sourceOf('clusterFive'), sourceOf('clusterFour'), sourceOf('clusterThree')], 'events:detail-type': AGENT_DETAIL_TYPES },
    });
    expect(allow).toMatchObject({ Effect: 'Allow', Action: 'events:PutEvents' });
    const denies = busPolicyStatements(s.statefulTemplate).filter((st) => st.Effect === 'Deny' && JSON.stringify(st.Condition).includes('aws:PrincipalAccount'));
    // Accounts in order: THIRD_ACCOUNT (1…) before OTHER_ACCOUNT (2…).
    expect(denies.map((st) => st.Condition)).toEqual([
      { 'ForAnyValue:StringEquals': { 'events:source': sourceOf('clusterFive') }, StringNotEquals: { 'aws:PrincipalAccount': THIRD_ACCOUNT }, Null: { 'aws:PrincipalArn': 'false' } },
      { 'ForAnyValue:StringEquals': { 'events:source': [sourceOf('clusterFour'), sourceOf('clusterThree')] }, StringNotEquals: { 'aws:PrincipalAccount': OTHER_ACCOUNT }, Null: { 'aws:PrincipalArn': 'false' } },
    ]);
  });

  it('gives each same-account cluster an agent role (EKS Pod Identity) that may put only its own source', () => {
    const roles = resourcesOf(s.statefulTemplate, 'AWS::IAM::Role');
    const agentRoles = Object.entries(roles).filter(([id]) => id.startsWith('PublishersAgent'));
    expect(agentRoles.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['PublishersAgentclusterOne', 'PublishersAgentclusterTwo']);
    for (const [, role] of agentRoles) {
      const trust = role.Properties?.AssumeRolePolicyDocument as { Statement: Record<string, unknown>[] };
      expect(trust.Statement[0]).toMatchObject({ Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] });
    }
    for (const cluster of ['clusterOne', 'clusterTwo']) {
      s.statefulTemplate.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp(`^PublishersAgent${cluster}`) }],
        PolicyDocument: {
          Statement: [{ Action: 'events:PutEvents', Effect: 'Allow', Condition: { 'ForAllValues:StringEquals': { 'events:source': sourceOf(cluster), 'events:detail-type': AGENT_DETAIL_TYPES } }, Resource: Match.anyValue() }],
        },
      });
    }
  });

  it('grants cross-account clusters nothing but the bus policy (no role)', () => {
    const roles = Object.keys(resourcesOf(s.statefulTemplate, 'AWS::IAM::Role'));
    for (const c of ['clusterThree', 'clusterFour', 'clusterFive']) expect(roles.some((id) => id.includes(c))).toBe(false);
  });

  it('without cross-account clusters, the bus policy allows nothing: it only denies each cluster\'s source to all but its agent', () => {
    const plain = synth();
    expect(busPolicyStatements(plain.statefulTemplate).map((st) => st.Effect)).toEqual(['Deny', 'Deny']);
    // One policy on the bus itself: no AWS::Events::EventBusPolicy resource (its deprecated `principal` warned at synth).
    for (const t of [plain.statefulTemplate, plain.statelessTemplate, s.statefulTemplate, s.statelessTemplate]) expect(resourcesOf(t, 'AWS::Events::EventBusPolicy')).toEqual({});
  });
});

describe('outputs', () => {
  it('names the roles of the functions that reach clusters (EKS access entries) and of the agents', () => {
    const outputs = s.statelessTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.SyncRoleArn?.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SyncRole/), 'Arn'] });
    expect(outputs.ReconcileRoleArn?.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ReconcileRole/), 'Arn'] });
    const statefulOutputs = s.statefulTemplate.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(statefulOutputs).filter((k) => k.startsWith('PublishersAgentRoleArn')).map((k) => k.replace(/[0-9A-F]{8}$/, '')).sort())
      .toEqual(['PublishersAgentRoleArnclusterOne', 'PublishersAgentRoleArnclusterTwo']);
  });
});

describe('stack order', () => {
  it('deploys the stateless stack after the stateful one', () => {
    expect(s.stateless.dependencies.map((d) => d.stackName)).toContain(s.stateful.stackName);
    expect(asArray(s.stateful.dependencies)).toHaveLength(0);
  });
});
