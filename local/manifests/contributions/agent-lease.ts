// The agent's Lease in its own namespace: leader election and the clock floor
// (agent/lease.ts, docs/adr/0002-event-ordering.md).
import { LEASE_NAME } from '../../../agent/lease.ts';
import type { Contribution } from '../contribution.ts';

export const agentLease: Contribution = {
  name: 'agent-lease',
  grants: () => [
    {
      who: 'agent',
      where: 'own',
      apiGroup: 'coordination.k8s.io',
      resources: ['leases'],
      resourceNames: [LEASE_NAME],
      verbs: ['get', 'update'],
      why: 'its one Lease: leader election and the clock floor that survives restarts',
    },
    {
      who: 'agent',
      where: 'own',
      apiGroup: 'coordination.k8s.io',
      resources: ['leases'],
      verbs: ['create'],
      why: 'create cannot be limited by name in RBAC: granted only in its own namespace, where nothing else lives',
    },
  ],
};
