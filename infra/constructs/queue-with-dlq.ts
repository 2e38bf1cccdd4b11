// An SQS queue and its dead-letter queue, with the house defaults: SSE-SQS encryption (EventBridge
// can deliver to it, unlike the AWS-managed KMS key), TLS enforced, a DLQ after `maxReceiveCount`
// receives kept 14 days (docs/adr/0005-queues.md). Both are retained when the stack is deleted,
// like everything of the stateful stack: a DLQ holds what failed, with the reason.
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueWithDlqProps {
  readonly fifo: boolean;
  readonly visibilityTimeout: Duration;
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
}

export class QueueWithDlq extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const fifo = props.fifo ? { fifo: true, contentBasedDeduplication: false } : {};
    // FIFO high-throughput mode: deduplication and throughput per message group (= per target,
    // ADR 5). The deduplication id already includes the target key, so nothing is lost.
    const highThroughput = props.fifo
      ? { deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP, fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID }
      : {};
    this.dlq = new sqs.Queue(this, 'Dlq', {
      ...fifo,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...fifo,
      ...highThroughput,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.dlq, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
