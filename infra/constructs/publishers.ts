// Who may publish agent events, and as which cluster (docs/security.md): each cluster may put
// events only with its own source `gns-sync.io/cluster/<cluster>`, and only its agent may.
//
// - Clusters in other AWS accounts (config `awsAccountId`): one bus-policy statement allowing
//   those accounts PutEvents with those clusters' sources only; the per-account Deny below keeps
//   each account to its own clusters' sources.
// - A cluster in the deployment account: an IAM role for its agent, allowed PutEvents on this
//   bus only with its own source, trusted by EKS Pod Identity only for the session tags of that
//   cluster (`eks.name` in the config, else its own name), namespace `gns-sync` and service
//   account `gns-sync-agent` (AWS: EKS User Guide, "Create IAM role with trust policy required by
//   EKS Pod Identity").
// - For every cluster, a Deny on the bus: PutEvents with its source by any principal but its
//   agent's role (`aws:PrincipalArn`; for the clusters of another account, one Deny per account:
//   any principal outside that account), so an administrator or CI role of the deployment account cannot speak for a
//   cluster by accident or design. The ingest function's account and source checks are the
//   second line (functions/ingest/admission.ts).
//
// The statements are the bus's own resource policy (AWS::Events::EventBus `Policy`), not one
// AWS::Events::EventBusPolicy each (ADR 9): so this construct lives in the stack of the bus.
import { createHash } from 'node:crypto';
import { Aws, CfnOutput } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { agentDetailTypes, sourceOf } from '../../shared/schemas/events.ts';

/** Where the agent runs in its cluster (deploy/base: namespace.yaml, serviceaccount.yaml). */
export const AGENT_NAMESPACE = 'gns-sync';
export const AGENT_SERVICE_ACCOUNT = 'gns-sync-agent';

export interface PublisherCluster {
  readonly name: string;
  /** The AWS account the cluster's agent runs in, when it is not the deployment account. */
  readonly awsAccountId?: string;
  /** An EKS cluster's name (its Pod Identity session tag); default: the cluster's own name. */
  readonly eks?: { readonly name: string; readonly region: string };
}

export interface PublishersProps {
  /** The bus whose resource policy the statements become (in the same stack). */
  readonly bus: events.EventBus;
  /** The bus's name as configured: its policy names itself by an ARN built from it (a GetAtt of itself would be a cycle). */
  readonly busName: string;
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
    'events:detail-type': agentDetailTypes(),
  },
});

/** The Pod Identity session tags an agent role's trust requires (AWS sets them when it assumes the role). */
export const podIdentityCondition = (eksClusterName: string) => ({
  StringEquals: {
    'aws:RequestTag/eks-cluster-name': eksClusterName,
    'aws:RequestTag/kubernetes-namespace': AGENT_NAMESPACE,
    'aws:RequestTag/kubernetes-service-account': AGENT_SERVICE_ACCOUNT,
  },
});

/** A bus-policy statement id for a cluster (1-64 of [A-Za-z0-9_-], whatever the cluster's name). */
const denyStatementId = (cluster: string) => `gns-sync-only-agent-${createHash('sha256').update(cluster).digest('hex').slice(0, 16)}`;

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
        assumedBy: new iam.ServicePrincipal('pods.eks.amazonaws.com').withConditions(podIdentityCondition(cluster.eks?.name ?? cluster.name)).withSessionTags(),
      });
      role.addToPolicy(new iam.PolicyStatement({
        actions: ['events:PutEvents'],
        resources: [props.bus.eventBusArn],
        conditions: sourceCondition([sourceOf(cluster.name)]),
      }));
      roles.set(cluster.name, role);
      new CfnOutput(this, `AgentRoleArn-${cluster.name}`, { value: role.roleArn, description: `IAM role of the agent in cluster ${cluster.name} (EKS Pod Identity association)` });
    }
    const statements: Record<string, unknown>[] = [];
    const busArn = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/${props.busName}`;
    // One Allow for every other account's clusters: each account may put the sources of all of
    // them, but the per-account Deny below refuses another account's sources to it; one statement
    // instead of one per account keeps the policy within its size quota (ADR 9).
    const accounts = [...byAccount.keys()].sort();
    if (accounts.length > 0) {
      const principals = accounts.map((account) => `arn:${Aws.PARTITION}:iam::${account}:root`);
      statements.push({
        Sid: 'gns-sync-agents-other-accounts',
        Effect: 'Allow',
        Principal: { AWS: principals.length === 1 ? principals[0] : principals },
        Action: 'events:PutEvents',
        Resource: busArn,
        Condition: sourceCondition(accounts.flatMap((account) => byAccount.get(account) ?? []).sort()),
      });
    }
    // Requests signed by an IAM principal always carry aws:PrincipalArn; the Null test leaves
    // AWS's own deliveries (none today) to the Allow statements.
    const deny = (sid: string, sources: readonly string[], notTheAgent: Record<string, unknown>) => statements.push({
      Sid: sid,
      Effect: 'Deny',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: busArn,
      Condition: { 'ForAnyValue:StringEquals': { 'events:source': sources.length === 1 ? sources[0] : [...sources] }, ...notTheAgent, Null: { 'aws:PrincipalArn': 'false' } },
    });
    for (const [cluster, role] of roles) deny(denyStatementId(cluster), [sourceOf(cluster)], { ArnNotEquals: { 'aws:PrincipalArn': role.roleArn } });
    // Another account's clusters: one Deny per account (the policy's size: ADR 9), any principal outside it.
    for (const account of accounts) deny(`gns-sync-only-account-${account}`, (byAccount.get(account) ?? []).sort(), { StringNotEquals: { 'aws:PrincipalAccount': account } });
    const bus = props.bus.node.defaultChild as events.CfnEventBus;
    bus.policy = statements.length === 0 ? undefined : { Version: '2012-10-17', Statement: statements };
    this.agentRoles = roles;
  }
}
