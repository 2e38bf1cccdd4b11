// The bus's resource policy (infra/constructs/publishers.ts) must stay within EventBridge's
// event bus policy size quota: 10,240 characters by default (EventBridge User Guide, "Amazon
// EventBridge quotas", Event bus policy size; docs/adr/0009). Measured on the synthesized
// template for 20 clusters, with every CloudFormation value replaced by the longest value AWS
// could give it (a 64-character role name, the longest partition and region names), minified as
// AWS stores it.
import { describe, expect, it } from 'vitest';
import { busPolicyStatements, exampleCloud, synth } from './synth.ts';

const POLICY_SIZE_QUOTA = 10_240;
const ACCOUNT = '123456789012';

/** The longest value each intrinsic of the bus policy can take. */
function worstCase(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(worstCase);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  // The only GetAtt left: an agent role's ARN (the bus names itself by an ARN built from its name).
  if ('Fn::GetAtt' in o) {
    return `arn:aws-us-gov:iam::${ACCOUNT}:role/${'r'.repeat(64)}`;
  }
  if ('Ref' in o) return o.Ref === 'AWS::Partition' ? 'aws-us-gov' : o.Ref === 'AWS::AccountId' ? ACCOUNT : o.Ref === 'AWS::Region' ? 'ap-southeast-2' : `ref-${String(o.Ref)}`;
  if ('Fn::Join' in o) {
    const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
    return parts.map(worstCase).join(sep);
  }
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, worstCase(x)]));
}

const policySize = (clusters: { name: string; awsAccountId?: string }[]): number => {
  const s = synth({ cloud: { ...exampleCloud(), clusters } });
  const statements = busPolicyStatements(s.statefulTemplate);
  const accounts = new Set(clusters.flatMap((c) => (c.awsAccountId ? [c.awsAccountId] : []))).size;
  expect(statements).toHaveLength(clusters.filter((c) => !c.awsAccountId).length + accounts + (accounts > 0 ? 1 : 0));
  return JSON.stringify(worstCase({ Version: '2012-10-17', Statement: statements })).length;
};

describe("the bus's resource policy size (EventBridge quota 10,240 characters)", { timeout: 180_000 }, () => {
  const names = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(2, '0')}`);

  it('20 clusters in the deployment account (an agent role and a Deny each) fit', () => {
    const size = policySize(names(20, 'prod-eu-west-1-eks').map((name) => ({ name })));
    expect(size).toBeLessThan(POLICY_SIZE_QUOTA);
  });

  it('20 clusters in 10 other accounts (one Allow, a Deny per account) fit', () => {
    const clusters = names(20, 'prod-eu-west-1-eks').map((name, i) => ({ name, awsAccountId: String(210987654300 + Math.floor(i / 2)) }));
    const size = policySize(clusters);
    expect(size).toBeLessThan(POLICY_SIZE_QUOTA);
  });
});
