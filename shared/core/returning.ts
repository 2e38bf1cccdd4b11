// A pod that returns (docs/adr/0019-a-restart-keeps-its-routing.md): the agent flags a pod's
// deletion when the pod's StatefulSet still wants its ordinal — a restart, not a scale-down —
// and the stored tombstone keeps the flag with the time the deletion was observed. Consumers
// (the routing's keep set, shared/core/routing/keep.ts) treat such an absence as temporary for
// a grace period; everything else about the tombstone is unchanged (it hides the pod as any
// tombstone does).
import type { PodDelete } from '../schemas/events.ts';
import { parseHlc } from './hlc.ts';
import type { Entry, PodRecord, ServiceRecord } from './types.ts';

/** A pod absent from the visible state whose agent said it returns, since `since` (ms). */
export interface ReturningPod {
  readonly name: string;
  readonly since: number;
}

/**
 * The tombstone a pod delete event leaves: with `returning` when flagged — the observation time,
 * never later than the version's wall clock (which the ingest bounds by its own clock, ADR 2).
 */
export function podTombstone(detail: Pick<PodDelete, 'v' | 'observedAt' | 'returning'>): Entry<PodRecord> {
  if (detail.returning !== true) return { v: detail.v };
  const ms = parseHlc(detail.v).ms;
  return { v: detail.v, returning: Math.min(detail.observedAt ?? ms, ms) };
}

/** The pods whose newest entry is a returning tombstone, by name. */
export function returningPods(entries: ReadonlyMap<string, Entry<PodRecord> | Entry<ServiceRecord>>): ReturningPod[] {
  const out: ReturningPod[] = [];
  for (const [key, entry] of entries) {
    if (entry.record !== undefined || entry.returning === undefined || !key.startsWith('pod/')) continue;
    out.push({ name: key.slice('pod/'.length), since: entry.returning });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
