// The sync and reconcile functions write the EndpointSlices of targets in member namespaces
// (shared/adapters/kubernetes/cluster-api.ts) and list slices cluster-wide, so the reconcile
// finds those it owns in namespaces that left their GNS.
import type { Contribution } from '../contribution.ts';

export const writerSlices: Contribution = {
  name: 'writer-slices',
  grants: () => [
    {
      who: 'writer',
      where: 'member',
      apiGroup: 'discovery.k8s.io',
      resources: ['endpointslices'],
      verbs: ['list', 'create', 'update', 'delete'],
      why: 'the EndpointSlices of targets (gns-sync never touches a slice it does not own)',
    },
    {
      who: 'writer',
      where: 'cluster',
      apiGroup: 'discovery.k8s.io',
      resources: ['endpointslices'],
      verbs: ['list'],
      why: 'the reconcile finds slices it owns in namespaces that are no longer members',
    },
  ],
};
