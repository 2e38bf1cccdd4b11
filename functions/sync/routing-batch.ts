// The routing part of a sync batch (docs/adr/0013-routing-through-istio.md): run the
// gateway-entry writers whose messages the batch holds (one per key, whatever the number of
// messages), and enqueue the writers named by the batch's target syncs — once per key per
// batch, in their own FIFO groups — so shared gateway entries are written by one writer only.
import { createHash } from 'node:crypto';
import type { RoutingKey } from '../../shared/core/routing/types.ts';
import { FinalError, describeError } from '../../shared/errors.ts';
import type { SyncQueue } from '../../shared/ports.ts';
import type { Log } from '../log.ts';
import { syncGatewayEntries } from './routing-gateway.ts';
import type { SyncDeps, SyncOutcome } from './sync.ts';

export async function runRoutingWriters(
  deps: SyncDeps,
  queue: SyncQueue | undefined,
  groups: readonly { key: RoutingKey; ids: string[] }[],
  outcomes: readonly SyncOutcome[],
  records: readonly { messageId: string; body: string }[],
  now: number,
  log: Log,
): Promise<{ itemIdentifier: string }[]> {
  const failures: { itemIdentifier: string }[] = [];
  const routing = deps.routing;
  await Promise.all(groups.map(async ({ key, ids }) => {
    if (!routing) {
      log.warn('a routing message, but this sync has no routing deps; dropped', { gns: key.gns, cluster: key.cluster });
      return;
    }
    try {
      const outcome = await syncGatewayEntries({ topology: deps.topology, store: deps.store, routing, ...(deps.log ? { log: deps.log } : {}), ...(deps.incarnation ? { incarnation: deps.incarnation } : {}) }, key, now);
      if (outcome.writes > 0) log.info('gateway entries written', { gns: key.gns, cluster: key.cluster, entries: outcome.entries, writes: outcome.writes });
    } catch (error) {
      if (error instanceof FinalError) {
        log.error('gateway entries failed; not retried', { gns: key.gns, cluster: key.cluster, error: describeError(error) });
        return;
      }
      log.warn('gateway entries failed; the queue will retry', { gns: key.gns, cluster: key.cluster, error: describeError(error) });
      for (const id of ids) failures.push({ itemIdentifier: id });
    }
  }));

  const keys = new Map<string, RoutingKey>();
  for (const o of outcomes) for (const k of o.routingKeys ?? []) keys.set(`${k.gns}/${k.cluster}`, k);
  if (keys.size > 0 && queue?.enqueueRouting) {
    const cause = `sync:${createHash('sha256').update(records.map((r) => r.messageId).sort().join('\n')).digest('hex')}`;
    try {
      await queue.enqueueRouting([...keys.keys()].sort().map((k) => keys.get(k) as RoutingKey), cause);
    } catch (error) {
      // The targets are synced; the reconcile enqueues every writer again.
      log.warn('enqueueing the gateway-entry writers failed; the next reconcile enqueues them', { error: describeError(error) });
    }
  }
  return failures;
}
