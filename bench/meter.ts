// What each function invocation of the local pipeline costs, attributed to the function that
// made it (an AsyncLocalStorage tag set around each invocation, local/runner/runtime.ts's
// `instrument` hook): invocations and records, every DynamoDB call by command with the
// capacity DynamoDB reports for it (ReturnConsumedCapacity, computed by dynalite from the item
// sizes as DynamoDB does), every Kubernetes request, and — when switched on — the main
// thread's CPU time spent on the invocation's behalf.
//
// CPU time: an async hook tags every async resource created on an invocation's behalf and
// adds the thread CPU time (process.threadCpuUsage) of each callback that runs for a tagged
// resource, plus the invocation's synchronous start. It is thread CPU time, not wall time, so
// it does not grow when other processes share the machine; the hooks themselves slow the
// process, which is why the bench measures CPU in a run of its own.
import { AsyncLocalStorage, createHook, executionAsyncResource } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { FunctionInstrument, FunctionName } from '../local/runner/runtime.ts';

export const FUNCTIONS: readonly FunctionName[] = ['ingest', 'sync', 'reconcile'];

export interface FunctionCounts {
  invocations: number;
  records: number;
  /** DynamoDB calls by command (PutItem, Query, …); a failed conditional write counts under its command. */
  ddbCalls: Record<string, number>;
  /** Of which failed their condition (they still consume write capacity). */
  ddbConditionFailed: number;
  readUnits: number;
  writeUnits: number;
  kubeRequests: number;
  /** SendMessageBatch calls into the sync queue. */
  sqsSends: number;
  /** DeleteMessageBatch calls the function makes itself (a synced target's group freed before its batch returns). */
  sqsDeletes: number;
  /** Thread CPU ms; 0 unless CPU metering was on. */
  cpuMs: number;
}

export type Counts = Record<FunctionName, FunctionCounts>;

const empty = (): FunctionCounts => ({ invocations: 0, records: 0, ddbCalls: {}, ddbConditionFailed: 0, readUnits: 0, writeUnits: 0, kubeRequests: 0, sqsSends: 0, sqsDeletes: 0, cpuMs: 0 });
const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

type Tagged = { [TAG]?: FunctionName };
const TAG = Symbol('gns-bench-function');
const CONNECTIONS = new Set(['TCPWRAP', 'TLSWRAP', 'PIPEWRAP', 'TCPCONNECTWRAP']);

const cpuNowMs = (): number => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

export class Meter implements FunctionInstrument {
  readonly #als = new AsyncLocalStorage<FunctionName>();
  #counts: Counts = { ingest: empty(), sync: empty(), reconcile: empty() };
  #syncTag: FunctionName | undefined;
  #depth = 0;
  #segmentFn: FunctionName | undefined;
  #segmentStart = 0;
  readonly #hook = createHook({
    init: (_id, type, _trigger, resource) => {
      // Pooled connections serve every function after the one that opened them: untagged.
      if (CONNECTIONS.has(type)) return;
      const tag = this.#syncTag ?? (executionAsyncResource() as Tagged)[TAG];
      if (tag) (resource as Tagged)[TAG] = tag;
    },
    before: () => {
      if (this.#depth++ > 0) return;
      const tag = (executionAsyncResource() as Tagged)[TAG];
      if (tag) {
        this.#segmentFn = tag;
        this.#segmentStart = cpuNowMs();
      }
    },
    after: () => {
      if (--this.#depth > 0) return;
      this.#depth = 0;
      if (this.#segmentFn) this.#counts[this.#segmentFn].cpuMs += cpuNowMs() - this.#segmentStart;
      this.#segmentFn = undefined;
    },
  });
  #cpuOn = false;

  constructor() {
    // Kubernetes calls go through undici's fetch (@kubernetes/client-node); the request is
    // created in the caller's async context, so the tag tells which function made it.
    subscribe('undici:request:create', () => {
      const fn = this.#als.getStore();
      if (fn) this.#counts[fn].kubeRequests += 1;
    });
  }

  /** Counts every DynamoDB call made through `client` (and document clients built on it), with its consumed capacity. */
  attach(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const fn = this.#als.getStore();
        if (!fn) return next(args);
        const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
        const counts = this.#counts[fn];
        counts.ddbCalls[command] = (counts.ddbCalls[command] ?? 0) + 1;
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        try {
          const out = await next(args);
          const consumed = (out.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }).ConsumedCapacity;
          const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce((n, c) => n + (c.CapacityUnits ?? 0), 0);
          if (WRITES.has(command)) counts.writeUnits += units;
          else counts.readUnits += units;
          return out;
        } catch (error) {
          // A failed condition consumes write capacity as if the item were written: at least 1 unit.
          if (error instanceof Error && error.name === 'ConditionalCheckFailedException') {
            counts.ddbConditionFailed += 1;
            counts.writeUnits += 1;
          }
          throw error;
        }
      },
      { step: 'initialize', name: 'gnsBenchMeter', override: true },
    );
  }

  /** Counts each send call of a queue (the sync queue: SendMessageBatch of ≤ 10) for the function making it. */
  countSends<Q extends { send(messages: readonly unknown[]): Promise<unknown> }>(queue: Q): void {
    const send = queue.send.bind(queue);
    queue.send = (messages) => {
      const fn = this.#als.getStore();
      if (fn) this.#counts[fn].sqsSends += 1;
      return send(messages);
    };
  }

  /** Counts each DeleteMessageBatch call of a queue (≤ 10 entries) for the function making it. */
  countDeletes<Q extends { deleteMessages(handles: readonly string[]): Promise<unknown> }>(queue: Q): void {
    const remove = queue.deleteMessages.bind(queue);
    queue.deleteMessages = (handles) => {
      const fn = this.#als.getStore();
      if (fn) this.#counts[fn].sqsDeletes += 1;
      return remove(handles);
    };
  }

  /** Switches CPU metering on or off (async hooks: they slow the whole process while on). */
  meterCpu(on: boolean): void {
    if (on && !this.#cpuOn) this.#hook.enable();
    if (!on && this.#cpuOn) this.#hook.disable();
    this.#cpuOn = on;
  }

  around<T>(fn: FunctionName, records: number, invoke: () => Promise<T>): Promise<T> {
    const counts = this.#counts[fn];
    counts.invocations += 1;
    counts.records += records;
    return this.#als.run(fn, () => {
      if (!this.#cpuOn) return invoke();
      // Started from within another function's callback (a local queue pumping from an
      // ingest's send): that callback's clock pauses while this invocation's start runs.
      const outer = this.#segmentFn;
      const start = cpuNowMs();
      if (outer) this.#counts[outer].cpuMs += start - this.#segmentStart;
      this.#syncTag = fn;
      try {
        return invoke();
      } finally {
        this.#syncTag = undefined;
        const end = cpuNowMs();
        counts.cpuMs += end - start;
        if (outer) this.#segmentStart = end;
      }
    });
  }

  /** A copy of the counts so far. */
  snapshot(): Counts {
    return structuredClone(this.#counts);
  }
}

/** `after − before`, per function. */
export function diffCounts(after: Counts, before: Counts): Counts {
  const out = {} as Counts;
  for (const fn of FUNCTIONS) {
    const a = after[fn];
    const b = before[fn];
    const calls: Record<string, number> = {};
    for (const [k, v] of Object.entries(a.ddbCalls)) if (v - (b.ddbCalls[k] ?? 0) > 0) calls[k] = v - (b.ddbCalls[k] ?? 0);
    out[fn] = {
      invocations: a.invocations - b.invocations,
      records: a.records - b.records,
      ddbCalls: calls,
      ddbConditionFailed: a.ddbConditionFailed - b.ddbConditionFailed,
      readUnits: a.readUnits - b.readUnits,
      writeUnits: a.writeUnits - b.writeUnits,
      kubeRequests: a.kubeRequests - b.kubeRequests,
      sqsSends: a.sqsSends - b.sqsSends,
      sqsDeletes: a.sqsDeletes - b.sqsDeletes,
      cpuMs: a.cpuMs - b.cpuMs,
    };
  }
  return out;
}

export const ddbOps = (c: FunctionCounts): number => Object.values(c.ddbCalls).reduce((a, b) => a + b, 0);
