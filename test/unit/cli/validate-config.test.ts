// `gns-sync validate-config FILE`, through main() as the CLI runs it, and once as a user runs it.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { captureConsole } from '../../support/console.ts';
import { main } from '../../../local/cli/main.ts';
import { CONFIG_FIXTURES, EXPECTED } from '../../fixtures/config/expected.ts';

const ROOT = join(import.meta.dirname, '../../..');
const EXAMPLE = join(ROOT, 'examples/kafka-gns.yaml');
const USAGE = 'usage: gns-sync validate-config FILE [--previous FILE | --state-dir DIR]';

const { out, err } = captureConsole();

describe('gns-sync validate-config', () => {
  it('prints what a valid config describes, exit 0', async () => {
    expect(await main(['validate-config', EXAMPLE])).toBe(0);
    expect(out[0]).toBe(`${EXAMPLE}: valid (2 clusters, 1 global namespace, 3 members, VIP pool 241.0.0.0/16: 65534 addresses)`);
    expect(out.slice(1)).toEqual([expect.stringMatching(/^routing: none — .*VIPs of other networks need a data plane you provide/)]);
    expect(err).toEqual([]);
  });

  it.each(readdirSync(CONFIG_FIXTURES).filter((f) => f.endsWith('.yaml')).sort())('%s: one line naming the field, exit 2', async (file) => {
    const path = join(CONFIG_FIXTURES, file);
    expect(await main(['validate-config', path])).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toContain(`${path}`);
    expect(err[0]).toContain(EXPECTED[file]);
    expect(err[0]).not.toMatch(/\n/);
  });

  it('a missing file: exit 2 with a clear message', async () => {
    expect(await main(['validate-config', 'no/such/config.yaml'])).toBe(2);
    expect(err).toEqual(['no/such/config.yaml: cannot read the config file: no such file']);
  });

  it.each([
    ['no file', [], 'a config FILE is required'],
    ['two files', [EXAMPLE, EXAMPLE], 'expected one FILE, got 2 arguments'],
    ['an unknown flag', ['--strict', EXAMPLE], 'unknown option "--strict"'],
    ['an unknown short flag', [EXAMPLE, '-q'], 'unknown option "-q"'],
  ])('bad usage (%s): exit 2 with a usage line', async (_case, args, problem) => {
    expect(await main(['validate-config', ...args])).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([`gns-sync validate-config: ${problem}; ${USAGE}`]);
  });

  it('--help prints the usage, exit 0', async () => {
    expect(await main(['validate-config', '--help'])).toBe(0);
    expect(out[0]).toContain(USAGE);
  });

  it('is listed by gns-sync --help', async () => {
    expect(await main(['--help'])).toBe(0);
    expect(out.join('\n')).toMatch(/validate-config\s+Check a config file/);
  });
});

describe('npx gns-sync validate-config, as a user runs it', () => {
  const run = promisify(execFile);

  it('validates the example (exit 0) and rejects a bad file (exit 2)', async () => {
    const ok = await run('npx', ['gns-sync', 'validate-config', 'examples/kafka-gns.yaml'], { cwd: ROOT });
    expect(ok.stdout.trim().split('\n')[0]).toBe('examples/kafka-gns.yaml: valid (2 clusters, 1 global namespace, 3 members, VIP pool 241.0.0.0/16: 65534 addresses)');

    const bad = 'test/fixtures/config/unknown-member-cluster.yaml';
    const failure = await run('npx', ['gns-sync', 'validate-config', bad], { cwd: ROOT }).then(
      () => undefined,
      (error: unknown) => error as { code: number; stdout: string; stderr: string },
    );
    expect(failure?.code).toBe(2);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr.trim()).toBe(`${bad}:8: globalNamespaces[0].members[1].cluster: unknown cluster "clusterThree" (not listed under clusters)`);
  });
});
