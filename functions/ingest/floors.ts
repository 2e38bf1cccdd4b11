// The highest version stored per cluster (issue 10 case 8, docs/adr/0014-store-completeness.md):
// the ingest raises it in the store's incarnation after each batch — at most once a second per
// cluster and container, and only when the batch went higher — and the reconcile hands it back
// to each cluster's agent, whose clock then never issues below it, even after its Lease (and
// with it its own floor) was lost while its node's clock runs behind. A failure is logged, never
// thrown: the events are merged either way, and the next batch raises it.
import type { Hlc } from '../../shared/core/types.ts';
import { describeError } from '../../shared/errors.ts';
import type { IncarnationStore } from '../../shared/ports.ts';
import type { Log } from '../log.ts';

/** How often a container raises one cluster's floor at most. */
export const FLOOR_EVERY_MS = 1_000;

export class FloorTracker {
  readonly #raised = new Map<string, { v: Hlc; at: number }>();

  /** Raises the floor of each cluster whose highest version in `seen` is above what this container raised. */
  async raise(store: IncarnationStore, seen: ReadonlyMap<string, Hlc>, now: number, log: Log): Promise<void> {
    const due = new Map<string, Hlc>();
    for (const [cluster, v] of seen) {
      const last = this.#raised.get(cluster);
      if (last === undefined || (v > last.v && now - last.at >= FLOOR_EVERY_MS)) due.set(cluster, v);
    }
    if (due.size === 0) return;
    try {
      const { id } = await store.current(now);
      await store.raiseFloors(id, due);
      for (const [cluster, v] of due) this.#raised.set(cluster, { v, at: now });
    } catch (error) {
      log.warn('could not record the highest stored versions; the next batch will', { clusters: [...due.keys()], error: describeError(error) });
    }
  }
}

/** The highest version per cluster among merged events. */
export function highestVersions(events: readonly { readonly detail: { readonly cluster: string; readonly v: Hlc } }[]): Map<string, Hlc> {
  const out = new Map<string, Hlc>();
  for (const { detail } of events) {
    const v = out.get(detail.cluster);
    if (v === undefined || detail.v > v) out.set(detail.cluster, detail.v);
  }
  return out;
}
