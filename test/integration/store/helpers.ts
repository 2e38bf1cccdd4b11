// Shared by the store tests: one dynalite per test file, a fresh table per test, clients with
// injected crashes, and event factories.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { formatHlc, parseHlc } from '../../../shared/core/hlc.ts';
import type { GnsEvent, PodUpsert, ServiceUpsert } from '../../../shared/schemas/events.ts';

type Pod = PodUpsert['pod'];
type Service = ServiceUpsert['service'];
import { ensureTable, localClient, startLocalDynamo } from '../../../local/dynamo/start.ts';
import type { LocalDynamo } from '../../../local/dynamo/start.ts';

/** A maker of temporary directories named `<prefix>…`, all removed after the file's tests. */
export function tempDirs(prefix: string): () => string {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}

export interface TestDynamo {
  readonly engine: () => LocalDynamo;
  /** A new, empty table (created from the shared definition) and its name. */
  freshTable(): Promise<string>;
}

let tables = 0;

/** Starts dynalite in memory for the test file. */
export function useDynamo(): TestDynamo {
  let engine: LocalDynamo | undefined;
  beforeAll(async () => {
    engine = await startLocalDynamo();
  });
  afterAll(async () => {
    await engine?.stop();
  });
  return {
    engine: () => {
      if (!engine) throw new Error('dynalite not started');
      return engine;
    },
    async freshTable() {
      if (!engine) throw new Error('dynalite not started');
      const name = `t${++tables}-${process.pid}`;
      await ensureTable(engine.client, name);
      return name;
    },
  };
}

/** Thrown by a crashing client: the process "died" before or after a write reached the table. */
export class InjectedCrash extends Error {
  override readonly name = 'InjectedCrash';
}

const WRITES = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand']);

export interface CrashPlan {
  /** Crash at these write numbers (1-based, counted on this client)… */
  readonly at?: readonly number[];
  /** …or at random with this probability per write (deterministic from `seed`). */
  readonly probability?: number;
  readonly seed?: number;
  /** Before the write is sent (it never happens) or after it succeeded (the reply is lost). */
  readonly when: 'before' | 'after' | 'both';
}

/** A client for the same endpoint whose Nth write throws InjectedCrash, before or after it takes effect. */
export function crashingClient(endpoint: string, plan: CrashPlan): { client: DynamoDBClient; writes: () => number; crashes: () => number } {
  const client = localClient(endpoint);
  let writes = 0;
  let crashes = 0;
  let seed = plan.seed ?? 1;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!WRITES.has(String(context.commandName))) return next(args);
      const n = ++writes;
      const hit = plan.at?.includes(n) || (plan.probability !== undefined && random() < plan.probability);
      const when = plan.when === 'both' ? (random() < 0.5 ? 'before' : 'after') : plan.when;
      if (hit && when === 'before') {
        crashes++;
        throw new InjectedCrash(`crash before write ${n} (${String(context.commandName)})`);
      }
      const result = await next(args);
      if (hit && when === 'after') {
        crashes++;
        throw new InjectedCrash(`crash after write ${n} (${String(context.commandName)})`);
      }
      return result;
    },
    { step: 'initialize', name: 'injectedCrashes' },
  );
  return { client, writes: () => writes, crashes: () => crashes };
}

/** A client whose Nth write waits until `resume()` is called (`paused` resolves when it is waiting). */
export function pausingClient(endpoint: string, n: number): { client: DynamoDBClient; paused: Promise<void>; resume: () => void } {
  const client = localClient(endpoint);
  let writes = 0;
  let onPaused: () => void = () => undefined;
  let resume: () => void = () => undefined;
  const paused = new Promise<void>((resolve) => (onPaused = resolve));
  const gate = new Promise<void>((resolve) => (resume = resolve));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (WRITES.has(String(context.commandName)) && ++writes === n) {
        onPaused();
        await gate;
      }
      return next(args);
    },
    { step: 'initialize', name: 'pausedWrite' },
  );
  return { client, paused, resume };
}

/** A deterministic PRNG for shuffles and histories. */
export { prng } from '../../../shared/core/prng.ts';

export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

export const hlc = (ms: number, counter = 0): string => formatHlc(1_764_366_000_000 + ms, counter);

export function pod(name: string, overrides: Partial<Pod> = {}): Pod {
  return {
    name,
    uid: `uid-${name}`,
    labels: { app: 'kafka' },
    ips: ['10.0.0.1'],
    hostname: name,
    ready: true,
    terminating: false,
    ports: [{ name: 'kafka', containerPort: 9092, protocol: 'TCP' }],
    controller: { kind: 'StatefulSet', name: 'kafka' },
    ...overrides,
  };
}

export function service(name: string, overrides: Partial<Service> = {}): Service {
  return {
    name,
    uid: `uid-${name}`,
    annotations: { 'gns-sync.io/endpoints.statefulset': '{"app":"kafka"}' },
    clusterIP: 'None',
    publishNotReadyAddresses: false,
    ports: [{ name: 'kafka', port: 9092, protocol: 'TCP' }],
    ...overrides,
  };
}

const scope = { cluster: 'one', namespace: 'ns-one' };
/** Contract v2's observation time: the version's wall-clock milliseconds. */
const seen = (v: string): number => parseHlc(v).ms;

export const podUpsert = (v: string, p: Pod, s = scope): GnsEvent => ({ type: 'gns-sync.pod.upsert.v2', detail: { ...s, v, observedAt: seen(v), pod: p } });
export const podDelete = (v: string, name: string, uid = `uid-${name}`, s = scope): GnsEvent => ({ type: 'gns-sync.pod.delete.v2', detail: { ...s, v, observedAt: seen(v), name, uid } });
export const serviceUpsert = (v: string, svc: Service, s = scope): GnsEvent => ({ type: 'gns-sync.service.upsert.v2', detail: { ...s, v, observedAt: seen(v), service: svc } });
export const serviceDelete = (v: string, name: string, s = scope): GnsEvent => ({ type: 'gns-sync.service.delete.v2', detail: { ...s, v, observedAt: seen(v), name, uid: `uid-${name}` } });

export function snapshot(
  v: string,
  pods: readonly { v: string; record: Pod }[],
  services: readonly { v: string; record: Service }[] = [],
  options: { part?: number; parts?: number; keys?: readonly string[]; s?: typeof scope; id?: string } = {},
): GnsEvent {
  const keys = options.keys ?? [...pods.map((p) => `pod/${p.record.name}`), ...services.map((p) => `service/${p.record.name}`)];
  return {
    type: 'gns-sync.namespace.snapshot.v2',
    detail: {
      ...(options.s ?? scope),
      v,
      observedAt: seen(v),
      snapshotId: options.id ?? `snap-${v}`,
      part: options.part ?? 1,
      parts: options.parts ?? 1,
      keys: [...keys],
      pods: pods.map((p) => ({ v: p.v, record: p.record })),
      services: services.map((p) => ({ v: p.v, record: p.record })),
    },
  };
}

/**
 * The acceptance sizes (e.g. 10,000 merged events, 5,000 rebuilt VIPs) instead of the
 * smaller ones `npm test` runs: `npm run test:full-size` sets it. Each test that reads it says
 * why its smaller size takes the same paths.
 */
export const FULL_SIZE = process.env.GNS_SYNC_TEST_FULL_SIZE === '1';
