// The agent's informers: list and watch pods and Services of the member namespaces
// (agent/watch.ts), and the settings that name them.
import type { Contribution } from '../contribution.ts';

export const agentWatch: Contribution = {
  name: 'agent-watch',
  grants: () => [{
    who: 'agent',
    where: 'member',
    apiGroup: '',
    resources: ['pods', 'services'],
    verbs: ['get', 'list', 'watch'],
    why: 'informers on pods and Services of the member namespaces (get: kubectl-style reads, nothing list/watch does not return)',
  }],
  agentEnv: ({ cluster, members }) => [
    { name: 'GNS_SYNC_CLUSTER', value: cluster.name },
    { name: 'GNS_SYNC_NAMESPACES', value: members.join(','), why: "exactly this cluster's member namespaces in the config" },
  ],
};
