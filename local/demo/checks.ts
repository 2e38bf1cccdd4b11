// Waiting for facts about the clusters: used by `demo --once` and the e2e tests.
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from './kube.ts';
import type { Resolution, Resolver } from './resolve-table.ts';
import { isVip } from './resolve-table.ts';
import type { RouteEnd } from './route-ends.ts';
import { routeKey } from './route-ends.ts';
import { podHostname, SOURCE, TARGETS } from './scenario.ts';

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Pod name → pod IP of the Kafka pods that have one. */
export async function kafkaPodIps(kube: Kube): Promise<Map<string, string>> {
  const pods = await kube.list<V1Pod>(SOURCE.cluster, 'v1', 'Pod', SOURCE.namespace);
  return new Map(pods.filter((p) => p.status?.podIP && !p.metadata?.deletionTimestamp).map((p) => [p.metadata!.name!, p.status!.podIP!]));
}

export interface Converged {
  /** kafka-N → pod IP (what clusterOne/ns-two resolves). */
  readonly podIps: ReadonlyMap<string, string>;
  /** kafka-N → VIP (what clusterTwo/ns-one resolves). */
  readonly vips: ReadonlyMap<string, string>;
}

/**
 * The scenario's facts for `replicas` pods: in clusterOne/ns-two each kafka-N resolves to its
 * pod IP; in clusterTwo/ns-one to one VIP, all distinct; kafka-N for N ≥ replicas resolves nowhere.
 */
export async function checkConverged(kube: Kube, clusters: (name: string) => Resolver, replicas: number): Promise<Converged | undefined> {
  const ips = await kafkaPodIps(kube);
  const [same, remote] = [TARGETS[0]!, TARGETS[1]!];
  const podIps = new Map<string, string>();
  const vips = new Map<string, string>();
  for (let i = 0; i < replicas + 2; i += 1) {
    const pod = `kafka-${i}`;
    const local = clusters(same.cluster).resolve(podHostname(i, same.namespace), 'A');
    const far = clusters(remote.cluster).resolve(podHostname(i, remote.namespace), 'A');
    if (i >= replicas) {
      if (local.length > 0 || far.length > 0) return undefined;
      continue;
    }
    const ip = ips.get(pod);
    if (!ip || local.length !== 1 || local[0] !== ip) return undefined;
    if (far.length !== 1 || !isVip(far[0]!)) return undefined;
    podIps.set(pod, ip);
    vips.set(pod, far[0]!);
  }
  if (new Set(vips.values()).size !== vips.size) return undefined;
  return { podIps, vips };
}

/**
 * routing: istio — every name kafka-0 … kafka-(replicas−1) of every target, followed as
 * `gns-sync trace` follows it from the target's cluster, reaches its own pod, ready, at the pod
 * IP `podIps` gives. Returns a line per name that does not (empty: all do).
 */
export function unroutedNames(rows: readonly Resolution[], ends: ReadonlyMap<string, RouteEnd>, podIps: ReadonlyMap<string, string>, replicas: number): string[] {
  const out: string[] = [];
  for (const row of rows) {
    if (row.ordinal >= replicas) continue;
    const pod = `kafka-${row.ordinal}`;
    const end = ends.get(routeKey(row.cluster, row.hostname));
    const reached = end?.result.end;
    if (!end?.result.ok || reached?.cluster !== SOURCE.cluster || reached.namespace !== SOURCE.namespace || reached.pod !== pod || reached.ip !== podIps.get(pod)) {
      out.push(`${row.hostname} from ${row.cluster}: ${end?.full ?? 'not traced'}`);
    }
  }
  return out;
}
