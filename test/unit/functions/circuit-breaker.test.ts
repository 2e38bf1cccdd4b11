// The per-cluster circuit breaker: the pure state machine (table-driven) and the ClusterApis
// wrapper over a fake cluster (calls counted, the clock passed in).
import { describe, expect, it } from 'vitest';
import {
  CLOSED, ClusterUnavailableError, DEFAULT_BREAKER_POLICY, admit, isClusterFailure, onFailure, onSuccess, openIntervalMs,
} from '../../../shared/adapters/kubernetes/circuit-breaker.ts';
import type { BreakerState } from '../../../shared/adapters/kubernetes/circuit-breaker.ts';
import { DEFAULT_CALL_POLICY, UnauthorizedError, kubeCall } from '../../../shared/adapters/kubernetes/call.ts';
import { guardClusterApis } from '../../../shared/adapters/kubernetes/guarded-cluster-apis.ts';
import { ConflictError, FinalError, RetryableError } from '../../../shared/errors.ts';
import type { ClusterApi, ClusterApis } from '../../../shared/ports.ts';
import { FakeInventory } from './fakes.ts';

const policy = DEFAULT_BREAKER_POLICY;
const T0 = 1_764_363_600_000;

describe('openIntervalMs: 2 s doubling to 60 s, ± 20 % jitter', () => {
  it.each([
    [1, 0.5, 2_000],
    [2, 0.5, 4_000],
    [3, 0.5, 8_000],
    [5, 0.5, 32_000],
    [6, 0.5, 60_000],
    [40, 0.5, 60_000],
    [1, 0, 1_600],
    [1, 0.999_999, 2_400],
    [6, 0.999_999, 60_000],
    [6, 0, 48_000],
  ])('after %i failure(s), random %f → %i ms', (failures, random, expected) => {
    expect(openIntervalMs(failures, policy, random)).toBe(expected);
  });
});

describe('the state machine', () => {
  const open = (failures: number, until: number): BreakerState => ({ kind: 'open', failures, until, lastError: 'timed out' });
  const probing = (failures: number, since: number): BreakerState => ({ kind: 'probing', failures, since, lastError: 'timed out' });

  it.each<[string, BreakerState, number, { ok: boolean; probe?: boolean; retryAt?: number; kind?: string }]>([
    ['closed admits', CLOSED, T0, { ok: true, probe: false, kind: 'closed' }],
    ['open refuses before its end', open(1, T0 + 2_000), T0 + 1_999, { ok: false, retryAt: T0 + 2_000 }],
    ['open admits one probe at its end', open(1, T0 + 2_000), T0 + 2_000, { ok: true, probe: true, kind: 'probing' }],
    ['a probe in flight refuses the others', probing(1, T0), T0 + 10, { ok: false, retryAt: T0 + policy.probeTimeoutMs }],
    ['a probe that never answered no longer blocks', probing(1, T0), T0 + policy.probeTimeoutMs, { ok: true, probe: true, kind: 'probing' }],
  ])('%s', (_name, state, now, expected) => {
    const a = admit(state, now, policy);
    expect(a.ok).toBe(expected.ok);
    if (a.ok) {
      expect(a.probe).toBe(expected.probe);
      expect(a.state.kind).toBe(expected.kind);
    } else {
      expect(a.retryAt).toBe(expected.retryAt);
    }
  });

  it.each<[string, BreakerState, number]>([
    ['closed → open for the first interval', CLOSED, 1],
    ['a failed probe → open, twice as long', probing(1, T0), 2],
    ['open (a late failure) counts on', open(3, T0), 4],
  ])('failure: %s', (_name, state, failures) => {
    const next = onFailure(state, T0, 'RetryableError: timed out', policy, 0.5);
    expect(next).toEqual({ kind: 'open', failures, until: T0 + openIntervalMs(failures, policy, 0.5), lastError: 'RetryableError: timed out' });
  });

  it('success closes from any state; inputs are not mutated', () => {
    const state = Object.freeze(probing(4, T0));
    expect(onSuccess(state)).toEqual(CLOSED);
    expect(onSuccess(Object.freeze(open(2, T0)))).toEqual(CLOSED);
    expect(state).toEqual(probing(4, T0));
  });

  it.each<[string, unknown, boolean]>([
    ['a timeout or 5xx after retries (RetryableError)', new RetryableError('clusterTwo: timed out after 3 attempt(s)'), true],
    ['a 409', new ConflictError('conflict'), false],
    ['a 403/422/404 (FinalError)', new FinalError('forbidden'), false],
    ['a 401 (credentials to reload)', new UnauthorizedError('unauthorized'), false],
    ['a refusal by the breaker itself', new ClusterUnavailableError('clusterTwo', T0, 1, 'x'), false],
    ['a programming error', new TypeError('bug'), false],
  ])('isClusterFailure: %s → %s', (_name, error, expected) => {
    expect(isClusterFailure(error)).toBe(expected);
  });
});

/** A cluster whose listSlices answers with the next queued outcome; counts calls. */
function fakeCluster(): { apis: ClusterApis; calls: () => number; next: (o: 'ok' | Error) => void } {
  const queue: ('ok' | Error)[] = [];
  let calls = 0;
  const api: ClusterApi = {
    async listSlices() {
      calls++;
      const o = queue.shift() ?? 'ok';
      if (o !== 'ok') throw o;
      return [];
    },
    listManagedSlices: async () => [],
    createSlice: async (s) => s,
    updateSlice: async (s) => s,
    deleteSlice: async () => {},
    recordEvent: async () => {},
    inventory: new FakeInventory(),
  };
  return { apis: { get: async () => api }, calls: () => calls, next: (o) => void queue.push(o) };
}

describe('guardClusterApis', () => {
  const down = () => new RetryableError('clusterTwo: list slices: timed out after 3 attempt(s); the sync will be retried by the queue');

  it('opens after a cluster failure, refuses at once with a clear error, probes once after the interval, closes on success', async () => {
    let now = T0;
    const cluster = fakeCluster();
    const apis = guardClusterApis(cluster.apis, { clock: () => now, random: () => 0.5 });
    const api = await apis.get('clusterTwo');

    cluster.next(down());
    await expect(api.listSlices('ns', 'svc')).rejects.toBeInstanceOf(RetryableError);
    expect(apis.state('clusterTwo')).toMatchObject({ kind: 'open', failures: 1, until: T0 + 2_000 });

    const refused = api.listSlices('ns', 'svc');
    await expect(refused).rejects.toBeInstanceOf(ClusterUnavailableError);
    await expect(refused).rejects.toThrow(/cluster clusterTwo is unavailable .*tried again at 2025-11-28T21:00:02.000Z; the sync will be retried by the queue/);
    expect(cluster.calls()).toBe(1);

    now = T0 + 2_000; // the probe fails: open twice as long
    cluster.next(down());
    await expect(api.listSlices('ns', 'svc')).rejects.toBeInstanceOf(RetryableError);
    expect(apis.state('clusterTwo')).toMatchObject({ kind: 'open', failures: 2, until: T0 + 6_000 });
    await expect(api.listSlices('ns', 'svc')).rejects.toBeInstanceOf(ClusterUnavailableError);
    expect(cluster.calls()).toBe(2);

    now = T0 + 6_000; // the probe succeeds: closed
    await expect(api.listSlices('ns', 'svc')).resolves.toEqual([]);
    expect(apis.state('clusterTwo')).toEqual(CLOSED);
    await api.listSlices('ns', 'svc');
    expect(cluster.calls()).toBe(4);
  });

  it('only one probe at a time; the others are refused while it runs', async () => {
    let now = T0;
    const cluster = fakeCluster();
    const apis = guardClusterApis(cluster.apis, { clock: () => now, random: () => 0.5 });
    const api = await apis.get('clusterTwo');
    cluster.next(down());
    await expect(api.listSlices('ns', 'svc')).rejects.toThrow();
    now = T0 + 2_000;
    const [probe, other] = await Promise.allSettled([api.listSlices('ns', 'svc'), api.listSlices('ns', 'svc')]);
    expect(probe.status).toBe('fulfilled');
    expect(other).toMatchObject({ status: 'rejected', reason: expect.any(ClusterUnavailableError) });
    expect(cluster.calls()).toBe(2);
  });

  it('calls failing together while closed open it once (not 2^n)', async () => {
    const cluster = fakeCluster();
    const apis = guardClusterApis(cluster.apis, { clock: () => T0, random: () => 0.5 });
    const api = await apis.get('clusterTwo');
    cluster.next(down());
    cluster.next(down());
    cluster.next(down());
    await Promise.allSettled([api.listSlices('a', 'b'), api.listSlices('a', 'b'), api.listSlices('a', 'b')]);
    expect(apis.state('clusterTwo')).toMatchObject({ kind: 'open', failures: 1 });
  });

  it.each<[string, Error]>([
    ['409', new ConflictError('conflict')],
    ['403', new FinalError('forbidden')],
    ['401', new UnauthorizedError('unauthorized')],
  ])('a %s is an answer: the breaker stays closed', async (_name, error) => {
    const cluster = fakeCluster();
    const apis = guardClusterApis(cluster.apis, { clock: () => T0 });
    const api = await apis.get('clusterTwo');
    cluster.next(error);
    await expect(api.listSlices('ns', 'svc')).rejects.toBe(error);
    expect(apis.state('clusterTwo')).toEqual(CLOSED);
  });

  it('a breaker per cluster: clusterOne is untouched by clusterTwo being open', async () => {
    const cluster = fakeCluster();
    const apis = guardClusterApis({ get: async (c) => (await cluster.apis.get(c)) }, { clock: () => T0 });
    cluster.next(down());
    await expect((await apis.get('clusterTwo')).listSlices('ns', 'svc')).rejects.toThrow();
    await expect((await apis.get('clusterOne')).listSlices('ns', 'svc')).resolves.toEqual([]);
    expect(apis.state('clusterOne')).toEqual(CLOSED);
    expect(apis.state('clusterTwo').kind).toBe('open');
  });
});

describe('kubeCall: stopRetrying (the breaker is not closed)', () => {
  it.each([
    [false, 3],
    [true, 1],
  ])('stopRetrying %s → %i attempt(s) of a call that fails with a network error', async (stop, attempts) => {
    let calls = 0;
    const policy = { ...DEFAULT_CALL_POLICY, attempts: 3, sleep: async () => {}, stopRetrying: () => stop };
    const op = async (): Promise<never> => {
      calls++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
    };
    await expect(kubeCall('clusterTwo: list slices', policy, op)).rejects.toThrow(new RegExp(`ECONNREFUSED 127.0.0.1:6443 after ${attempts} attempt\\(s\\)`));
    expect(calls).toBe(attempts);
  });
});
