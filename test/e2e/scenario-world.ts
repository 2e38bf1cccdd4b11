// The seed scenario's layouts as the e2e tests run them on simulated clusters: Kafka's
// 3-replica StatefulSet in clusterOne/ns-one and the seed's selectorless Service in each target
// namespace, for the seed's two clusters on two networks and for three clusters on two networks;
// their config (routing none or istio), and a world that starts the clusters (with `--istio`
// when routing is istio), lays the scenario out and runs `gns-sync local` in-process on it —
// with RBAC, the agents and the writer use their own tokens and the rendered grants.
import { rmSync } from 'node:fs';
import { installGnsSync } from '../../local/demo/identities.ts';
import { Kube } from '../../local/demo/kube.ts';
import { kafkaHeadlessService, kafkaStatefulSet, selectorlessService } from '../../local/demo/scenario.ts';
import { OWN_NAMESPACE } from '../../local/manifests/contribution.ts';
import { startLocal, type LocalRuntime } from '../../local/runner/runtime.ts';
import { startSimClusters, type SimFleet } from '../../local/sim/index.ts';
import { parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import { tempStateDir } from './harness.ts';

/** Clusters with their networks, and the target namespaces (the source is clusterOne/ns-one). */
export interface Layout {
  readonly name: string;
  readonly clusters: readonly { readonly name: string; readonly network: string }[];
  readonly targets: readonly (readonly [cluster: string, namespace: string])[];
}

export const SEED: Layout = { name: 'seed scenario', clusters: [{ name: 'clusterOne', network: 'net-one' }, { name: 'clusterTwo', network: 'net-two' }], targets: [['clusterOne', 'ns-two'], ['clusterTwo', 'ns-one']] };
export const THREE: Layout = {
  name: 'three clusters, two networks',
  clusters: [{ name: 'clusterOne', network: 'net-a' }, { name: 'clusterTwo', network: 'net-b' }, { name: 'clusterThree', network: 'net-a' }],
  targets: [['clusterOne', 'ns-two'], ['clusterTwo', 'ns-one'], ['clusterThree', 'ns-one']],
};

export type Routing = 'none' | 'istio';

/** The layout's config file: one GNS, the source member first, then the targets. */
export function layoutConfigText(layout: Layout, routing: Routing): string {
  return [
    `routing: ${routing}`,
    'clusters:',
    ...layout.clusters.map((c) => `  - { name: ${c.name}, network: ${c.network} }`),
    'globalNamespaces:',
    '  - name: kafka-gns',
    '    members:',
    '      - { cluster: clusterOne, namespace: ns-one }',
    ...layout.targets.map(([c, ns]) => `      - { cluster: ${c}, namespace: ${ns} }`),
  ].join('\n');
}

export const layoutConfig = (layout: Layout, routing: Routing): Config => parseConfig(layoutConfigText(layout, routing), `${routing}.yaml`);

/** The namespaces, Kafka with its own headless Service, and each target's selectorless Service. */
export async function layOut(kube: Kube, layout: Layout, replicas = 3): Promise<void> {
  await kube.namespace('clusterOne', 'ns-one');
  for (const [c, ns] of layout.targets) await kube.namespace(c, ns);
  await kube.create('clusterOne', kafkaHeadlessService('ns-one'));
  await kube.create('clusterOne', kafkaStatefulSet('ns-one', replicas));
  for (const [c, ns] of layout.targets) await kube.create(c, selectorlessService(ns));
}

export interface LayoutWorld {
  readonly fleet: SimFleet;
  readonly kube: Kube;
  readonly config: Config;
  readonly runtime: LocalRuntime;
  /** Stops the runtime and the clusters and removes the state directory. */
  stop(): Promise<void>;
}

/** The clusters (`--istio` with routing istio), the layout on them, and `gns-sync local` on a new state directory (no periodic reconcile). */
export async function startLayoutWorld(layout: Layout, options: { readonly routing: Routing; readonly rbac: boolean }): Promise<LayoutWorld> {
  const config = layoutConfig(layout, options.routing);
  const istio = options.routing === 'istio';
  const fleet = await startSimClusters({ clusters: layout.clusters.map((c) => (istio ? { name: c.name, network: c.network } : { name: c.name })), istio, readyDelayMs: 20, rbac: options.rbac });
  const stateDir = tempStateDir();
  const stop = async (runtime?: LocalRuntime) => {
    await runtime?.stop();
    await fleet.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const kube = new Kube(fleet.kubeconfigYaml());
    await layOut(kube, layout);
    const identities = options.rbac ? { identities: await installGnsSync(fleet, config), leaseNamespace: OWN_NAMESPACE } : {};
    const runtime = await startLocal({ config, kubeconfigYaml: fleet.kubeconfigYaml(), ...identities, stateDir, log: () => {}, reconcileIntervalMs: 0, quiet: true });
    return { fleet, kube, config, runtime, stop: () => stop(runtime) };
  } catch (error) {
    await stop();
    throw error;
  }
}
