// Who may publish agent events, and as which cluster (DESIGN.md §7): each cluster may put events
// only with its own source `gns-sync.io/cluster/<cluster>`, so a compromised agent cannot speak
// for another cluster (the ingest function checks detail.cluster against the source).
//
// - A cluster in another AWS account (config `awsAccountId`): one bus-policy statement per
//   account, allowing PutEvents only with the sources of that account's clusters.
// - A cluster in the deployment account: an IAM role for its agent (EKS Pod Identity trust),
//   allowed PutEvents on this bus only with its own source. IRSA: docs/deploy.md.
import { Aws, CfnOutput } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ACCEPTED_DETAIL_TYPES, sourceOf } from '../../shared/schemas/events.ts';

export interface PublisherCluster {
  readonly name: string;
  /** The AWS account the cluster's agent runs in, when it is not the deployment account. */
  readonly awsAccountId?: string;
}

export interface PublishersProps {
  readonly bus: events.IEventBus;
  readonly clusters: readonly PublisherCluster[];
}

/**
 * The condition every publisher statement carries: each entry's source must be one of these, and
 * its detail type one of the agents' (AWS's documented cross-account form: ForAllValues, so every
 * entry of a PutEvents call must match). Without the detail types, an agent's credentials could put
 * any event under its source: the rules would drop it, but the archive would keep it.
 */
export const sourceCondition = (sources: readonly string[]) => ({
  'ForAllValues:StringEquals': {
    'events:source': sources.length === 1 ? sources[0] : [...sources],
    'events:detail-type': [...ACCEPTED_DETAIL_TYPES].sort(),
  },
});

export class Publishers extends Construct {
  readonly agentRoles: ReadonlyMap<string, iam.Role>;

  constructor(scope: Construct, id: string, props: PublishersProps) {
    super(scope, id);
    const byAccount = new Map<string, string[]>();
    const roles = new Map<string, iam.Role>();
    for (const cluster of props.clusters) {
      if (cluster.awsAccountId !== undefined) {
        byAccount.set(cluster.awsAccountId, [...(byAccount.get(cluster.awsAccountId) ?? []), sourceOf(cluster.name)]);
        continue;
      }
      const role = new iam.Role(this, `Agent-${cluster.name}`, {
        description: `gns-sync agent of cluster ${cluster.name}: PutEvents with source ${sourceOf(cluster.name)} only`,
        assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags(),
      });
      role.addToPolicy(new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: sourceCondition([sourceOf(cluster.name)]),
      }));
      roles.set(cluster.name, role);
      new CfnOutput(this, `AgentRoleArn-${cluster.name}`, { value: role.roleArn, description: `IAM role of the agent in cluster ${cluster.name} (EKS Pod Identity association)` });
    }
    for (const [account, sources] of [...byAccount].sort(([a], [b]) => a.localeCompare(b))) {
      new events.CfnEventBusPolicy(this, `Account-${account}`, {
        eventBusName: props.bus.eventBusName,
        statementId: `gns-sync-agents-${account}`,
        statement: {
          Sid: `gns-sync-agents-${account}`,
          Effect: 'Allow',
          Principal: { AWS: `arn:${Aws.PARTITION}:iam::${account}:root` },
          Action: 'events:PutEvents',
          Resource: props.bus.eventBusArn,
          Condition: sourceCondition(sources.sort()),
        },
      });
    }
    this.agentRoles = roles;
  }
}
