// Least privilege in the simulated clusters (`sim --rbac`): install in each cluster what
// `gns-sync manifests` renders for it — the gns-sync namespace, the agent's and the writer's
// ServiceAccounts, the writer's token Secret, their Roles, ClusterRoles and bindings, the
// contributions' objects, exactly as deploy/ ships them — then give the agents the
// gns-sync-agent token (a TokenRequest, as the kubelet projects one into the agent's pod) and
// the functions' writer the token of the gns-sync-writer-token Secret (what goes into its
// kubeconfig in Secrets Manager, docs/deploy.md). The demo and the e2e tests run with these.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { baseObjects } from '../manifests/base.ts';
import type { KubeObject as Manifest } from '../manifests/contribution.ts';
import { OWN_NAMESPACE } from '../manifests/contribution.ts';
import { accountName, agentConfigMap, rbacObjects, renderCluster } from '../manifests/render.ts';
import type { SimCluster, SimFleet } from '../sim/index.ts';
import type { Config } from '../../shared/config/schema.ts';
import { waitFor } from './checks.ts';

/** Rendered kinds the simulated clusters do not serve, and why leaving them out is safe. */
const NOT_SERVED: Readonly<Record<string, string>> = {
  Deployment: 'the agent runs in-process (gns-sync local), not as a pod',
  ValidatingAdmissionPolicy: 'the simulated clusters evaluate no admission policies (docs/adr/0011-simulated-clusters.md)',
  ValidatingAdmissionPolicyBinding: 'the simulated clusters evaluate no admission policies (docs/adr/0011-simulated-clusters.md)',
};

/** What the manifests of `cluster` put into it, in apply order (kustomize's: namespace and accounts first). */
export function installedObjects(config: Config, cluster: string): Manifest[] {
  const rendered = renderCluster(config, cluster, { eventBus: 'gns-sync', region: 'eu-west-1', image: 'gns-sync-agent:local' });
  const objects = [...baseObjects('gns-sync-agent:local'), agentConfigMap(rendered), ...rbacObjects(rendered), ...[...rendered.objects.values()].flat()];
  return objects.filter((o) => NOT_SERVED[o.kind] === undefined);
}

export interface Identities {
  /** Kubeconfigs with the fleet's contexts: the agents' (gns-sync-agent) and the writer's (gns-sync-writer). */
  readonly agent: string;
  readonly writer: string;
}

/** The fleet's kubeconfig with each cluster's user (named after the cluster) holding `tokens`' token. */
function withTokens(fleetYaml: string, tokens: ReadonlyMap<string, string>): string {
  const doc = parse(fleetYaml) as { users: { name: string; user: Record<string, unknown> }[] };
  for (const u of doc.users) u.user = { token: tokens.get(u.name) ?? '' };
  return stringify(doc);
}

function api(fleet: SimFleet, cluster: SimCluster): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromString(fleet.kubeconfigYaml(cluster.name));
  return kc.makeApiClient(CoreV1Api);
}

/** Installs gns-sync's manifests into every cluster of the fleet that the config names; the two identities. */
export async function installGnsSync(fleet: SimFleet, config: Config, tokenSeconds = 86_400): Promise<Identities> {
  const agent = new Map<string, string>();
  const writer = new Map<string, string>();
  for (const c of config.clusters) {
    const cluster = fleet.cluster(c.name);
    for (const obj of installedObjects(config, c.name)) cluster.apply(obj);
    const core = api(fleet, cluster);
    const request = await core.createNamespacedServiceAccountToken({ name: accountName('agent'), namespace: OWN_NAMESPACE, body: { spec: { audiences: [], expirationSeconds: tokenSeconds } } });
    agent.set(c.name, request.status?.token ?? '');
    const secret = await waitFor(`the token controller of ${c.name} to fill gns-sync-writer-token`, async () => {
      const s = await core.readNamespacedSecret({ name: 'gns-sync-writer-token', namespace: OWN_NAMESPACE });
      return s.data?.token ? s : undefined;
    }, 10_000);
    writer.set(c.name, Buffer.from(secret.data!.token!, 'base64').toString('utf8'));
  }
  const yaml = fleet.kubeconfigYaml();
  return { agent: withTokens(yaml, agent), writer: withTokens(yaml, writer) };
}
