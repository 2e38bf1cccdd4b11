// The sync and reconcile functions write the EndpointSlices of targets in member namespaces
// (shared/adapters/kubernetes/cluster-api.ts). No cluster-wide grant: the reconcile finds the
// slices it owns in namespaces that left their GNS through its inventory (writer-inventory.ts).
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
  ],
};
