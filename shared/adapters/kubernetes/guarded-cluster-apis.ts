// ClusterApis behind a circuit breaker per cluster (./circuit-breaker.ts): after a call to a
// cluster failed for the cluster's sake, calls to it fail at once with ClusterUnavailableError
// until the open interval ends; then one probe call goes through. The sync function wraps its
// ClusterApis with this, so a dead cluster costs one slow failure per interval and container,
// not one per target and batch (docs/adr/0005-queues.md).
import { describeError } from '../../errors.ts';
import type { ClusterApi, ClusterApis } from '../../ports.ts';
import { CLOSED, ClusterUnavailableError, DEFAULT_BREAKER_POLICY, admit, isClusterFailure, onFailure, onSuccess } from './circuit-breaker.ts';
import type { BreakerPolicy, BreakerState } from './circuit-breaker.ts';

export interface GuardedClusterApisOptions {
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly policy?: Partial<BreakerPolicy>;
  /** In [0, 1): the jitter of the open intervals. */
  readonly random?: () => number;
  /** Called when a cluster's breaker opens or closes (for logs). */
  readonly onChange?: (cluster: string, state: BreakerState) => void;
}

export interface GuardedClusterApis extends ClusterApis {
  /** The breaker state of a cluster (closed for a cluster never called). */
  state(cluster: string): BreakerState;
}

/** Whether a cluster's calls should stop retrying inside the adapter: its breaker is open or probing. */
export type StopRetrying = (cluster: string) => boolean;

/**
 * `inner` may be a factory given a StopRetrying to pass to the Kubernetes adapter
 * (`stopRetrying` of kubeClusterApi's options): then a probe costs one attempt, and calls
 * in flight when another call opened the breaker stop retrying, instead of each paying the
 * per-call timeout × attempts of a dead cluster.
 */
export function guardClusterApis(inner: ClusterApis | ((stopRetrying: StopRetrying) => ClusterApis), options: GuardedClusterApisOptions): GuardedClusterApis {
  const policy: BreakerPolicy = { ...DEFAULT_BREAKER_POLICY, ...options.policy };
  const random = options.random ?? Math.random;
  const states = new Map<string, BreakerState>();
  const apis = typeof inner === 'function' ? inner((cluster) => (states.get(cluster) ?? CLOSED).kind !== 'closed') : inner;
  const wrapped = new Map<string, { readonly inner: ClusterApi; readonly api: ClusterApi }>();
  const stateOf = (cluster: string): BreakerState => states.get(cluster) ?? CLOSED;

  function set(cluster: string, next: BreakerState): void {
    const before = stateOf(cluster);
    states.set(cluster, next);
    if (before.kind !== next.kind || next.kind === 'open') options.onChange?.(cluster, next);
  }

  async function guarded<R>(cluster: string, call: () => Promise<R>): Promise<R> {
    const now = options.clock();
    const admission = admit(stateOf(cluster), now, policy);
    if (!admission.ok) throw new ClusterUnavailableError(cluster, admission.retryAt, admission.failures, admission.lastError);
    if (admission.state !== stateOf(cluster)) set(cluster, admission.state);
    try {
      const result = await call();
      if (stateOf(cluster).kind !== 'closed') set(cluster, onSuccess(stateOf(cluster)));
      return result;
    } catch (error) {
      const current = stateOf(cluster);
      if (isClusterFailure(error)) {
        // A call let in while closed opens the breaker once (calls failing together count as one
        // failure); only the probe's failure lengthens the interval.
        if (current.kind === 'closed' || (admission.probe && current.kind === 'probing')) {
          set(cluster, onFailure(current, options.clock(), describeError(error), policy, random()));
        }
      } else if (current.kind !== 'closed') {
        set(cluster, onSuccess(current)); // the cluster answered (409, 404, 403…)
      }
      throw error;
    }
  }

  function wrap(cluster: string, api: ClusterApi): ClusterApi {
    const g = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => (...a: A): Promise<R> => guarded(cluster, () => f(...a));
    return {
      listSlices: g(api.listSlices),
      listManagedSlices: g(api.listManagedSlices),
      createSlice: g(api.createSlice),
      updateSlice: g(api.updateSlice),
      deleteSlice: g(api.deleteSlice),
      recordEvent: g(api.recordEvent),
      ...(api.handBack ? { handBack: g(api.handBack.bind(api)) } : {}),
      inventory: { record: g(api.inventory.record.bind(api.inventory)), read: g(api.inventory.read.bind(api.inventory)), forget: g(api.inventory.forget.bind(api.inventory)) },
    };
  }

  return {
    async get(cluster) {
      const api = await apis.get(cluster);
      let hit = wrapped.get(cluster);
      if (hit?.inner !== api) {
        // A new inner api (credentials reloaded): wrap it; the breaker state stays the cluster's.
        hit = { inner: api, api: wrap(cluster, api) };
        wrapped.set(cluster, hit);
      }
      return hit.api;
    },
    state: stateOf,
  };
}
