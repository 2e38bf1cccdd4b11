// Lambda handler of the reconcile function, invoked on a schedule: an EventBridge rule's
// "Scheduled Event" (source aws.events) or EventBridge Scheduler's default notification
// (source aws.scheduler) — both EventBridge events, parsed by Powertools' EventBridgeSchema
// (its copy in ../aws-events.ts).
import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import type { Context } from 'aws-lambda';
import { EventBridgeSchema, type EventBridgeEvent } from '../aws-events.ts';
import type { Clock } from '../../shared/ports.ts';
import { depsOnce } from '../env.ts';
import { fromPowertools, withLog } from '../log.ts';
import { lambdaMetrics, publishMetrics, reconcileMetricPoints } from '../metrics.ts';
import { reconcileDepsFromEnv } from './deps.ts';
import { reconcile } from './reconcile.ts';
import type { ReconcileDeps, ReconcileResult } from './reconcile.ts';

export interface HandlerOptions {
  readonly logger?: Logger;
  /** CloudWatch metrics (EMF); default: in Lambda only (functions/metrics.ts). */
  readonly metrics?: Metrics;
}

type Deps = ReconcileDeps & { readonly clock?: Clock };

export function createHandler(deps: Deps | (() => Deps), options: HandlerOptions = {}) {
  const logger = options.logger ?? new Logger({ serviceName: 'gns-sync-reconcile' });
  const log = fromPowertools(logger);
  const metrics = options.metrics ?? lambdaMetrics('gns-sync-reconcile');
  const get = typeof deps === 'function' ? deps : () => deps;
  // One deps object for the life of the container: the use cases keep their per-container
  // caches (target index, sync memo) keyed by it.
  let bound: Deps | undefined;
  const boundDeps = (): Deps => (bound ??= withLog(get(), log));
  return middy<EventBridgeEvent, ReconcileResult, Error, Context>()
    .use(injectLambdaContext(logger))
    .use(parser({ schema: EventBridgeSchema }))
    .handler(async (event) => {
      const d = boundDeps();
      log.info('reconcile triggered', { source: event.source, time: event.time });
      return reconcile(d, d.clock?.now() ?? Date.now(), (result) => publishMetrics(metrics, reconcileMetricPoints(result, d.topology.topology.vipPool)));
    });
}

export const handler = createHandler(depsOnce(() => reconcileDepsFromEnv(process.env)));
