// The hand-back channel (functions/handback.ts, docs/adr/0014-store-completeness.md): the
// functions write the store's incarnation and the cluster's version floor into an annotation
// of the agent's Lease, which the agent reads at every lease round.
import { LEASE_NAME } from '../../../agent/lease.ts';
import type { Contribution } from '../contribution.ts';

export const writerLease: Contribution = {
  name: 'writer-lease',
  grants: () => [
    {
      who: 'writer',
      where: 'own',
      apiGroup: 'coordination.k8s.io',
      resources: ['leases'],
      resourceNames: [LEASE_NAME],
      verbs: ['get', 'update'],
      why: "hands the store's incarnation (resnapshot) and the cluster's version floor back to the agent through its Lease",
    },
    {
      who: 'writer',
      where: 'own',
      apiGroup: 'coordination.k8s.io',
      resources: ['leases'],
      verbs: ['create'],
      why: 'a lost Lease comes back with the floor; create cannot be limited by name, granted only in the own namespace',
    },
  ],
};
