// Adversarial: who may speak for a cluster on the bus (issue 11, finding 3), on the synthesized
// templates. The bus policy and the agent roles are evaluated (./policy-eval.ts) for the attacks a
// review tried: an administrator or CI role of the deployment account, another cluster's agent,
// another account's principal, a mixed batch; only a cluster's own agent role may put events with
// its source — and that role is assumable only by EKS Pod Identity for that cluster's namespace
// and service account.
import { beforeAll, describe, expect, it } from 'vitest';
import { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT } from '../../infra/constructs/publishers.ts';
import { agentDetailTypes, sourceOf } from '../../shared/schemas/events.ts';
import { busPolicyStatements, exampleCloud, resourcesOf, synth, type Synthesized } from '../infra/synth.ts';
import { allowed, type Statement } from './policy-eval.ts';

const HOME = '111122223333';
const OTHER = '210987654321';
const BUS = `arn:aws:events:eu-west-1:${HOME}:event-bus/gns-sync`;

/** CloudFormation intrinsics of these templates → the values AWS would give them. */
function resolve(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(resolve);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  if ('Fn::GetAtt' in o) return `arn:aws:iam::${HOME}:role/${(o['Fn::GetAtt'] as string[])[0]}`;
  if ('Fn::ImportValue' in o) return BUS;
  if ('Ref' in o) return o.Ref === 'AWS::Partition' ? 'aws' : o.Ref === 'AWS::AccountId' ? HOME : `ref:${String(o.Ref)}`;
  if ('Fn::Join' in o) { const [sep, parts] = o['Fn::Join'] as [string, unknown[]]; return parts.map(resolve).join(sep); }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
}

let s: Synthesized;
let busPolicy: Statement[];
let roleArn: (cluster: string) => string;
let identityOf: (cluster: string) => Statement[];
let trustOf: (cluster: string) => Statement[];
beforeAll(() => {
  s = synth({ cloud: exampleCloud([{ name: 'clusterThree', awsAccountId: OTHER }]) });
  busPolicy = busPolicyStatements(s.statefulTemplate).map((st) => resolve(st) as Statement);
  const roles = resourcesOf(s.statefulTemplate, 'AWS::IAM::Role');
  const roleId = (cluster: string) => Object.keys(roles).find((id) => id.startsWith(`PublishersAgent${cluster}`))!;
  roleArn = (cluster) => `arn:aws:iam::${HOME}:role/${roleId(cluster)}`;
  trustOf = (cluster) => (resolve(roles[roleId(cluster)]!.Properties?.AssumeRolePolicyDocument) as { Statement: Statement[] }).Statement;
  const policies = resourcesOf(s.statefulTemplate, 'AWS::IAM::Policy');
  identityOf = (cluster) => Object.values(policies)
    .filter((p) => JSON.stringify(p.Properties?.Roles).includes(roleId(cluster)))
    .flatMap((p) => (resolve(p.Properties?.PolicyDocument) as { Statement: Statement[] }).Statement);
});

const ADMIN: Statement[] = [{ Effect: 'Allow', Action: ['events:PutEvents'] }];
const put = (who: { arn: string; account: string; identity: Statement[] }, sources: string[], types = [agentDetailTypes()[0]!]) => allowed({
  action: 'events:PutEvents',
  identity: who.identity,
  resource: busPolicy,
  sameAccount: who.account === HOME,
  principalIn: (p) => JSON.stringify(p).includes(`::${who.account}:root`),
  ctx: { 'aws:PrincipalArn': who.arn, 'aws:PrincipalAccount': who.account, 'events:source': sources, 'events:detail-type': types },
});

describe('bus policy: only a cluster\'s agent speaks for it (finding 3)', () => {
  const attacks: [string, () => boolean][] = [
    ['an administrator of the deployment account puts clusterOne\'s source', () => put({ arn: `arn:aws:iam::${HOME}:role/Admin`, account: HOME, identity: ADMIN }, [sourceOf('clusterOne')])],
    ['a CI user of the deployment account puts clusterTwo\'s source', () => put({ arn: `arn:aws:iam::${HOME}:user/ci`, account: HOME, identity: ADMIN }, [sourceOf('clusterTwo')])],
    ['clusterTwo\'s agent role puts clusterOne\'s source', () => put({ arn: roleArn('clusterTwo'), account: HOME, identity: identityOf('clusterTwo') }, [sourceOf('clusterOne')])],
    ['clusterOne\'s agent role mixes in clusterTwo\'s source', () => put({ arn: roleArn('clusterOne'), account: HOME, identity: identityOf('clusterOne') }, [sourceOf('clusterOne'), sourceOf('clusterTwo')])],
    ['clusterOne\'s agent role with a detail type that is not an agent\'s', () => put({ arn: roleArn('clusterOne'), account: HOME, identity: identityOf('clusterOne') }, [sourceOf('clusterOne')], ['forged.v9'])],
    ['an administrator of the deployment account puts the cross-account clusterThree\'s source', () => put({ arn: `arn:aws:iam::${HOME}:role/Admin`, account: HOME, identity: ADMIN }, [sourceOf('clusterThree')])],
    ['clusterThree\'s account puts clusterOne\'s source', () => put({ arn: `arn:aws:iam::${OTHER}:role/agent`, account: OTHER, identity: ADMIN }, [sourceOf('clusterOne')])],
    ['an unrelated account puts clusterThree\'s source', () => put({ arn: 'arn:aws:iam::999988887777:role/x', account: '999988887777', identity: ADMIN }, [sourceOf('clusterThree')])],
  ];
  it.each(attacks)('refused: %s', (_what, attack) => {
    expect(attack()).toBe(false);
  });

  it('allowed: each agent with its own source and every agent detail type (v1 and v2)', () => {
    for (const cluster of ['clusterOne', 'clusterTwo']) {
      expect(put({ arn: roleArn(cluster), account: HOME, identity: identityOf(cluster) }, [sourceOf(cluster)], agentDetailTypes())).toBe(true);
    }
    expect(put({ arn: `arn:aws:iam::${OTHER}:role/agent`, account: OTHER, identity: ADMIN }, [sourceOf('clusterThree')], agentDetailTypes())).toBe(true);
  });

  it('one Deny per cluster naming its agent role by aws:PrincipalArn (another account\'s cluster: its account)', () => {
    const denies = busPolicy.filter((st) => st.Effect === 'Deny');
    expect(denies).toHaveLength(3);
    expect(denies.map((d) => d.Condition)).toEqual(expect.arrayContaining([
      { 'ForAnyValue:StringEquals': { 'events:source': sourceOf('clusterOne') }, ArnNotEquals: { 'aws:PrincipalArn': roleArn('clusterOne') }, Null: { 'aws:PrincipalArn': 'false' } },
      { 'ForAnyValue:StringEquals': { 'events:source': sourceOf('clusterThree') }, StringNotEquals: { 'aws:PrincipalAccount': OTHER }, Null: { 'aws:PrincipalArn': 'false' } },
    ]));
  });
});

describe('agent roles: trusted by EKS Pod Identity for one cluster, namespace and service account (finding 3)', () => {
  const assume = (cluster: string, tags: { cluster: string; namespace: string; serviceAccount: string }) => allowed({
    action: 'sts:AssumeRole',
    identity: [],
    resource: trustOf(cluster),
    sameAccount: true,
    principalIn: (p) => JSON.stringify(p) === JSON.stringify({ Service: 'pods.eks.amazonaws.com' }),
    ctx: { 'aws:RequestTag/eks-cluster-name': tags.cluster, 'aws:RequestTag/kubernetes-namespace': tags.namespace, 'aws:RequestTag/kubernetes-service-account': tags.serviceAccount },
  });
  const agent = { namespace: AGENT_NAMESPACE, serviceAccount: AGENT_SERVICE_ACCOUNT };

  it.each([
    ['another cluster\'s pods', { ...agent, cluster: 'clusterTwo' }],
    ['another namespace of the cluster', { ...agent, cluster: 'clusterOne', namespace: 'default' }],
    ['another service account of its namespace', { ...agent, cluster: 'clusterOne', serviceAccount: 'default' }],
  ])('refused: %s', (_what, tags) => {
    expect(assume('clusterOne', tags)).toBe(false);
  });

  it('allowed: the agent\'s service account in its namespace of its cluster; the tags are session tags (sts:TagSession)', () => {
    expect(assume('clusterOne', { ...agent, cluster: 'clusterOne' })).toBe(true);
    expect(trustOf('clusterOne')[0]?.Action).toEqual(['sts:AssumeRole', 'sts:TagSession']);
  });

  it('an EKS cluster named in the config is the tag the trust requires', () => {
    const eks = synth({ cloud: exampleCloud([{ name: 'clusterFour', eks: { name: 'prod-eks-4', region: 'eu-west-1' } }]) });
    const roles = resourcesOf(eks.statefulTemplate, 'AWS::IAM::Role');
    const trust = Object.entries(roles).find(([id]) => id.startsWith('PublishersAgentclusterFour'))![1].Properties?.AssumeRolePolicyDocument as { Statement: Statement[] };
    expect(trust.Statement[0]?.Condition?.StringEquals?.['aws:RequestTag/eks-cluster-name']).toBe('prod-eks-4');
  }, 120_000); // a second synth
});
