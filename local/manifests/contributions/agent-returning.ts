// Whether a deleted pod returns (agent/returning.ts): the agent reads the StatefulSet that
// controlled it (docs/adr/0019-a-restart-keeps-its-routing.md). One `get` by name, never a list.
import type { Contribution } from '../contribution.ts';

export const agentReturning: Contribution = {
  name: 'agent-returning',
  grants: () => [{
    who: 'agent',
    where: 'member',
    apiGroup: 'apps',
    resources: ['statefulsets'],
    verbs: ['get'],
    why: "a deleted pod's StatefulSet, read once: does it still want the pod's ordinal (a restart) or not (a scale-down)",
  }],
};
