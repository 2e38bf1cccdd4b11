// Which messages a local queue hands to its consumer next (pure: time is an argument).
// Lambda's SQS event source: up to `batchSize` visible messages, waiting up to the batch
// window to fill a batch; FIFO: in order, one batch per MessageGroupId at a time (a batch may
// hold several groups, each group's messages together), and a group with a message in flight
// (or failed and waiting out its visibility timeout) is locked.

export interface Selectable {
  readonly groupId?: string;
  readonly sentAt: number;
  readonly visibleAt: number;
  readonly inFlight: boolean;
  readonly receiveCount: number;
}

export interface SelectOptions {
  readonly fifo: boolean;
  readonly batchSize: number;
  readonly batchWindowMs: number;
  readonly maxReceiveCount: number;
}

export interface Selection<M> {
  /** The batch to deliver now (empty: nothing to deliver now). */
  readonly batch: M[];
  /** Visible messages already received `maxReceiveCount` times: to the dead-letter queue (SQS redrive). */
  readonly expired: M[];
  /** When to look again (a message becomes visible, or a partial batch's window closes). */
  readonly wakeAt?: number;
}

export function selectBatch<M extends Selectable>(messages: readonly M[], now: number, o: SelectOptions): Selection<M> {
  const locked = new Set<string>();
  if (o.fifo) for (const m of messages) if (m.groupId !== undefined && (m.inFlight || m.visibleAt > now)) locked.add(m.groupId);
  const visible: M[] = [];
  const expired: M[] = [];
  let wakeAt = Infinity;
  for (const m of messages) {
    // A handler still holds it (past its visibility timeout, ADR 12): it is neither received
    // again nor dead-lettered, since that handler may yet succeed. In AWS the function's
    // timeout (a sixth of the visibility timeout) guarantees the same; locally nothing times
    // a handler out, so without this a slow batch would be redelivered beside itself.
    if (m.inFlight) continue;
    if (m.visibleAt > now) {
      wakeAt = Math.min(wakeAt, m.visibleAt);
      continue;
    }
    if (m.receiveCount >= o.maxReceiveCount) {
      expired.push(m);
      continue;
    }
    if (m.groupId !== undefined && locked.has(m.groupId)) continue;
    visible.push(m);
  }
  const done = (batch: M[]): Selection<M> => ({ batch, expired, ...(wakeAt < Infinity ? { wakeAt } : {}) });
  if (visible.length === 0) return done([]);
  // FIFO: as SQS receives (docs/adr/0005, 0012): as many messages of one group as it has, the
  // group with the oldest message first, then other groups' to fill the batch, each in order;
  // a batch's groups stay locked until their messages are deleted.
  const batch = (o.fifo ? byGroup(visible) : visible).slice(0, o.batchSize);
  if (batch.length < o.batchSize && o.batchWindowMs > 0) {
    const closesAt = Math.min(...batch.map((m) => Math.max(m.sentAt, m.visibleAt))) + o.batchWindowMs;
    if (closesAt > now) {
      wakeAt = Math.min(wakeAt, closesAt);
      return done([]);
    }
  }
  return done(batch);
}

/** Messages in send order regrouped: each group's messages together, groups by their oldest message. */
function byGroup<M extends Selectable>(messages: readonly M[]): M[] {
  const groups = new Map<string | undefined, M[]>();
  for (const m of messages) {
    const group = groups.get(m.groupId);
    if (group) group.push(m);
    else groups.set(m.groupId, [m]);
  }
  return [...groups.values()].flat();
}
