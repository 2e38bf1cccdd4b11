// Adversarial: hostile names in the config (issue 11, finding 6). Names the config accepts must
// deploy: cluster names that differ only in punctuation collide in CloudFormation ids and are
// refused by `validate-config` with the reason; the longest and most punctuated valid names
// synthesize cleanly with cdk-nag; names that could escape a secret path, a source or a label
// are refused by the schema.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { loadCloudConfig } from '../../infra/config.ts';
import { readSettings } from '../../infra/settings.ts';
import { ConfigError, parseConfig } from '../../shared/config/index.ts';
import { synth, tempDir, templateProjectRoot } from '../infra/synth.ts';

const configWith = (names: readonly string[]) => [
  'clusters:',
  ...names.map((n) => `  - name: ${JSON.stringify(n)}`),
  'globalNamespaces:',
  '  - name: kafka-gns',
  '    members:',
  ...names.map((n) => `      - { cluster: ${JSON.stringify(n)}, namespace: ns-one }`),
].join('\n');

function refusal(names: readonly string[]): string {
  try {
    parseConfig(configWith(names), 'hostile.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error(`accepted: ${names.join(', ')}`);
}

describe('cluster names that collide after sanitising (finding 6)', () => {
  it.each([
    [['a-b', 'ab']],
    [['ab', 'a-b']],
    [['a.b', 'a_b']],
    [['x', 'a--b', 'a.-b']],
  ])('%j: refused with the colliding id named', (names) => {
    expect(refusal(names)).toMatch(/collides with .* in the cloud stacks' ids, which keep only letters and digits \("ab"\); rename one of them/);
  });

  it('without the check, such a config breaks the synth (the failure the check prevents)', () => {
    const dir = tempDir('gns-hostile-');
    const app = new App({ outdir: dir, context: { 'aws:cdk:bundling-stacks': [] } });
    const cloud = { config: parseConfig(configWith(['ab']), 'one.yaml'), json: '{}', clusters: [{ name: 'a-b' }, { name: 'ab' }] };
    expect(() => {
      buildApp({ app, settings: readSettings({}), cloud, projectRoot: templateProjectRoot() });
      app.synth();
    }).toThrow(/ClusterSecretab/);
  });

  it('the cloud config loader refuses it before any synth, naming the file and field', () => {
    const file = join(tempDir('gns-hostile-'), 'config.yaml');
    writeFileSync(file, configWith(['a-b', 'ab']));
    expect(() => loadCloudConfig(file)).toThrow(/config\.yaml:\d+: clusters\[1\]\.name: cluster name "ab" collides with "a-b"/);
  });
});

describe('hostile but valid names deploy', () => {
  it('63-character names full of dots, dashes and underscores synthesize with cdk-nag clean', () => {
    const names = [`a${'.-_'.repeat(20)}z1`, `A${'_'.repeat(61)}Z`, '0', 'x.y'];
    const file = join(tempDir('gns-hostile-'), 'config.yaml');
    writeFileSync(file, configWith(names));
    const cloud = loadCloudConfig(file);
    const s = synth({ cloud, nag: true });
    expect(Object.keys(s.statefulTemplate.findResources('AWS::SecretsManager::Secret'))).toHaveLength(names.length);
    expect(Object.keys(s.statefulTemplate.findResources('AWS::IAM::Role')).filter((id) => id.includes('Agent'))).toHaveLength(names.length);
  }, 120_000); // a synth with cdk-nag

  it.each([
    ['../other', /clusters\[0\]\.name: must be a Kubernetes label value/],
    ['a/b', /must be a Kubernetes label value/],
    ['a b', /must be a Kubernetes label value/],
    ['-a', /must be a Kubernetes label value/],
    ['ä', /must be a Kubernetes label value/],
    ['a'.repeat(64), /must be at most 63 characters/],
    ['', /must not be empty/],
  ])('%j: refused by the schema', (name, reason) => {
    expect(refusal([name])).toMatch(reason);
  });
});
