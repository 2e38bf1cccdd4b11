// Publishes bus entries through the EventBus port (shared/ports.ts): batches of ≤ 10 entries
// (and ≤ maxBatchBytes), retries with backoff only what can succeed later (entries failing with
// InternalFailure/ThrottlingException, whole calls failing with a network error or a 5xx), and
// keeps a bounded buffer while the bus is unreachable. When the buffer is full the oldest entry
// is dropped (counted, logged once) and a resnapshot is requested for when the bus is back, so
// nothing acknowledged by Kubernetes is lost for good (docs/design.md §8).
import type { BusEntry, EventBus } from '../shared/ports.ts';
import { entrySize, MAX_ENTRIES_PER_PUT, MAX_ENTRY_BYTES } from '../shared/schemas/serialize.ts';
import { backoffDelay, sleep } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { AgentLogger } from './logger.ts';
import type { AgentMetrics } from './metrics.ts';

/** Per-entry PutEvents error codes worth retrying (docs/design.md §5). */
export const RETRYABLE_ENTRY_CODES: ReadonlySet<string> = new Set(['InternalFailure', 'ThrottlingException']);

/** Whether a whole-call failure may succeed later: anything not marked `retryable: false` (network errors, 5xx, throttling). */
export function isRetryableCallError(error: unknown): boolean {
  return (error as { retryable?: unknown } | null)?.retryable !== false;
}

export interface PublisherOptions {
  readonly bus: EventBus;
  readonly metrics: AgentMetrics;
  readonly logger: AgentLogger;
  /** Called once the bus accepts entries again after entries were dropped or the bus was unreachable. */
  readonly onResnapshotNeeded: () => void;
  /** Default 10,000 entries. */
  readonly maxBuffered?: number;
  /** Bytes per PutEvents call (sum of entry sizes). Default 1 MiB. */
  readonly maxBatchBytes?: number;
  /** Default 200 ms doubling to 10 s. */
  readonly backoff?: BackoffPolicy;
  /** PutEvents calls in flight at once (EventBridge does not order events anyway). Default 4. */
  readonly maxInFlight?: number;
  /** Consecutive failed calls after which the bus counts as unreachable (then a resnapshot follows recovery). Default 3. */
  readonly unreachableAfter?: number;
  /**
   * Entries rejected for good (a final call error such as AccessDenied while a bus policy
   * propagates, or a final entry error) are covered by a resnapshot after the next accepted call,
   * at most once per this many ms (a snapshot that itself keeps failing must not loop). Default 60 s.
   */
  readonly lossResnapshotMs?: number;
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface PublisherStatus {
  readonly buffered: number;
  readonly inFlight: number;
  /** Since when calls or entries keep failing (undefined: the last call fully succeeded). */
  readonly failingSinceMs?: number;
  readonly lastError?: string;
  readonly resnapshotNeeded: boolean;
}

export class Publisher {
  readonly #o: PublisherOptions;
  readonly #maxBuffered: number;
  readonly #maxBatchBytes: number;
  readonly #backoff: BackoffPolicy;
  readonly #now: () => number;
  #queue: BusEntry[] = [];
  #head = 0;
  #inFlight = 0;
  readonly #maxInFlight: number;
  readonly #lanes = new Set<Promise<void>>();
  #callFailures = 0;
  #stopped = false;
  readonly #abort = new AbortController();
  #failingSince: number | undefined;
  #lastError: string | undefined;
  #resnapshotNeeded = false;
  #dropLogged = false;
  /** Entries were rejected for good since the last resnapshot. */
  #lost = false;
  #lossResnapshotAt = Number.NEGATIVE_INFINITY;
  #idleWaiters: (() => void)[] = [];
  /** When the change behind each queued entry was observed (the lag histogram). */
  readonly #observedAt = new WeakMap<BusEntry, number>();

  constructor(options: PublisherOptions) {
    this.#o = options;
    this.#maxBuffered = options.maxBuffered ?? 10_000;
    this.#maxBatchBytes = options.maxBatchBytes ?? MAX_ENTRY_BYTES;
    this.#backoff = options.backoff ?? { baseMs: 200, maxMs: 10_000 };
    this.#now = options.now ?? Date.now;
    this.#maxInFlight = options.maxInFlight ?? 4;
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1) throw new RangeError(`maxInFlight must be a positive integer, got ${this.#maxInFlight}`);
    if (!Number.isInteger(this.#maxBuffered) || this.#maxBuffered < 1) throw new RangeError(`maxBuffered must be a positive integer, got ${this.#maxBuffered}`);
  }

  /**
   * Queues entries for publishing; returns at once. Dropped (oldest first) when the buffer is full.
   * `observedAt` (wall-clock ms, the event's): each accepted entry observes its lag.
   */
  publish(entries: readonly BusEntry[], observedAt?: number): void {
    if (this.#stopped || entries.length === 0) return;
    for (const entry of entries) {
      if (observedAt !== undefined) this.#observedAt.set(entry, observedAt);
      this.#queue.push(entry);
      if (this.#length() > this.#maxBuffered) this.#dropOldest();
    }
    this.#o.metrics.buffered.set(this.#length());
    this.#kick();
  }

  /**
   * Discards everything buffered (not what is in flight): for when a resnapshot of every
   * namespace is about to supersede it. Returns how many entries were discarded.
   */
  discardBuffered(): number {
    const discarded = this.#length();
    this.#queue = [];
    this.#head = 0;
    this.#o.metrics.buffered.set(0);
    return discarded;
  }

  status(): PublisherStatus {
    return {
      buffered: this.#length(),
      inFlight: this.#inFlight,
      ...(this.#failingSince === undefined ? {} : { failingSinceMs: this.#failingSince }),
      ...(this.#lastError === undefined ? {} : { lastError: this.#lastError }),
      resnapshotNeeded: this.#resnapshotNeeded,
    };
  }

  /** Resolves when nothing is buffered or in flight. */
  idle(): Promise<void> {
    if (this.#length() === 0 && this.#inFlight === 0 && this.#lanes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Tries to drain for up to `drainMs`, then stops (what is left is covered by the next agent's snapshot). */
  async stop(drainMs = 2_000): Promise<void> {
    if (!this.#stopped && (this.#length() > 0 || this.#inFlight > 0)) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.idle(), new Promise<void>((resolve) => { timer = setTimeout(resolve, drainMs); })]);
      clearTimeout(timer);
    }
    this.#stopped = true;
    this.#abort.abort();
    await Promise.all([...this.#lanes]);
    if (this.#length() > 0) this.#o.logger.warn('publisher stopped with entries unpublished; the next snapshot covers them', { buffered: this.#length() });
  }

  /** The observation-to-acknowledgement lag of each entry of `batch` the bus accepted (not among `failures`). */
  #observeLag(batch: readonly BusEntry[], failures: readonly { readonly index: number }[]): void {
    const notAccepted = new Set(failures.map((f) => f.index));
    const now = this.#now();
    batch.forEach((entry, i) => {
      const observedAt = this.#observedAt.get(entry);
      if (observedAt === undefined || notAccepted.has(i)) return;
      this.#o.metrics.publishLag.observe(Math.max(0, now - observedAt) / 1000);
    });
  }

  #length(): number {
    return this.#queue.length - this.#head;
  }

  #dropOldest(): void {
    this.#head += 1;
    this.#o.metrics.dropped.inc();
    this.#resnapshotNeeded = true;
    if (!this.#dropLogged) {
      this.#dropLogged = true;
      this.#o.logger.error('event buffer full: dropping the oldest entries until the bus accepts events again; every namespace is resnapshotted then', {
        maxBuffered: this.#maxBuffered,
      });
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The next batch: ≤ 10 entries and ≤ maxBatchBytes (a lone larger entry goes alone). */
  #take(): BusEntry[] {
    const batch: BusEntry[] = [];
    let bytes = 0;
    while (batch.length < MAX_ENTRIES_PER_PUT && this.#length() > 0) {
      const entry = this.#queue[this.#head] as BusEntry;
      const size = entrySize(entry);
      if (batch.length > 0 && bytes + size > this.#maxBatchBytes) break;
      batch.push(entry);
      bytes += size;
      this.#head += 1;
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
    this.#o.metrics.buffered.set(this.#length());
    return batch;
  }

  /**
   * Starts lanes (each one PutEvents call at a time) while entries wait, up to maxInFlight;
   * while the bus is failing, no new lane starts: the ones running retry with backoff.
   */
  #kick(): void {
    while (!this.#stopped && this.#length() > 0 && this.#lanes.size < this.#maxInFlight && (this.#lanes.size === 0 || this.#failingSince === undefined)) {
      const lane: Promise<void> = this.#run().finally(() => {
        this.#lanes.delete(lane);
        if (!this.#stopped && this.#length() > 0) this.#kick();
        this.#notifyIdle();
      });
      this.#lanes.add(lane);
    }
  }

  #notifyIdle(): void {
    if (this.#length() > 0 || this.#inFlight > 0 || this.#lanes.size > 0) return;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  async #run(): Promise<void> {
    const { bus, metrics, logger } = this.#o;
    const unreachableAfter = this.#o.unreachableAfter ?? 3;
    let entryRetries = 0;
    let batch = this.#take();
    this.#inFlight += batch.length;
    /** Moves on to the next batch (the current one is done: published, failed or given back). */
    const next = (): void => {
      this.#inFlight -= batch.length;
      batch = this.#take();
      this.#inFlight += batch.length;
    };
    while (batch.length > 0 && !this.#stopped) {
      let failures: Awaited<ReturnType<EventBus['put']>>;
      try {
        failures = await bus.put(batch);
      } catch (error) {
        if (!isRetryableCallError(error)) {
          metrics.failed.inc(batch.length);
          this.#lost = true;
          logger.error('PutEvents rejected a batch with an error that retrying cannot fix; its entries are not published (a resnapshot follows the next accepted call)', { entries: batch.length, error: String(error) });
          next();
          continue;
        }
        this.#callFailures += 1;
        this.#failingSince ??= this.#now();
        this.#lastError = String(error);
        if (this.#callFailures === unreachableAfter) {
          this.#resnapshotNeeded = true;
          logger.warn('event bus unreachable: buffering events, resnapshotting when it is back', { error: this.#lastError, buffered: this.#length() });
        }
        await sleep(backoffDelay(this.#callFailures, this.#backoff, this.#o.random), this.#abort.signal);
        continue;
      }
      this.#callFailures = 0;
      const retry: BusEntry[] = [];
      let failed = 0;
      for (const failure of failures) {
        const entry = batch[failure.index];
        if (entry === undefined) continue;
        if (RETRYABLE_ENTRY_CODES.has(failure.errorCode)) {
          retry.push(entry);
        } else {
          failed += 1;
          logger.error('PutEvents rejected an entry; it will not be retried', {
            detailType: entry.detailType, errorCode: failure.errorCode, errorMessage: failure.errorMessage,
          });
        }
      }
      metrics.published.inc(batch.length - retry.length - failed);
      this.#observeLag(batch, failures);
      if (failed > 0) {
        metrics.failed.inc(failed);
        this.#lost = true;
      }
      if (retry.length > 0) {
        entryRetries += 1;
        this.#failingSince ??= this.#now();
        this.#lastError = `${retry.length} entries throttled or failed internally`;
        await sleep(backoffDelay(entryRetries, this.#backoff, this.#o.random), this.#abort.signal);
        this.#inFlight -= batch.length - retry.length;
        batch = retry;
        continue;
      }
      entryRetries = 0;
      this.#failingSince = undefined;
      this.#lastError = undefined;
      if (this.#lost && this.#now() - this.#lossResnapshotAt >= (this.#o.lossResnapshotMs ?? 60_000)) {
        this.#lost = false;
        this.#lossResnapshotAt = this.#now();
        this.#resnapshotNeeded = true;
      }
      if (this.#resnapshotNeeded) {
        this.#resnapshotNeeded = false;
        this.#dropLogged = false;
        logger.info('event bus accepts events again: resnapshotting every namespace');
        this.#o.onResnapshotNeeded();
      }
      next();
      // The bus works again: let the other lanes start.
      this.#kick();
    }
    this.#inFlight -= batch.length;
    // Stopped mid-batch: keep its entries counted as buffered for the final log line.
    if (batch.length > 0) {
      this.#queue.splice(this.#head, 0, ...batch);
    }
  }
}
