// The EventBus port (shared/ports.ts) over EventBridge PutEvents. Per-entry failures come back
// as { index, errorCode } (the publisher retries only InternalFailure/ThrottlingException);
// a whole call that fails throws EventBusCallError, whose `retryable` says whether trying the
// same call again later can succeed (network errors, 5xx, throttling) or not (validation,
// access denied, a missing bus: fix the configuration).
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeClient, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { GnsSyncError } from '../../errors.ts';
import type { BusEntry, EventBus } from '../../ports.ts';
import { MAX_ENTRIES_PER_PUT } from '../../schemas/serialize.ts';

export interface EventBridgeBusOptions {
  readonly client: Pick<EventBridgeClient, 'send'>;
  /** The bus name or ARN (EventBusName of every entry). */
  readonly eventBusName: string;
}

/** A PutEvents call that failed as a whole. */
export class EventBusCallError extends GnsSyncError {
  override readonly name: string = 'EventBusCallError';
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  constructor(message: string, retryable: boolean, statusCode: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.retryable = retryable;
    this.statusCode = statusCode;
  }
}

const RETRYABLE_NAMES: ReadonlySet<string> = new Set([
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'InternalException', 'InternalFailure',
  'ServiceUnavailable', 'ServiceUnavailableException', 'RequestTimeout', 'RequestTimeoutException', 'TimeoutError',
]);

/** Whether a PutEvents call error may succeed on a later try. */
export function isRetryableBusError(error: unknown): boolean {
  const e = error as { name?: unknown; $fault?: unknown; $retryable?: unknown; $metadata?: { httpStatusCode?: unknown } } | null;
  if (e === null || typeof e !== 'object') return true;
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  if (typeof e.name === 'string' && RETRYABLE_NAMES.has(e.name)) return true;
  if (e.$retryable !== undefined && e.$retryable !== null) return true;
  if (status !== undefined) return status >= 500 || status === 429;
  // A client fault with no HTTP status (e.g. a malformed request caught before sending) is final;
  // everything else without a status is a network error.
  return e.$fault !== 'client';
}

function toRequestEntry(entry: BusEntry, eventBusName: string): PutEventsRequestEntry {
  return {
    EventBusName: eventBusName,
    Source: entry.source,
    DetailType: entry.detailType,
    Detail: entry.detail,
    ...(entry.time === undefined ? {} : { Time: entry.time }),
  };
}

export function eventBridgeBus(options: EventBridgeBusOptions): EventBus {
  if (options.eventBusName === '') throw new RangeError('eventBusName must not be empty');
  return {
    async put(entries) {
      if (entries.length === 0) return [];
      if (entries.length > MAX_ENTRIES_PER_PUT) {
        throw new EventBusCallError(`PutEvents takes at most ${MAX_ENTRIES_PER_PUT} entries, got ${entries.length}; nothing was put`, false, undefined);
      }
      let output;
      try {
        output = await options.client.send(new PutEventsCommand({ Entries: entries.map((e) => toRequestEntry(e, options.eventBusName)) }));
      } catch (error) {
        const retryable = isRetryableBusError(error);
        const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
        const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        throw new EventBusCallError(
          `PutEvents to ${options.eventBusName} failed (${what}); ${retryable ? 'the entries are retried with backoff' : 'retrying cannot help: check the bus name and the permissions'}`,
          retryable, status, { cause: error },
        );
      }
      const failures: { index: number; errorCode: string; errorMessage?: string }[] = [];
      const results = output.Entries ?? [];
      entries.forEach((_, index) => {
        const result = results[index];
        if (result === undefined) {
          // EventBridge answers one result per entry; a missing one is treated as a transient failure.
          if ((output.FailedEntryCount ?? 0) > 0 || results.length < entries.length) failures.push({ index, errorCode: 'InternalFailure', errorMessage: 'no result for this entry' });
          return;
        }
        if (result.ErrorCode !== undefined && result.ErrorCode !== '') {
          failures.push({ index, errorCode: result.ErrorCode, ...(result.ErrorMessage === undefined ? {} : { errorMessage: result.ErrorMessage }) });
        }
      });
      return failures;
    },
  };
}
