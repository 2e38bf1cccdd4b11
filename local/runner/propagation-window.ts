// The propagation lag the local runtime measured (issue 14, `gns-sync status`): the same
// PropagationLag the sync function emits to CloudWatch in the cloud (functions/metrics.ts: from
// the agent's observation of the earliest change behind a sync to the target's slices written),
// kept in memory for the last minutes, with its p50 and p99.
import type { MetricPoint } from '../../functions/metrics.ts';

export const PROPAGATION_WINDOW_MS = 5 * 60_000;
/** Enough for a busy local run; beyond it the oldest samples go first. */
const MAX_SAMPLES = 10_000;

export interface PropagationSummary {
  /** The window the figures cover (ms back from now). */
  readonly windowMs: number;
  /** Syncs that wrote something and knew when their change was observed. */
  readonly samples: number;
  readonly p50Ms?: number;
  readonly p99Ms?: number;
}

/** The nearest-rank percentile (p in 0–100) of sorted values; undefined when there are none. */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

export class PropagationWindow {
  readonly #samples: { at: number; ms: number }[] = [];
  readonly #windowMs: number;

  constructor(windowMs = PROPAGATION_WINDOW_MS) {
    this.#windowMs = windowMs;
  }

  /** Keeps the PropagationLag points of a sync batch, seen at `now`. */
  record(points: readonly MetricPoint[], now: number): void {
    for (const p of points) if (p.name === 'PropagationLag') this.#samples.push({ at: now, ms: p.value });
    if (this.#samples.length > MAX_SAMPLES) this.#samples.splice(0, this.#samples.length - MAX_SAMPLES);
  }

  summary(now: number): PropagationSummary {
    const from = now - this.#windowMs;
    while (this.#samples.length > 0 && this.#samples[0]!.at < from) this.#samples.shift();
    const sorted = this.#samples.map((s) => s.ms).sort((a, b) => a - b);
    const p50Ms = percentile(sorted, 50);
    const p99Ms = percentile(sorted, 99);
    return { windowMs: this.#windowMs, samples: sorted.length, ...(p50Ms === undefined ? {} : { p50Ms }), ...(p99Ms === undefined ? {} : { p99Ms }) };
  }
}
