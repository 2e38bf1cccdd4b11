// Exponential backoff with jitter, for informer restarts and PutEvents retries.
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * The delay before retry number `attempt` (1, 2, …): the cap `min(max, base·2^(attempt-1))`,
 * jittered to [cap/2, cap) ("equal jitter": spread out, never immediate).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.floor(cap / 2 + random() * (cap / 2));
}

/** Sleeps `ms`; resolves early (without throwing) when `signal` aborts. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true) return;
  try {
    await delay(ms, undefined, signal === undefined ? undefined : { signal });
  } catch {
    // aborted: the caller checks its own state
  }
}

/** A call that took too long; the caller treats it like any transient failure. */
export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** Rejects with TimeoutError when `promise` does not settle within `ms` (the promise itself runs on). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${ms} ms; retrying`)), ms);
    timer.unref();
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
