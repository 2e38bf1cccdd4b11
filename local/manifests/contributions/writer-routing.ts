// routing: istio (docs/adr/0013-routing-through-istio.md): the sync writes Istio ServiceEntries
// in Istio config clusters and reads what each cluster tells about Istio. In a cluster that is
// the Istio config cluster of some clusters: the client entries in those clusters' member
// namespaces, the gateway entries in the east-west gateway's namespace (istio-system, as in
// Istio's samples; a gateway elsewhere needs this grant in its namespace). No cluster-wide list:
// the writers and the reconcile find entries through the inventory (docs/adr/0018). In every cluster: the
// gateway Services (labelled topology.istio.io/network; RBAC cannot select by label) and the
// istio-system namespace's network label. With routing: none, nothing.
import { ISTIO_SYSTEM } from '../../../shared/core/routing/gateways.ts';
import type { Contribution, Grant } from '../contribution.ts';

const ENTRIES = { apiGroup: 'networking.istio.io', resources: ['serviceentries'] } as const;

export const writerRouting: Contribution = {
  name: 'writer-routing',
  grants: ({ config, cluster }) => {
    if (config.routing !== 'istio') return [];
    const grants: Grant[] = [
      { who: 'writer', where: 'cluster', apiGroup: '', resources: ['services'], verbs: ['list'], why: 'find east-west gateway Services (labelled topology.istio.io/network) as istiod does' },
      { who: 'writer', where: 'cluster', apiGroup: '', resources: ['namespaces'], verbs: ['get'], resourceNames: [ISTIO_SYSTEM], why: "the cluster's Istio network name (label topology.istio.io/network of istio-system)" },
    ];
    const configured = config.clusters.filter((c) => (c.istioConfigCluster ?? c.name) === cluster.name);
    if (configured.length === 0) return grants;
    const names = new Set(configured.map((c) => c.name));
    const namespaces = [...new Set(config.globalNamespaces.flatMap((g) => g.members.filter((m) => names.has(m.cluster)).map((m) => m.namespace)))].sort();
    for (const namespace of namespaces) {
      grants.push({ who: 'writer', where: { namespace }, ...ENTRIES, verbs: ['list', 'create', 'update', 'delete'], why: `client ServiceEntries of the targets in ${namespace} (one per VIP endpoint)` });
    }
    grants.push(
      { who: 'writer', where: { namespace: ISTIO_SYSTEM }, ...ENTRIES, verbs: ['list', 'create', 'update', 'delete'], why: "gateway ServiceEntries in the east-west gateway's namespace (one per routed pod)" },
    );
    return grants;
  },
};
