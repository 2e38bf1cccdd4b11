// Lambda handler of the sync function: SQS FIFO (sync queue) → syncBatch. Thin wiring only:
// middy + Powertools logger + Powertools parser for the outer SQS event; each message is
// validated by the use case. A target whose sync fails retryably reports all of its records
// as batch item failures.
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { SqsSchema, type SqsEvent } from '../aws-events.ts';
import { targetKey } from '../../shared/core/identity.ts';
import { depsOnce } from '../env.ts';
import { fromPowertools, withLog } from '../log.ts';
import { lambdaMetrics, publishMetrics, syncMetricPoints } from '../metrics.ts';
import type { MetricPoint } from '../metrics.ts';
import { syncBatch } from './batch.ts';
import { newSyncMemo } from './memo.ts';
import type { SyncBatchDeps } from './batch.ts';
import { syncDepsFromEnv } from './deps.ts';

export interface HandlerOptions {
  readonly logger?: Logger;
  /** CloudWatch metrics (EMF); default: in Lambda only (functions/metrics.ts). */
  readonly metrics?: Metrics;
  /** Sees the metric points of every batch, emitted or not (the local runtime's `status` keeps the propagation lag). */
  readonly onMetrics?: (points: readonly MetricPoint[]) => void;
}

const withMemo = (d: SyncBatchDeps): SyncBatchDeps => (d.memo ? d : { ...d, memo: newSyncMemo() });

export function createHandler(deps: SyncBatchDeps | (() => SyncBatchDeps), options: HandlerOptions = {}) {
  const logger = options.logger ?? new Logger({ serviceName: 'gns-sync-sync' });
  const log = fromPowertools(logger);
  const metrics = options.metrics ?? lambdaMetrics(`gns-sync-sync`);
  const get = typeof deps === 'function' ? deps : () => deps;
  // One deps object for the life of the container: the use cases keep their per-container
  // caches (target index, sync memo) keyed by it.
  let bound: SyncBatchDeps | undefined;
  const boundDeps = (): SyncBatchDeps => (bound ??= withMemo(withLog(get(), log)));
  return middy<SqsEvent, SQSBatchResponse, Error, Context>()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: SqsSchema }))
    .handler(async (event) => {
      const d = boundDeps();
      const now = d.clock?.now() ?? Date.now();
      const result = await syncBatch(d, event.Records.map((r) => ({
          messageId: r.messageId,
          body: r.body,
          receiptHandle: r.receiptHandle,
          receiveCount: Number(r.attributes.ApproximateReceiveCount) || 1,
        })), now);
      for (const o of result.outcomes) {
        log.info('synced', { target: targetKey(o.target), action: o.action, endpoints: o.endpoints, vips: o.vips, writes: o.writes, ms: o.ms });
      }
      const points = syncMetricPoints(result, d.clock?.now() ?? Date.now());
      publishMetrics(metrics, points);
      options.onMetrics?.(points);
      return { batchItemFailures: result.batchItemFailures };
    });
}

export const handler = createHandler(depsOnce(() => syncDepsFromEnv(process.env)));
