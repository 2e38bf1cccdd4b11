// The e2e world: two simulated clusters with the seed's scenario, and `gns-sync local`
// (in-process) on a temporary state directory. Helpers to wait for facts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { checkConverged, type Converged, waitFor } from '../../local/demo/checks.ts';
import { createScenario } from '../../local/demo/demo.ts';
import { installGnsSync } from '../../local/demo/identities.ts';
import { Kube } from '../../local/demo/kube.ts';
import { OWN_NAMESPACE } from '../../local/manifests/contribution.ts';
import { DEMO_CONFIG } from '../../local/demo/scenario.ts';
import type { LocalRuntime, StartLocalOptions } from '../../local/runner/runtime.ts';
import { startLocal } from '../../local/runner/runtime.ts';
import { startSimClusters, type SimFleet } from '../../local/sim/index.ts';
import type { Config } from '../../shared/config/schema.ts';

export { waitFor };

export interface World {
  readonly fleet: SimFleet;
  readonly kube: Kube;
  readonly stateDir: string;
  readonly lines: string[];
  /** The in-process runtime (unset when the world was started with `start: false`). */
  runtime: LocalRuntime;
  readonly base: StartLocalOptions;
  /** Stops the runtime and starts it again on the same state directory (optionally with another config). */
  restart(options?: Partial<StartLocalOptions>): Promise<LocalRuntime>;
  converged(replicas: number, timeoutMs?: number): Promise<Converged>;
  slices(cluster: string, namespace: string, service?: string): Promise<V1EndpointSlice[]>;
  /** Writes (create, update, delete) of gns-sync's EndpointSlices in every cluster so far. */
  sliceWrites(): number;
  stop(): Promise<void>;
}

export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), 'gns-e2e-'));
}

/**
 * `rbac` (default true): the clusters enforce RBAC, gns-sync's rendered manifests are installed in
 * them, and the agents and the writer run with their own ServiceAccount tokens (local/demo/identities.ts).
 */
export async function startWorld(options: { replicas?: number; config?: Config; runtime?: Partial<StartLocalOptions>; scenario?: boolean; start?: boolean; rbac?: boolean } = {}): Promise<World> {
  const rbac = options.rbac ?? true;
  // Deleted pods are Terminating (not ready, terminating endpoints) for 200 ms, then gone.
  const fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], dns: true, readyDelayMs: 20, containerStopMs: 200, rbac });
  const kube = new Kube(fleet.kubeconfigYaml());
  if (options.scenario ?? true) await createScenario(kube, options.replicas ?? 3);
  const stateDir = tempStateDir();
  const lines: string[] = [];
  let sliceWrites = 0;
  for (const cluster of fleet.clusters) {
    cluster.store.subscribe((event) => {
      const labels = (event.object.metadata as { labels?: Record<string, string> } | undefined)?.labels;
      if (event.storage === 'endpointslices.discovery.k8s.io' && labels?.['endpointslice.kubernetes.io/managed-by'] === 'gns-sync.io') sliceWrites += 1;
    });
  }
  const config = options.config ?? DEMO_CONFIG;
  const identities = rbac ? await installGnsSync(fleet, config) : undefined;
  const base: StartLocalOptions = {
    config,
    kubeconfigYaml: fleet.kubeconfigYaml(),
    ...(identities ? { identities, leaseNamespace: OWN_NAMESPACE } : {}),
    stateDir,
    log: (line) => void lines.push(line),
    reconcileIntervalMs: 0,
    syncVisibilityTimeoutMs: 300,
    clusterTimeoutMs: 1_000,
    quiet: true,
    ...options.runtime,
  };
  const world: World = {
    fleet,
    kube,
    stateDir,
    lines,
    base,
    runtime: (options.start ?? true) ? await startLocal(base) : (undefined as unknown as LocalRuntime),
    async restart(more = {}) {
      await world.runtime?.stop();
      world.runtime = await startLocal({ ...base, ...more });
      return world.runtime;
    },
    converged: (replicas, timeoutMs = 60_000) =>
      waitFor(`the scenario converged with ${replicas} replicas`, () => checkConverged(kube, (n) => fleet.cluster(n), replicas), timeoutMs),
    slices: (cluster, namespace, service = 'kafka-headless') =>
      kube.list<V1EndpointSlice>(cluster, 'discovery.k8s.io/v1', 'EndpointSlice', namespace, `kubernetes.io/service-name=${service}`),
    sliceWrites: () => sliceWrites,
    async stop() {
      await world.runtime?.stop();
      await fleet.stop();
    },
  };
  return world;
}

/** The slices' content that matters (no names, versions or timestamps), sorted: for equality checks. */
export function sliceContent(slices: readonly V1EndpointSlice[]): unknown[] {
  return slices
    .map((s) => ({
      addressType: s.addressType,
      labels: s.metadata?.labels,
      ports: s.ports,
      endpoints: (s.endpoints ?? []).map((e) => ({ addresses: e.addresses, hostname: e.hostname, conditions: e.conditions })),
    }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}
