// Inputs of the CDK app: the context settings and the shared config file. Bad input is one clear
// line and synthesizes nothing.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CloudConfigError, loadCloudConfig } from '../../infra/config.ts';
import { readSettings, SettingsError } from '../../infra/settings.ts';
import { ConfigError, parseConfig, loadConfig } from '../../shared/config/load.ts';
import { EXAMPLE_CONFIG, PROJECT_ROOT, busPolicyStatements, synth, tempDir } from './synth.ts';

const run = promisify(execFile);

describe('readSettings', () => {
  it('fills defaults from an empty context', () => {
    expect(readSettings({})).toEqual({
      config: 'examples/kafka-gns.yaml', stackPrefix: 'GnsSync', busName: 'gns-sync', archiveRetentionDays: 30,
      reconcileMinutes: 5, syncLagSeconds: 60, propagationP99Ms: 5000, nag: true,
    });
  });

  it('accepts `-c key=value` strings for numbers and flags, and ignores other context keys', () => {
    const s = readSettings({ 'gns-sync:archiveRetentionDays': '0', 'gns-sync:nag': 'false', 'gns-sync:region': 'eu-west-1', '@aws-cdk/x': true });
    expect(s).toMatchObject({ archiveRetentionDays: 0, nag: false, region: 'eu-west-1' });
  });

  it.each([
    [{ 'gns-sync:reconcileMinutes': 0 }, /gns-sync:reconcileMinutes: .*1/],
    [{ 'gns-sync:archiveRetentionDays': '-1' }, /gns-sync:archiveRetentionDays/],
    [{ 'gns-sync:archiveRetentionDays': 'ten' }, /gns-sync:archiveRetentionDays/],
    [{ 'gns-sync:account': '1234' }, /gns-sync:account: must be a 12-digit AWS account id/],
    [{ 'gns-sync:region': 'Europe' }, /gns-sync:region: must be an AWS region/],
    [{ 'gns-sync:alarmEmail': 'not-an-email' }, /gns-sync:alarmEmail/],
    [{ 'gns-sync:busName': 'a bus' }, /gns-sync:busName/],
    [{ 'gns-sync:reconcileMinute': 5 }, /unknown setting\(s\) "gns-sync:reconcileMinute"/],
  ])('rejects %j with one line naming the setting', (context, message) => {
    let error: unknown;
    try {
      readSettings(context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).cause).toBeDefined();
  });
});

describe('loadCloudConfig', () => {
  it('passes the functions the config as JSON that the shared parser reads back to the same Config', () => {
    const cloud = loadCloudConfig(EXAMPLE_CONFIG);
    expect(parseConfig(cloud.json, 'GNS_SYNC_CONFIG')).toEqual(loadConfig(EXAMPLE_CONFIG));
    expect(cloud.clusters).toEqual([{ name: 'clusterOne' }, { name: 'clusterTwo' }]);
    expect(cloud.json).not.toContain('\n');
  });

  it('reads a cluster\'s awsAccountId from the YAML, and the stack admits that account with that cluster\'s source only', () => {
    const dir = tempDir('gns-cfg-');
    const file = join(dir, 'cross.yaml');
    writeFileSync(file, 'clusters:\n  - name: home\n  - name: away\n    awsAccountId: "210987654321"\nglobalNamespaces:\n  - name: g\n    members: [{ cluster: home, namespace: a }, { cluster: away, namespace: b }]\n');
    const cloud = loadCloudConfig(file);
    expect(cloud.clusters).toEqual([{ name: 'home' }, { name: 'away', awsAccountId: '210987654321' }]);
    const s = synth({ cloud });
    // One Allow for the other account, and a Deny per cluster for every principal but its agent.
    const statements = busPolicyStatements(s.statefulTemplate);
    expect(statements.map((st) => st.Effect)).toEqual(['Allow', 'Deny', 'Deny']);
    expect(statements[0]).toMatchObject({ Condition: { 'ForAllValues:StringEquals': { 'events:source': 'gns-sync.io/cluster/away' } } });
  });

  it('rejects a bad config with the shared loader\'s one-line error', () => {
    const dir = tempDir('gns-cfg-');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'clusters:\n  - name: one\nglobalNamespaces:\n  - name: g\n    members: [{ cluster: two, namespace: ns }]\n');
    expect(() => loadCloudConfig(bad)).toThrow(ConfigError);
    expect(() => loadCloudConfig(bad)).toThrow(/members\[0\]\.cluster: unknown cluster "two"/);
    expect(() => loadCloudConfig(join(dir, 'missing.yaml'))).toThrow(/cannot read the config file: no such file/);
  });

  it('rejects a config too large for the 4 KB Lambda environment, saying what to do', () => {
    const dir = tempDir('gns-cfg-');
    const big = join(dir, 'big.yaml');
    const clusters = Array.from({ length: 80 }, (_, i) => `  - { name: cluster-number-${i}, network: network-number-${i} }`).join('\n');
    writeFileSync(big, `clusters:\n${clusters}\n`);
    expect(() => loadCloudConfig(big)).toThrow(CloudConfigError);
    expect(() => loadCloudConfig(big)).toThrow(/GNS_SYNC_CONFIG.*Shorten it/);
  });
});

describe('infra/app.ts', () => {
  it('exits 1 with one line on a bad setting, writing no template', async () => {
    const out = tempDir('gns-app-');
    const env = { ...process.env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ 'gns-sync:reconcileMinutes': 0 }) };
    const result = await run(process.execPath, [join(PROJECT_ROOT, 'infra/app.ts')], { env, cwd: PROJECT_ROOT }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^gns-sync infra: CDK context gns-sync:reconcileMinutes/);
    expect(existsSync(out) ? readdirSync(out).filter((f) => f.endsWith('.template.json')) : []).toEqual([]);
  });
});
