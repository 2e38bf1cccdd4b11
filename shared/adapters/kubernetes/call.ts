// One Kubernetes API call with a per-call timeout, bounded retries of transient failures
// (429, 5xx, network errors, timeouts) with jittered exponential backoff, and errors mapped
// onto shared/errors.ts, so that one slow or dead cluster costs a sync seconds, not minutes.
import { ApiException, Observable } from '@kubernetes/client-node';
import type { ConfigurationOptions } from '@kubernetes/client-node';
import { ConflictError, FinalError, RetryableError } from '../../errors.ts';

export interface CallPolicy {
  /** Per-attempt timeout (ms). */
  readonly timeoutMs: number;
  /** Attempts in all (1 = no retry). */
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  /**
   * Asked before each retry: true stops retrying now (the cluster's circuit breaker is open or
   * probing: another call already found it failing, and a probe should cost one attempt).
   */
  readonly stopRetrying?: () => boolean;
}

export const DEFAULT_CALL_POLICY: CallPolicy = {
  timeoutMs: 5_000,
  attempts: 3,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** A failed call: the HTTP status (undefined for network errors and timeouts) and a one-line detail. */
export interface CallFailure {
  readonly status?: number;
  readonly detail: string;
  readonly retryAfterMs?: number;
}

const TRANSIENT = new Set([429, 500, 502, 503, 504]);

/** A 401: the credentials were refused (expired or rotated); retryable once they are reloaded. */
export class UnauthorizedError extends RetryableError {
  override readonly name: string = 'UnauthorizedError';
}

function statusMessage(body: unknown): string | undefined {
  if (typeof body !== 'string' || body === '') return undefined;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}

export function describeFailure(error: unknown): CallFailure {
  if (error instanceof ApiException) {
    const code = (error as ApiException<unknown>).code;
    const message = statusMessage((error as ApiException<unknown>).body) ?? (code === 401 ? 'Unauthorized' : `HTTP ${code}`);
    const headers = (error as ApiException<unknown>).headers ?? {};
    const retryAfter = Number(headers['retry-after']);
    return { status: code, detail: `${code} ${message}`, ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}) };
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return { detail: 'timed out' };
    return { detail: `${error.message}${cause}`.replace(/\s+/g, ' ') };
  }
  return { detail: String(error) };
}

/** Request options that abort the HTTP request after `timeoutMs`. */
export function timeoutOptions(timeoutMs: number): ConfigurationOptions {
  // The object-param API hands options to the observable API unwrapped (no wrapOptions), so
  // the middleware must return the client's Observable, not a Promise.
  const middleware = {
    pre: (context: { setSignal(signal: AbortSignal): void }) => {
      context.setSignal(AbortSignal.timeout(timeoutMs));
      return new Observable(Promise.resolve(context));
    },
    post: (context: unknown) => new Observable(Promise.resolve(context)),
  };
  return { middleware: [middleware], middlewareMergeStrategy: 'append' } as unknown as ConfigurationOptions;
}

/**
 * Runs `op` under the policy. `what` names the call in errors (`clusterOne: update slice ns/x`).
 * 409 → ConflictError (re-read and re-plan); 429/5xx/network/timeout → retried, then
 * RetryableError; 401 → RetryableError (credentials may be refreshed); other 4xx → FinalError.
 * `onStatus` may turn a status into a result (e.g. 404 on delete = done).
 */
export async function kubeCall<T>(
  what: string,
  policy: CallPolicy,
  op: (options: ConfigurationOptions) => Promise<T>,
  onStatus?: (status: number) => { readonly value: T } | undefined,
): Promise<T> {
  let last: CallFailure = { detail: 'not attempted' };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    try {
      return await op(timeoutOptions(policy.timeoutMs));
    } catch (error) {
      last = describeFailure(error);
      const handled = last.status === undefined ? undefined : onStatus?.(last.status);
      if (handled) return handled.value;
      if (last.status === 409) throw new ConflictError(`${what}: conflict (${last.detail}); re-reading and re-planning`, { cause: error });
      if (last.status === 401) throw new UnauthorizedError(`${what}: unauthorized (${last.detail}); the credentials are reloaded and the sync retried`, { cause: error });
      if (last.status !== undefined && !TRANSIENT.has(last.status)) {
        throw new FinalError(`${what}: ${last.detail}; not retried (fix the cause: permissions, namespace, object)`, { cause: error });
      }
      if (attempt === policy.attempts || policy.stopRetrying?.()) {
        throw new RetryableError(`${what}: ${last.detail} after ${attempt} attempt(s); the sync will be retried by the queue`, { cause: error });
      }
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = Math.min(policy.maxDelayMs, Math.max(last.retryAfterMs ?? 0, backoff * (0.5 + policy.random() / 2)));
      await policy.sleep(delay);
    }
  }
  throw new RetryableError(`${what}: ${last.detail}`);
}
