// A local SQS queue with a Lambda event source mapping (docs/adr/0005-queues.md): batches by
// size and window, visibility timeout, receive count → dead-letter file, partial batch
// failures (`batchItemFailures`), DeleteMessageBatch by receipt handle while a batch runs, and
// for FIFO: order and one in-flight batch per MessageGroupId (a group's messages deleted, the
// group is free), deduplication by MessageDeduplicationId for 5 minutes.
import { randomUUID } from 'node:crypto';
import type { DeadLetterFile } from './dead-letter-file.ts';
import { selectBatch } from './select-batch.ts';
import {
  md5, md5OfAttributes, newReceiptHandle, stringAttributes, type SqsHandler, type SqsRecord,
} from './sqs-shape.ts';

export const DEDUP_WINDOW_MS = 5 * 60_000;
/** SQS's message size limit (1 MiB since 2025). */
export const MAX_MESSAGE_BYTES = 1_048_576;

export interface QueueMessageInput {
  readonly body: string;
  /** FIFO only (required there). */
  readonly groupId?: string;
  /** FIFO only (required there: content-based deduplication is off, ADR 0005). */
  readonly dedupId?: string;
  /** String message attributes. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface LocalQueueOptions {
  readonly name: string;
  readonly fifo: boolean;
  /** Messages per batch (Lambda's BatchSize). */
  readonly batchSize: number;
  /** How long to wait to fill a batch (Lambda's MaximumBatchingWindowInSeconds, in ms). */
  readonly batchWindowMs: number;
  readonly visibilityTimeoutMs: number;
  /** After this many receives without success, the message goes to the dead-letter file. */
  readonly maxReceiveCount: number;
  readonly deadLetters?: DeadLetterFile;
  /**
   * Why a message reported as a batch item failure failed, when the consumer knows (the SQS
   * contract carries only its id): the last error goes into the dead-letter reason.
   */
  readonly failureReason?: (message: { readonly body: string; readonly groupId?: string }) => string | undefined;
  /** Batches in flight at once (Lambda concurrency). */
  readonly concurrency?: number;
  readonly region?: string;
  readonly account?: string;
  readonly now?: () => number;
  readonly log?: (line: string) => void;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly groupId?: string;
  readonly dedupId?: string;
  readonly sentAt: number;
  readonly sequence: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** When it becomes receivable (0: now). */
  visibleAt: number;
  /** The current receipt; a stale handle (received again after a visibility timeout) cannot delete it. */
  receiptHandle?: string;
  /** A handler holds it now (FIFO: its group stays locked even past the visibility timeout). */
  inFlight: boolean;
  lastError?: string;
}

/** Bad input to `send`: nothing of that call was enqueued. */
export class QueueInputError extends Error {
  override readonly name = 'QueueInputError';
}

export interface QueueCounters {
  sent: number;
  deduplicated: number;
  received: number;
  deleted: number;
  /** DeleteMessageBatch calls from a handler (the event source's own deletes are not counted here). */
  deleteCalls: number;
  failed: number;
  deadLettered: number;
  batches: number;
}

export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  readonly counters: QueueCounters = { sent: 0, deduplicated: 0, received: 0, deleted: 0, deleteCalls: 0, failed: 0, deadLettered: 0, batches: 0 };
  readonly #o: Required<Omit<LocalQueueOptions, 'deadLetters' | 'failureReason'>> & Pick<LocalQueueOptions, 'deadLetters' | 'failureReason'>;
  /** In send order (FIFO order per group). */
  readonly #messages: StoredMessage[] = [];
  readonly #dedup = new Map<string, number>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #idleWaiters: (() => void)[] = [];
  #handler: SqsHandler | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timerAt = Infinity;
  #sequence = 0;
  #stopped = false;

  constructor(options: LocalQueueOptions) {
    if (options.fifo !== options.name.endsWith('.fifo')) {
      throw new QueueInputError(`queue "${options.name}": a FIFO queue's name must end in .fifo, and only a FIFO queue's`);
    }
    this.#o = {
      concurrency: 4, region: 'local-1', account: '000000000000', now: Date.now, log: () => undefined, ...options,
    };
    this.name = options.name;
    this.arn = `arn:aws:sqs:${this.#o.region}:${this.#o.account}:${options.name}`;
  }

  /** SendMessageBatch, locally: validates every message first (all or nothing), then enqueues. */
  async send(messages: readonly QueueMessageInput[]): Promise<{ sent: number; deduplicated: number }> {
    if (this.#stopped) throw new Error(`queue "${this.name}" is stopped; the message was not sent (the sender should retry)`);
    messages.forEach((m, i) => this.#validate(m, i));
    const now = this.#o.now();
    this.#pruneDedup(now);
    let sent = 0;
    let deduplicated = 0;
    for (const m of messages) {
      if (this.#o.fifo && m.dedupId !== undefined) {
        const until = this.#dedup.get(m.dedupId);
        if (until !== undefined && until > now) {
          deduplicated += 1;
          continue;
        }
        this.#dedup.set(m.dedupId, now + DEDUP_WINDOW_MS);
      }
      this.#messages.push({
        messageId: randomUUID(),
        body: m.body,
        attributes: m.attributes ?? {},
        ...(this.#o.fifo ? { groupId: m.groupId, dedupId: m.dedupId } : {}),
        sentAt: now,
        sequence: (this.#sequence += 1),
        receiveCount: 0,
        visibleAt: 0,
        inFlight: false,
      });
      sent += 1;
    }
    this.counters.sent += sent;
    this.counters.deduplicated += deduplicated;
    if (sent > 0) this.#pump();
    return { sent, deduplicated };
  }

  /**
   * DeleteMessageBatch, locally: deletes each message by the receipt handle of its current
   * receive, even while its batch is still in flight (a FIFO group whose messages are all deleted
   * takes its next message at once). A handle that names no stored message (deleted already, or
   * received again since) is returned with SQS's error code, and nothing changes for it.
   */
  async deleteMessages(receiptHandles: readonly string[]): Promise<{ failed: { receiptHandle: string; error: string }[] }> {
    if (receiptHandles.length < 1 || receiptHandles.length > 10) throw new QueueInputError(`queue "${this.name}": DeleteMessageBatch takes 1 to 10 entries, not ${receiptHandles.length}; nothing was deleted`);
    this.counters.deleteCalls += 1;
    const failed: { receiptHandle: string; error: string }[] = [];
    for (const handle of receiptHandles) {
      const m = this.#messages.find((x) => x.receiptHandle === handle);
      if (m) this.#delete(m);
      else failed.push({ receiptHandle: handle, error: 'ReceiptHandleIsInvalid: the receipt handle names no message in flight' });
    }
    this.#pump();
    return { failed };
  }

  /** Connects the consumer (the event source mapping) and starts delivering. */
  attach(handler: SqsHandler): void {
    this.#handler = handler;
    this.#pump();
  }

  /** Messages not yet deleted (visible, waiting or in flight). */
  get depth(): number {
    return this.#messages.length;
  }

  /** Resolves when the queue is empty and no batch is in flight. */
  async drain(): Promise<void> {
    if (this.#messages.length === 0 && this.#inFlight.size === 0) return;
    await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops receiving and waits for the batches in flight; undelivered messages are dropped (they live in memory). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #validate(m: QueueMessageInput, index: number): void {
    const where = `queue "${this.name}" message ${index}`;
    if (typeof m.body !== 'string' || m.body.length === 0) throw new QueueInputError(`${where}: the body must be a non-empty string; nothing was sent`);
    if (Buffer.byteLength(m.body, 'utf8') > MAX_MESSAGE_BYTES) throw new QueueInputError(`${where}: the body exceeds ${MAX_MESSAGE_BYTES} bytes; nothing was sent`);
    if (this.#o.fifo) {
      if (!m.groupId) throw new QueueInputError(`${where}: a FIFO queue needs a MessageGroupId; nothing was sent`);
      if (!m.dedupId) throw new QueueInputError(`${where}: a FIFO queue without content-based deduplication needs a MessageDeduplicationId; nothing was sent`);
      if (m.groupId.length > 128 || m.dedupId.length > 128) throw new QueueInputError(`${where}: MessageGroupId and MessageDeduplicationId are at most 128 characters; nothing was sent`);
    }
  }

  #pruneDedup(now: number): void {
    if (this.#dedup.size < 10_000) return;
    for (const [id, until] of this.#dedup) if (until <= now) this.#dedup.delete(id);
  }

  #schedule(at: number): void {
    if (this.#stopped || at >= this.#timerAt) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerAt = at;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#timerAt = Infinity;
      this.#pump();
    }, Math.max(0, at - this.#o.now()));
  }

  #pump(): void {
    if (this.#stopped || !this.#handler) return;
    while (this.#inFlight.size < this.#o.concurrency) {
      const now = this.#o.now();
      const { batch, expired, wakeAt } = selectBatch(this.#messages, now, this.#o);
      for (const m of expired) this.#deadLetter(m);
      if (wakeAt !== undefined) this.#schedule(wakeAt);
      if (batch.length === 0) break;
      this.#run(batch, now);
    }
    this.#notifyIdle();
  }

  #run(batch: StoredMessage[], now: number): void {
    const records: SqsRecord[] = batch.map((m) => {
      m.receiveCount += 1;
      m.firstReceivedAt ??= now;
      m.visibleAt = now + this.#o.visibilityTimeoutMs;
      m.receiptHandle = newReceiptHandle();
      m.inFlight = true;
      return this.#record(m);
    });
    this.counters.received += batch.length;
    this.counters.batches += 1;
    const handles = new Map(batch.map((m) => [m.messageId, m.receiptHandle]));
    const done = this.#invoke(records).then((failedIds) => {
      let retryAt = Infinity;
      for (const m of batch) {
        if (m.receiptHandle !== handles.get(m.messageId)) continue; // re-received after a visibility timeout
        // Deleted already by the handler (DeleteMessageBatch): the event source's delete changes nothing.
        if (!this.#messages.includes(m)) continue;
        m.inFlight = false;
        if (failedIds.ids.has(m.messageId)) {
          m.lastError = failedIds.error ?? this.#o.failureReason?.(m) ?? 'reported as a batch item failure';
          this.counters.failed += 1;
          retryAt = Math.min(retryAt, m.visibleAt);
          continue; // visible again when its visibility timeout expires
        }
        this.#delete(m);
      }
      if (retryAt < Infinity) this.#schedule(retryAt);
    }).finally(() => {
      this.#inFlight.delete(done);
      this.#pump();
    });
    this.#inFlight.add(done);
  }

  async #invoke(records: SqsRecord[]): Promise<{ ids: Set<string>; error?: string }> {
    try {
      const response = await this.#handler!({ Records: records });
      const failures = response?.batchItemFailures ?? [];
      return { ids: new Set(failures.map((f) => f.itemIdentifier)) };
    } catch (error) {
      this.#o.log(`queue ${this.name}: the handler failed the whole batch of ${records.length}: ${(error as Error).message}`);
      return { ids: new Set(records.map((r) => r.messageId)), error: (error as Error).message };
    }
  }

  #record(m: StoredMessage): SqsRecord {
    return {
      messageId: m.messageId,
      receiptHandle: m.receiptHandle!,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(m.receiveCount),
        SentTimestamp: String(m.sentAt),
        SenderId: 'AIDAIENQZJOLO23YVJ4VO',
        ApproximateFirstReceiveTimestamp: String(m.firstReceivedAt ?? m.sentAt),
        ...(m.groupId !== undefined
          ? { SequenceNumber: String(m.sequence).padStart(20, '0'), MessageGroupId: m.groupId, MessageDeduplicationId: m.dedupId }
          : {}),
      },
      messageAttributes: stringAttributes(m.attributes),
      md5OfBody: md5(m.body),
      md5OfMessageAttributes: md5OfAttributes(m.attributes),
      eventSource: 'aws:sqs',
      eventSourceARN: this.arn,
      awsRegion: this.#o.region,
    };
  }

  #delete(m: StoredMessage): void {
    const i = this.#messages.indexOf(m);
    if (i >= 0) this.#messages.splice(i, 1);
    this.counters.deleted += 1;
  }

  #deadLetter(m: StoredMessage): void {
    const i = this.#messages.indexOf(m);
    if (i >= 0) this.#messages.splice(i, 1);
    this.counters.deadLettered += 1;
    const reason = `received ${m.receiveCount} times without success (maxReceiveCount ${this.#o.maxReceiveCount})${m.lastError ? `; last error: ${m.lastError}` : ''}`;
    this.#o.log(`queue ${this.name}: message ${m.messageId} to the dead-letter queue: ${reason}`);
    this.#o.deadLetters?.append({ body: m.body, reason, origin: this.name, messageId: m.messageId, queue: this.name });
  }

  #notifyIdle(): void {
    if (this.#messages.length === 0 && this.#inFlight.size === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }
}
