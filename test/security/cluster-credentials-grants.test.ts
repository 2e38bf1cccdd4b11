// Each function reads only the cluster credentials it must, by the narrowest ARNs (issue 11,
// finding 1), on the synthesized templates: an EKS cluster of the config gets no secret and
// eks:DescribeCluster on exactly its ARN; the other clusters' secrets are granted by their full
// ARNs to the two functions that write to clusters; the ingest gets neither.
import { beforeAll, describe, expect, it } from 'vitest';
import { asArray, exampleCloud, iamStatements, resourcesOf, synth, type Synthesized } from '../infra/synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synth({ cloud: exampleCloud([{ name: 'clusterEks', eks: { name: 'prod-eks', region: 'eu-central-1' } }]) });
});

const statementsOf = (fn: string) => iamStatements(s.statelessTemplate).filter((x) => x.policy.startsWith(`${fn}RoleDefaultPolicy`)).map((x) => x.statement);
const actionsOf = (st: Record<string, unknown>) => asArray(st.Action as string | string[]);

describe('cluster credentials grants (finding 1)', () => {
  it('an EKS cluster of the config has no credentials secret; the others have one each', () => {
    const names = Object.values(resourcesOf(s.statefulTemplate, 'AWS::SecretsManager::Secret')).map((r) => r.Properties?.Name);
    expect(names.sort()).toEqual(['gns-sync/clusters/clusterOne', 'gns-sync/clusters/clusterTwo']);
  });

  it.each(['Sync', 'Reconcile'])('%s: GetSecretValue on exactly the two secrets by full ARN, DescribeCluster on exactly the EKS cluster', (fn) => {
    const statements = statementsOf(fn);
    const secrets = statements.filter((st) => actionsOf(st).includes('secretsmanager:GetSecretValue'));
    expect(secrets).toHaveLength(1);
    expect(actionsOf(secrets[0]!)).toEqual(['secretsmanager:GetSecretValue']);
    const resources = asArray(secrets[0]!.Resource as unknown[]);
    expect(resources).toHaveLength(2);
    for (const r of resources) expect(JSON.stringify(r)).toMatch(/ClusterCredentialscluster(One|Two)/);
    expect(JSON.stringify(resources)).not.toContain('*');
    const eks = statements.filter((st) => actionsOf(st).some((a) => a.startsWith('eks:')));
    expect(eks).toHaveLength(1);
    expect(actionsOf(eks[0]!)).toEqual(['eks:DescribeCluster']);
    expect(eks[0]!.Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks:eu-central-1:', { Ref: 'AWS::AccountId' }, ':cluster/prod-eks']] });
  });

  it('Ingest: no secret and no EKS action', () => {
    const actions = statementsOf('Ingest').flatMap(actionsOf);
    expect(actions.filter((a) => a.startsWith('secretsmanager:') || a.startsWith('eks:'))).toEqual([]);
  });
});
