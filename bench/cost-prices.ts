// Public on-demand prices of one region, US East (N. Virginia), as the AWS pricing pages list
// them on the date below; free tiers left out (a fleet this size uses them up elsewhere).
// README "What it costs" repeats this table: change both together.
export const PRICES_DATE = '2026-12-06';
export const PRICES_REGION = 'us-east-1';

export const PRICES = {
  /** DynamoDB on-demand (https://aws.amazon.com/dynamodb/pricing/on-demand/). */
  dynamodbWritePerMillionUnits: 0.625,
  dynamodbReadPerMillionUnits: 0.125,
  dynamodbStoragePerGbMonth: 0.25,
  /** Point-in-time recovery (continuous backups), per GB-month of table size. */
  dynamodbPitrPerGbMonth: 0.2,
  /** Lambda on Arm (https://aws.amazon.com/lambda/pricing/). */
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerMillionRequests: 0.2,
  /** SQS, per million requests of ≤ 64 KB (https://aws.amazon.com/sqs/pricing/). */
  sqsStandardPerMillionRequests: 0.4,
  sqsFifoPerMillionRequests: 0.5,
  /** EventBridge custom events, per million 64 KB chunks put (https://aws.amazon.com/eventbridge/pricing/). */
  eventBridgePerMillionEvents: 1.0,
  /** CloudWatch (https://aws.amazon.com/cloudwatch/pricing/): Logs ingestion (standard class), custom metrics (EMF), alarms, dashboards. */
  logsIngestionPerGb: 0.5,
  customMetricPerMonth: 0.3,
  standardAlarmPerMonth: 0.1,
  dashboardPerMonth: 3.0,
  /** Secrets Manager (https://aws.amazon.com/secrets-manager/pricing/). */
  secretPerMonth: 0.4,
  secretsPer10kCalls: 0.05,
} as const;

export type Prices = typeof PRICES;
