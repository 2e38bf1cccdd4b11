import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FinalError } from '../../../shared/errors.ts';
import { ConfigError, loadConfig, parseConfig, toConfigFile } from '../../../shared/config/index.ts';

const EXAMPLE = join(import.meta.dirname, '../../../examples/kafka-gns.yaml');

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('loads the example: the seed scenario', () => {
    const config = loadConfig(EXAMPLE);
    expect(config).toEqual({
      installation: 'default',
      clusters: [
        { name: 'clusterOne', network: 'net-one', context: 'clusterOne' },
        { name: 'clusterTwo', network: 'net-two', context: 'clusterTwo' },
      ],
      globalNamespaces: [
        {
          name: 'kafka-gns',
          members: [
            { cluster: 'clusterOne', namespace: 'ns-one' },
            { cluster: 'clusterOne', namespace: 'ns-two' },
            { cluster: 'clusterTwo', namespace: 'ns-one' },
          ],
        },
      ],
      vipPool: '241.0.0.0/16',
      vipReleaseAfterMs: 3_600_000,
      routing: 'none',
    });
  });

  it('fills the defaults: network and context = cluster name, pool 241.0.0.0/16 (not Istio\'s 240.240.0.0/16), release after 1h, no GNS, routing none', () => {
    expect(parseConfig('clusters: [{ name: a.b_c-1 }]', 'inline')).toEqual({
      installation: 'default',
      clusters: [{ name: 'a.b_c-1', network: 'a.b_c-1', context: 'a.b_c-1' }],
      globalNamespaces: [],
      vipPool: '241.0.0.0/16',
      vipReleaseAfterMs: 3_600_000,
      routing: 'none',
    });
  });

  it('accepts an IPv6 pool, other durations, and clusters sharing a network', () => {
    const config = parseConfig(
      [
        'clusters:',
        '  - { name: east, network: shared, context: "arn:aws:eks:eu-west-1:111122223333:cluster/east" }',
        '  - { name: west, network: shared }',
        'globalNamespaces:',
        '  - name: g1',
        '    members: [{ cluster: east, namespace: a }, { cluster: west, namespace: a }]',
        '  - name: g2',
        '    members: [{ cluster: east, namespace: b }]',
        'vipPool: fd00:10::/64',
        'vipReleaseAfter: 1h30m',
      ].join('\n'),
      'inline',
    );
    expect(config.vipPool).toBe('fd00:10::/64');
    expect(config.vipReleaseAfterMs).toBe(5_400_000);
    expect(config.clusters.map((c) => c.network)).toEqual(['shared', 'shared']);
    expect(config.clusters[0]?.context).toBe('arn:aws:eks:eu-west-1:111122223333:cluster/east');
  });

  it('names the installation (default "default"), refuses a name that cannot be a label and an object name suffix, and round-trips it', () => {
    expect(parseConfig('clusters: [{ name: a }]', 'inline').installation).toBe('default');
    const teamB = parseConfig('installation: team-b\nclusters: [{ name: a }]', 'inline');
    expect(teamB.installation).toBe('team-b');
    expect(parseConfig(JSON.stringify(toConfigFile(teamB)), 'GNS_SYNC_CONFIG')).toEqual(teamB);
    expect(toConfigFile(parseConfig('clusters: [{ name: a }]', 'inline'))).not.toHaveProperty('installation');
    expect(() => parseConfig('installation: Team_B\nclusters: [{ name: a }]', 'inline')).toThrow(/inline:1: installation: an installation name must be a DNS-1123 label/);
    expect(() => parseConfig(`installation: ${'a'.repeat(41)}\nclusters: [{ name: a }]`, 'inline')).toThrow(/at most 40 characters/);
  });

  it('accepts a pool of exactly 4 usable addresses', () => {
    expect(parseConfig('clusters: [{ name: a }]\nvipPool: 10.0.0.0/29', 'inline').vipPool).toBe('10.0.0.0/29');
    expect(() => parseConfig('clusters: [{ name: a }]\nvipPool: 10.0.0.0/30', 'inline')).toThrow(/at least 4/);
  });

  it('reads JSON (as GNS_SYNC_CONFIG carries it), and toConfigFile round-trips', () => {
    const config = loadConfig(EXAMPLE);
    const json = JSON.stringify(toConfigFile(config));
    expect(parseConfig(json, 'GNS_SYNC_CONFIG')).toEqual(config);
  });

  it('names the source, the line and the field, and keeps the cause', () => {
    const error = errorOf(() => parseConfig('clusters:\n  - name: a\nglobalNamespaces:\n  - name: g\n    members:\n      - { cluster: b, namespace: x }\n', 'env'));
    expect(error.message).toBe('env:6: globalNamespaces[0].members[0].cluster: unknown cluster "b" (not listed under clusters)');
    expect(error).toBeInstanceOf(FinalError);
    expect(error.name).toBe('ConfigError');
    expect(error.source).toBe('env');
    expect(error.line).toBe(6);
    expect(error.field).toBe('globalNamespaces[0].members[0].cluster');
    expect(error.cause).toBeDefined();
  });

  it('reports the first problem only, an unknown key before the required one it explains', () => {
    const error = errorOf(() => parseConfig('clusterz: []\n', 'inline'));
    expect(error.message).toBe('inline:1: clusterz: unknown key');
  });

  it.each([
    ['a scalar', 'hello', 'the config must be a mapping with clusters and globalNamespaces, got "hello"'],
    ['null', 'null', 'the config is empty'],
    ['whitespace', '  \n\n', 'the config is empty'],
    ['two documents', 'clusters: [{ name: a }]\n---\nclusters: [{ name: b }]\n', 'YAML syntax error: Source contains multiple documents'],
    ['an unresolved alias', 'clusters: *nope\n', 'YAML'],
    ['tabs', 'clusters:\n\t- name: a\n', 'YAML syntax error'],
    ['a number for the pool', 'clusters: [{ name: a }]\nvipPool: 10\n', 'vipPool: expected a CIDR block like 240.240.0.0/16, got 10'],
    ['clusters as a map', 'clusters: { name: a }\n', 'clusters: expected array, got an object'],
    ['an empty cluster name', 'clusters: [{ name: "" }]\n', 'clusters[0].name: must not be empty'],
    ['a cluster name with a slash', 'clusters: [{ name: a/b }]\n', 'clusters[0].name: must be a Kubernetes label value'],
    ['an empty context', 'clusters: [{ name: a, context: "" }]\n', 'clusters[0].context: a kubeconfig context name must not be empty'],
    ['a pool with no prefix', 'clusters: [{ name: a }]\nvipPool: 10.0.0.0\n', 'vipPool: "10.0.0.0" is not a CIDR block'],
  ])('rejects %s with one line', (_case, text, expected) => {
    const error = errorOf(() => parseConfig(text, 'inline'));
    expect(error.message).toContain(expected);
    expect(error.message).not.toMatch(/\n/);
  });
});

describe('loadConfig: files it cannot read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gns-sync-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a missing file', () => {
    const path = join(dir, 'missing.yaml');
    expect(errorOf(() => loadConfig(path)).message).toBe(`${path}: cannot read the config file: no such file`);
  });

  it('a directory', () => {
    expect(errorOf(() => loadConfig(dir)).message).toBe(`${dir}: cannot read the config file: it is a directory, not a file`);
  });

  it('a file that is not UTF-8 text still gets a one-line error', () => {
    const path = join(dir, 'binary.yaml');
    writeFileSync(path, Buffer.from([0x00, 0xff, 0xfe, 0x3a, 0x0a]));
    expect(errorOf(() => loadConfig(path)).message).not.toMatch(/\n/);
  });
});
