// The error hierarchy of gns-sync (Powertools style): the class says what happens next.
//
//   RetryableError      throw it: the queue redelivers the message (a batch item failure)
//   FinalError          retrying cannot help: to the dead-letter queue with the reason
//   ConflictError       a 409 on a write: re-read the current state and re-plan
//   PoolExhaustedError  no free VIP: a Warning event; new endpoints wait, existing ones stay
//
// Each sets `name` (survives bundling, unlike `constructor.name`) and keeps `cause`.

export interface GnsErrorOptions {
  readonly cause?: unknown;
}

/** Base of every gns-sync error, so callers can tell ours from the runtime's. */
export class GnsSyncError extends Error {
  override readonly name: string = 'GnsSyncError';
  constructor(message: string, options?: GnsErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** A transient failure (throttling, a 5xx, a timeout, a store error): the queue retries. */
export class RetryableError extends GnsSyncError {
  override readonly name: string = 'RetryableError';
}

/** The input can never succeed (invalid event, unknown target): dead-lettered with the reason. */
export class FinalError extends GnsSyncError {
  override readonly name: string = 'FinalError';
}

/** An optimistic-concurrency conflict (HTTP 409, a failed condition): re-read and retry. */
export class ConflictError extends GnsSyncError {
  override readonly name: string = 'ConflictError';
}

/** The VIP pool has no free address: final for the identities still without a VIP; allocated ones stay. */
/** routing: istio — the cluster does not serve the Istio API gns-sync writes (networking.istio.io/v1 ServiceEntry). */
export class IstioApiMissingError extends FinalError {
  override readonly name: string = 'IstioApiMissingError';
}

export class PoolExhaustedError extends GnsSyncError {
  override readonly name: string = 'PoolExhaustedError';
  /** The pool (CIDR) that is full. */
  readonly pool: string;
  /** How many identities could not get a VIP. */
  readonly missing: number;
  constructor(pool: string, missing: number, options?: GnsErrorOptions & { readonly message?: string }) {
    super(
      options?.message ??
        `VIP pool ${pool} is exhausted: ${missing} pod(s) get no VIP until addresses are released (existing endpoints are kept); widen vipPool in the config`,
      options,
    );
    this.pool = pool;
    this.missing = missing;
  }
}

/** Whether an error is worth retrying by redelivery (retryable or a conflict that ran out of re-reads). */
export function isRetryable(error: unknown): boolean {
  return error instanceof RetryableError || error instanceof ConflictError;
}

/** A one-line description of any thrown value, for logs, statuses and dead-letter reasons. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.replace(/\s+/g, ' ').trim();
  return String(error).replace(/\s+/g, ' ').trim();
}
