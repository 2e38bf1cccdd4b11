// Strict flags of local/status/replay/demo: one clear line, exit 2, nothing changed.
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureConsole } from '../../support/console.ts';
import { main } from '../../../local/cli/main.ts';

const { out: logs, err: errors } = captureConsole();

const dir = () => mkdtempSync(join(tmpdir(), 'gns-cli-'));

describe('usage errors exit 2 with one line and change nothing', () => {
  const state = join(tmpdir(), 'gns-cli-never-created');
  it.each([
    [['local'], /--config FILE is required/],
    [['local', '--config', 'examples/kafka-gns.yaml', '--kubeconfig', '/nonexistent/kc', '--state-dir', state], /--kubeconfig \/nonexistent\/kc: no such file/],
    [['local', '--config', '/nonexistent.yaml', '--kubeconfig', 'package.json', '--state-dir', state], /nonexistent\.yaml/],
    [['local', '--bogus'], /unknown option --bogus/],
    [['status', '--state-dir'], /--state-dir needs a value/],
    [['status', 'extra'], /unexpected argument "extra"/],
    [['replay', '--from', '2026-11-28T00:00:00Z'], /--from and --to are required/],
    [['replay', '--from', 'yesterday', '--to', '2026-11-28T00:00:00Z', '--state-dir', state], /--from "yesterday" is not an ISO 8601 time/],
    [['replay', '--from', '2026-11-28T01:00:00Z', '--to', '2026-11-28T00:00:00Z', '--state-dir', state], /--to .* must be after --from/],
    [['replay', '--from', '2026-11-28', '--to', '2026-11-29', '--name', 'has space', '--state-dir', state], /--name "has space"/],
    [['replay', '--from', '2026-11-28', '--to', '2026-11-29', '--archive', 'my-archive'], /--archive "my-archive" is not an EventBridge archive ARN/],
    [['replay', '--from', '2026-11-28', '--to', '2026-11-29', '--event-bus', 'arn:aws:events:eu-west-1:123456789012:event-bus/b'], /--event-bus needs --archive/],
    [['replay', '--from', '2026-11-28', '--to', '2026-11-29', '--archive', 'arn:aws:events:eu-west-1:123456789012:archive/a', '--state-dir', state], /give one of them/],
    [['demo', '--once=1'], /--once takes no value/],
    [['demo', '--loop'], /unknown option --loop/],
  ])('%j', async (args, message) => {
    expect(await main(args)).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
    expect(errors[0]).not.toContain('\n');
    expect(existsSync(state)).toBe(false);
  });

  it('a bad config file: exit 2 with the field, no state directory created', async () => {
    const d = dir();
    const config = join(d, 'bad.yaml');
    writeFileSync(config, 'clusters: []\n');
    const kubeconfig = join(d, 'kc');
    writeFileSync(kubeconfig, 'apiVersion: v1\n');
    expect(await main(['local', '--config', config, '--kubeconfig', kubeconfig, '--state-dir', join(d, 'state')])).toBe(2);
    expect(errors[0]).toMatch(/clusters/);
    expect(readdirSync(d).sort()).toEqual(['bad.yaml', 'kc']);
  });

  it('a kubeconfig without the config\'s contexts: exit 2 naming the context, no state directory created', async () => {
    const d = dir();
    const kubeconfig = join(d, 'kc');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    expect(await main(['local', '--config', 'examples/kafka-gns.yaml', '--kubeconfig', kubeconfig, '--state-dir', join(d, 'state')])).toBe(2);
    expect(errors[0]).toMatch(/has no context "clusterOne" for cluster clusterOne/);
    expect(readdirSync(d)).toEqual(['kc']);
  });
});

describe('status and replay without a state directory', () => {
  it('status says there is no state and exits 1', async () => {
    expect(await main(['status', '--state-dir', join(dir(), 'none')])).toBe(1);
    expect(errors[0]).toMatch(/no state in .*start gns-sync local/);
  });
  it('replay says there is no archive and exits 1', async () => {
    expect(await main(['replay', '--from', '2026-11-28', '--to', '2026-11-29', '--state-dir', join(dir(), 'none')])).toBe(1);
    expect(errors[0]).toMatch(/no archive/);
  });
  it('every command has --help', async () => {
    for (const name of ['local', 'status', 'replay', 'demo']) expect(await main([name, '--help'])).toBe(0);
    expect(logs.join('\n')).toMatch(/usage: gns-sync demo/);
  });
});
