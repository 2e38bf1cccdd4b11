// Where the agent publishes: the event bus and its region (settings of `gns-sync manifests`).
import type { Contribution } from '../contribution.ts';

export const agentBus: Contribution = {
  name: 'agent-bus',
  agentEnv: ({ settings }) => [
    { name: 'GNS_SYNC_EVENT_BUS', value: settings.eventBus, why: 'the bus name (same account) or its ARN (another account): stack output EventBusArn' },
    { name: 'AWS_REGION', value: settings.region, why: 'the region of the deployed stacks' },
  ],
};
