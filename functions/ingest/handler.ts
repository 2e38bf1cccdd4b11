// Lambda handler of the ingest function: SQS (ingest queue) → ingestBatch. Thin wiring only:
// middy + Powertools logger + Powertools parser for the outer SQS event. Each record's body is
// validated by the use case, so one bad record never fails the batch; the response reports
// the records to redeliver (`reportBatchItemFailures` on the event source mapping).
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { SqsSchema, type SqsEvent } from '../aws-events.ts';
import { depsOnce } from '../env.ts';
import { fromPowertools, withLog } from '../log.ts';
import { lambdaMetrics, publishMetrics, ingestMetricPoints } from '../metrics.ts';
import { ingestDepsFromEnv } from './deps.ts';
import { ingestBatch } from './ingest.ts';
import type { IngestDeps } from './ingest.ts';

export interface HandlerOptions {
  readonly logger?: Logger;
  /** CloudWatch metrics (EMF); default: in Lambda only (functions/metrics.ts). */
  readonly metrics?: Metrics;
}

export function createHandler(deps: IngestDeps | (() => IngestDeps), options: HandlerOptions = {}) {
  const logger = options.logger ?? new Logger({ serviceName: 'gns-sync-ingest' });
  const log = fromPowertools(logger);
  const metrics = options.metrics ?? lambdaMetrics(`gns-sync-ingest`);
  const get = typeof deps === 'function' ? deps : () => deps;
  // One deps object for the life of the container: the use cases keep their per-container
  // caches (target index, sync memo) keyed by it.
  let bound: IngestDeps | undefined;
  const boundDeps = (): IngestDeps => (bound ??= withLog(get(), log));
  return middy<SqsEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: SqsSchema }))
    .handler(async (event) => {
      const d = boundDeps();
      const result = await ingestBatch(
        d,
        event.Records.map((r) => ({ messageId: r.messageId, body: r.body, receiveCount: Number(r.attributes.ApproximateReceiveCount) || 1 })),
      );
      log.info('ingested', {
        records: event.Records.length, merged: result.merged, unchanged: result.unchanged, ignored: result.ignored,
        invalid: result.invalid, failed: result.failed, enqueued: result.enqueued,
      });
      publishMetrics(metrics, ingestMetricPoints(result));
      return { batchItemFailures: result.batchItemFailures };
    });
}

export const handler = createHandler(depsOnce(() => ingestDepsFromEnv(process.env)));
