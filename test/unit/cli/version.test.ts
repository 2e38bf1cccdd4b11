// `gns-sync --version` (issue 14): `gns-sync <version of package.json>`, exit 0, as a user runs it.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');
const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };

describe('gns-sync --version', { timeout: 120_000 }, () => {
  it.each([['--version'], ['-v']])('%s prints the package version and exits 0', async (flag) => {
    const { stdout, stderr } = await run(join(ROOT, 'node_modules/.bin/node'), ['bin/gns-sync.mjs', flag], { cwd: ROOT });
    expect(stdout).toBe(`gns-sync ${version}\n`);
    expect(stderr).toBe('');
  });
});
