// A rule target that sends matching events to an SQS queue *without* editing the queue's policy.
// aws-events-targets' SqsQueue adds a statement naming the rule to the queue policy; with the
// queue in the stateful stack and the rule in the stateless one, that makes the stacks depend on
// each other. The stateful stack grants our bus's rules instead (stacks/stateful-stack.ts).
import { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

export class QueueRuleTarget implements events.IRuleTarget {
  private readonly queue: sqs.IQueue;
  private readonly deadLetterQueue: sqs.IQueue;

  /** `deadLetterQueue` receives events EventBridge could not deliver, with the error as attributes. */
  constructor(queue: sqs.IQueue, deadLetterQueue: sqs.IQueue) {
    this.queue = queue;
    this.deadLetterQueue = deadLetterQueue;
  }

  bind(): events.RuleTargetConfig {
    return {
      arn: this.queue.queueArn,
      deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      retryPolicy: { maximumEventAgeInSeconds: Duration.hours(24).toSeconds(), maximumRetryAttempts: 185 },
      targetResource: this.queue,
    };
  }
}
