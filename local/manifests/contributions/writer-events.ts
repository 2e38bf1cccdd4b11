// The functions record Warning and Normal events on target Services (invalid target, name
// conflict, pool exhausted, VIPs moved). The agent records none.
import type { Contribution } from '../contribution.ts';

export const writerEvents: Contribution = {
  name: 'writer-events',
  grants: () => [{
    who: 'writer',
    where: 'member',
    apiGroup: '',
    resources: ['events'],
    verbs: ['create'],
    why: 'Warning and Normal events on target Services',
  }],
};
