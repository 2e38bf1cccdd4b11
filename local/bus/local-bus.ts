// An in-process EventBridge: PutEvents semantics (≤ 10 entries a call, per-entry errors),
// the shared rules (shared/rules.ts) routing to local queues, at-least-once delivery, a
// JSON-lines archive and replays from it. Used by `gns-sync local` and the e2e tests.
import type { EventBus, BusEntry } from '../../shared/ports.ts';
import type { EventPattern, RuleDefinition } from '../../shared/rules.ts';
import { ARCHIVE_PATTERN } from '../../shared/rules.ts';
import type { FileArchive, ArchivedEvent } from './archive.ts';
import { MAX_ENTRIES_PER_CALL, toEnvelope, type BusEnvelope } from './envelope.ts';
import { matchesPattern } from './pattern.ts';
import { prng } from '../../shared/core/prng.ts';

/** A rule target: a local queue (or anything that accepts the envelope as a message body). */
export interface BusTarget {
  send(body: string): Promise<void> | void;
}

export interface BusFaults {
  /** Deliver every event this many times (default 1). */
  copies: number;
  /** Shuffle deliveries (within a call, and across calls by a random delay up to `maxDelayMs`). */
  shuffle: boolean;
  maxDelayMs: number;
  /** Fail this fraction of entries with `InternalFailure` (retryable, like AWS). */
  internalFailureRate: number;
}

export interface LocalBusOptions {
  readonly rules: readonly { readonly rule: RuleDefinition; readonly target: BusTarget }[];
  readonly archive?: FileArchive;
  readonly archivePattern?: EventPattern;
  readonly now?: () => number;
  /** Seed of the fault knobs' random choices (shuffle, delays, failures). */
  readonly seed?: number;
  /** Delivery retries to a failing target (EventBridge retries for 24 h; locally bounded). */
  readonly maxDeliveryAttempts?: number;
  readonly log?: (line: string) => void;
}

export interface BusCounters {
  putCalls: number;
  entries: number;
  failedEntries: number;
  deliveries: number;
  failedDeliveries: number;
  archived: number;
  replayed: number;
}

/** PutEvents with more than 10 entries fails as a whole, like AWS's ValidationException. */
export class BusValidationError extends Error {
  override readonly name = 'ValidationException';
}

export class LocalBus implements EventBus {
  readonly faults: BusFaults = { copies: 1, shuffle: false, maxDelayMs: 0, internalFailureRate: 0 };
  readonly counters: BusCounters = { putCalls: 0, entries: 0, failedEntries: 0, deliveries: 0, failedDeliveries: 0, archived: 0, replayed: 0 };
  readonly #rules: LocalBusOptions['rules'];
  readonly #archive: FileArchive | undefined;
  readonly #archivePattern: EventPattern;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #maxAttempts: number;
  readonly #log: (line: string) => void;
  readonly #pending = new Set<Promise<void>>();
  #stopped = false;

  constructor(options: LocalBusOptions) {
    this.#rules = options.rules;
    this.#archive = options.archive;
    this.#archivePattern = options.archivePattern ?? ARCHIVE_PATTERN;
    this.#now = options.now ?? Date.now;
    this.#random = prng(options.seed ?? 1);
    this.#maxAttempts = options.maxDeliveryAttempts ?? 8;
    this.#log = options.log ?? (() => undefined);
  }

  async put(entries: readonly BusEntry[]): Promise<readonly { index: number; errorCode: string; errorMessage?: string }[]> {
    if (this.#stopped) throw new Error('the local event bus is stopped; the caller should buffer and retry');
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > MAX_ENTRIES_PER_CALL) {
      throw new BusValidationError(`PutEvents takes 1 to ${MAX_ENTRIES_PER_CALL} entries, got ${Array.isArray(entries) ? entries.length : 'none'}; nothing was put`);
    }
    this.counters.putCalls += 1;
    this.counters.entries += entries.length;
    const now = this.#now();
    const failed: { index: number; errorCode: string; errorMessage?: string }[] = [];
    const accepted: ArchivedEvent[] = [];
    entries.forEach((entry, index) => {
      if (this.faults.internalFailureRate > 0 && this.#random() < this.faults.internalFailureRate) {
        failed.push({ index, errorCode: 'InternalFailure', errorMessage: 'Injected failure (local bus fault knob): retry the entry.' });
        return;
      }
      const result = toEnvelope(entry, new Date(now));
      if (!result.ok) {
        failed.push({ index, ...result.error });
        return;
      }
      const t = entry.time instanceof Date && !Number.isNaN(entry.time.getTime()) ? entry.time.getTime() : now;
      accepted.push({ t, event: result.envelope });
    });
    this.counters.failedEntries += failed.length;
    const toArchive = accepted.filter((a) => matchesPattern(this.#archivePattern, a.event as unknown as Record<string, unknown>));
    this.#archive?.append(toArchive);
    this.counters.archived += toArchive.length;
    this.#route(accepted.map((a) => a.event));
    return failed;
  }

  /**
   * Replays the archived events with `from <= time < to`, marked with `replay-name` (and not
   * archived again). Resolves once they are handed to the rule targets; returns how many.
   */
  async replay(options: { name: string; fromMs: number; toMs: number }): Promise<{ events: number; skipped: number }> {
    if (!this.#archive) throw new Error('this bus has no archive to replay from');
    const { events, skipped } = await this.#archive.read(options.fromMs, options.toMs);
    const replayed = events.map((e): BusEnvelope => ({ ...e.event, 'replay-name': options.name }));
    this.counters.replayed += replayed.length;
    this.#route(replayed);
    await this.drain();
    return { events: replayed.length, skipped };
  }

  /** Resolves when every delivery started so far has completed (or given up). */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Stops accepting puts and waits for the deliveries in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.drain();
  }

  #route(events: readonly BusEnvelope[]): void {
    const deliveries: { target: BusTarget; body: string }[] = [];
    for (const event of events) {
      const body = JSON.stringify(event);
      for (const { rule, target } of this.#rules) {
        if (!matchesPattern(rule.pattern, event as unknown as Record<string, unknown>)) continue;
        for (let i = 0; i < Math.max(1, this.faults.copies); i += 1) deliveries.push({ target, body });
      }
    }
    if (this.faults.shuffle) {
      for (let i = deliveries.length - 1; i > 0; i -= 1) {
        const j = Math.floor(this.#random() * (i + 1));
        [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
      }
    }
    for (const delivery of deliveries) {
      const delay = this.faults.shuffle ? Math.floor(this.#random() * this.faults.maxDelayMs) : 0;
      const done = this.#deliver(delivery.target, delivery.body, delay).finally(() => this.#pending.delete(done));
      this.#pending.add(done);
    }
  }

  async #deliver(target: BusTarget, body: string, delayMs: number): Promise<void> {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    for (let attempt = 1; ; attempt += 1) {
      try {
        await target.send(body);
        this.counters.deliveries += 1;
        return;
      } catch (error) {
        if (attempt >= this.#maxAttempts) {
          this.counters.failedDeliveries += 1;
          this.#log(`bus: gave up delivering an event after ${attempt} attempts: ${(error as Error).message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 10 * 2 ** attempt)));
      }
    }
  }
}
