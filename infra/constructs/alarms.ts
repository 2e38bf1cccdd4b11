// Alarms of the control plane, all to one SNS topic: every dead-letter queue that holds a message,
// every function that errors, and sync lag (the oldest message waiting in a work queue).
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface AlarmsProps {
  readonly workQueues: Readonly<Record<string, sqs.IQueue>>;
  readonly deadLetterQueues: Readonly<Record<string, sqs.IQueue>>;
  readonly functions: Readonly<Record<string, lambda.IFunction>>;
  readonly syncLagSeconds: number;
  readonly email?: string;
}

export class Alarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Topic', { displayName: 'gns-sync alarms', enforceSSL: true });
    if (props.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));

    const alarms: cloudwatch.Alarm[] = [];
    const add = (alarmId: string, metric: cloudwatch.IMetric, threshold: number, description: string, periods = 1, missing = cloudwatch.TreatMissingData.NOT_BREACHING) => {
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: periods,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: missing,
        alarmDescription: description,
      });
      alarm.addAlarmAction(new actions.SnsAction(this.topic));
      alarm.addOkAction(new actions.SnsAction(this.topic));
      alarms.push(alarm);
    };
    const minute = Duration.minutes(1);
    // A dead-letter queue nobody touches goes quiet: SQS publishes a queue's metrics only while it
    // is active (a message sent, received or deleted within 6 hours), messages in it or not. With
    // missing data as "not breaching" the alarm would return to OK while the letters still wait;
    // "ignore" keeps it in ALARM until a datapoint shows the queue empty.
    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      add(`${name}DeadLetters`, dlq.metricApproximateNumberOfMessagesVisible({ period: minute, statistic: 'Maximum' }), 1,
        `gns-sync ${name} dead-letter queue holds messages: inspect their reason attribute, fix, then redrive (docs/deploy.md).`,
        1, cloudwatch.TreatMissingData.IGNORE);
    }
    for (const [name, queue] of Object.entries(props.workQueues)) {
      add(`${name}Lag`, queue.metricApproximateAgeOfOldestMessage({ period: minute, statistic: 'Maximum' }), props.syncLagSeconds,
        `gns-sync ${name} queue: the oldest message waited ≥ ${props.syncLagSeconds} s for 3 minutes (sync lag).`, 3);
    }
    for (const [name, fn] of Object.entries(props.functions)) {
      add(`${name}Errors`, fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }), 1,
        `gns-sync ${name} function errors: see its log group.`);
    }
    this.alarms = alarms;
  }
}
