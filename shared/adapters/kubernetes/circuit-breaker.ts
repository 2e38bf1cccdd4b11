// A per-cluster circuit breaker (pure: the time is an argument, the jitter a passed-in random).
// One unreachable cluster must never delay the others (docs/design.md §8): in AWS a sync batch may
// mix targets of several clusters and is acknowledged only when its slowest target finishes,
// so after a cluster call failed for the cluster's sake (timeout, network error, 5xx, 429) the
// cluster is *open* for a short, growing interval and calls to it fail at once. After the
// interval one call (the probe) is let through; its success closes the breaker, its failure
// opens it again for twice as long (docs/adr/0005-queues.md).
//
//   closed ──failure──► open(until) ──now ≥ until──► probing ──success──► closed
//                          ▲                            │
//                          └──────────failure───────────┘  (interval doubles, capped)
import { ConflictError, FinalError, RetryableError } from '../../errors.ts';
import { UnauthorizedError } from './call.ts';

export interface BreakerPolicy {
  /** The first open interval (ms). */
  readonly baseMs: number;
  /** The longest open interval (ms). */
  readonly maxMs: number;
  /** Fraction of the interval added or removed at random (0..1): containers do not probe in step. */
  readonly jitter: number;
  /** A probe that has not answered after this long (ms) no longer blocks another one. */
  readonly probeTimeoutMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { baseMs: 2_000, maxMs: 60_000, jitter: 0.2, probeTimeoutMs: 60_000 };

export type BreakerState =
  | { readonly kind: 'closed' }
  | { readonly kind: 'open'; readonly failures: number; readonly until: number; readonly lastError: string }
  | { readonly kind: 'probing'; readonly failures: number; readonly since: number; readonly lastError: string };

export const CLOSED: BreakerState = { kind: 'closed' };

/** The answer to "may a call go to the cluster now?". */
export type Admission =
  | { readonly ok: true; readonly probe: boolean; readonly state: BreakerState }
  | { readonly ok: false; readonly retryAt: number; readonly failures: number; readonly lastError: string };

export function admit(state: BreakerState, now: number, policy: BreakerPolicy): Admission {
  switch (state.kind) {
    case 'closed':
      return { ok: true, probe: false, state };
    case 'open':
      if (now < state.until) return { ok: false, retryAt: state.until, failures: state.failures, lastError: state.lastError };
      return { ok: true, probe: true, state: { kind: 'probing', failures: state.failures, since: now, lastError: state.lastError } };
    case 'probing':
      if (now - state.since < policy.probeTimeoutMs) {
        return { ok: false, retryAt: state.since + policy.probeTimeoutMs, failures: state.failures, lastError: state.lastError };
      }
      return { ok: true, probe: true, state: { ...state, since: now } };
  }
}

/** The open interval after `failures` consecutive failures: base × 2^(n−1), capped, ± jitter. */
export function openIntervalMs(failures: number, policy: BreakerPolicy, random: number): number {
  const plain = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  const jittered = plain * (1 - policy.jitter + 2 * policy.jitter * random);
  return Math.max(1, Math.round(Math.min(policy.maxMs, jittered)));
}

/** The cluster answered (any answer that is not a cluster failure): closed. */
export function onSuccess(_state: BreakerState): BreakerState {
  return CLOSED;
}

/** A cluster failure at `now`: open for the next interval. `random` in [0, 1) picks the jitter. */
export function onFailure(state: BreakerState, now: number, error: string, policy: BreakerPolicy, random: number): BreakerState {
  const failures = state.kind === 'closed' ? 1 : state.failures + 1;
  return { kind: 'open', failures, until: now + openIntervalMs(failures, policy, random), lastError: error };
}

/**
 * Whether an error means the cluster itself failed: a RetryableError from the Kubernetes adapter
 * (429, 5xx, network errors, timeouts after its retries). A conflict (409), a 404, a refusal
 * (403, 422: FinalError) or a 401 (credentials to reload) is an answer, not a cluster failure.
 */
export function isClusterFailure(error: unknown): boolean {
  if (error instanceof ClusterUnavailableError) return false;
  if (error instanceof ConflictError || error instanceof FinalError || error instanceof UnauthorizedError) return false;
  return error instanceof RetryableError;
}

/** A call refused at once because the cluster's breaker is open: the queue retries the sync later. */
export class ClusterUnavailableError extends RetryableError {
  override readonly name: string = 'ClusterUnavailableError';
  readonly cluster: string;
  /** When the cluster is tried again (ms since the epoch). */
  readonly retryAt: number;
  // The message is the same for every call refused within one open interval (no "in N s"), so
  // the target status that records it is not rewritten on every refused sync (ADR 8).
  constructor(cluster: string, retryAt: number, failures: number, lastError: string) {
    super(
      `cluster ${cluster} is unavailable (${failures} failed call(s) in a row, last: ${lastError}); calls to it fail at once until it is tried again at ${new Date(retryAt).toISOString()}; the sync will be retried by the queue`,
    );
    this.cluster = cluster;
    this.retryAt = retryAt;
  }
}
