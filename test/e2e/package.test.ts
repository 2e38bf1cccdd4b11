// Installable outside the clone (issue 14): `npm pack` builds a tarball whose CLI is one bundle
// (no TypeScript: Node does not strip types under node_modules), laid out as `npm install -g`
// lays it out in a temporary prefix; from a directory outside the repository, on whatever Node
// the PATH has, `gns-sync --version` and `gns-sync demo --once` work.
// The package's dependencies are linked from this checkout's node_modules rather than fetched:
// tests use no network beyond loopback, and npm's offline cache holds tarballs but not the
// registry metadata a tarball install resolves them with.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'gns-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the npm package', { timeout: 600_000 }, () => {
  it('npm pack → installed in a prefix → gns-sync --version and demo --once from outside the repository', async () => {
    const env = { ...process.env, PATH: [join(ROOT, 'node_modules/.bin'), process.env.PATH].join(delimiter) };
    const { stdout } = await run('npm', ['pack', '--pack-destination', dir, '--silent'], { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024 });
    const tarball = join(dir, stdout.trim().split('\n').at(-1) ?? '');
    expect(existsSync(tarball)).toBe(true);
    expect(existsSync(join(ROOT, 'dist')), 'postpack removes the bundle from the repository').toBe(false);

    // What `npm install -g --prefix <prefix>` makes: lib/node_modules/gns-sync and bin/gns-sync.
    const prefix = join(dir, 'prefix');
    const lib = join(prefix, 'lib', 'node_modules');
    mkdirSync(lib, { recursive: true });
    await run('tar', ['xzf', tarball, '-C', lib]);
    renameSync(join(lib, 'package'), join(lib, 'gns-sync'));
    const installed = join(lib, 'gns-sync');
    const files = readdirSync(installed, { recursive: true, encoding: 'utf8' }).sort();
    expect(files).toEqual(expect.arrayContaining(['bin/gns-sync.mjs', 'dist/gns-sync.mjs', 'deploy/base/deployment.yaml', 'local/sim/istio/crds-1.27.9.yaml', 'examples/kafka-gns.yaml', 'package.json', 'README.md', 'LICENSE']));
    expect(files.filter((f) => f.endsWith('.ts')), 'no TypeScript in the package').toEqual([]);
    symlinkSync(join(ROOT, 'node_modules'), join(installed, 'node_modules'));
    mkdirSync(join(prefix, 'bin'));
    symlinkSync(join('..', 'lib', 'node_modules', 'gns-sync', 'bin', 'gns-sync.mjs'), join(prefix, 'bin', 'gns-sync'));

    // Outside the repository, with the system's PATH (its Node may be older than 24).
    const work = join(dir, 'work');
    mkdirSync(work);
    const userEnv = { HOME: dir, PATH: [join(prefix, 'bin'), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter) };
    const version = await run('gns-sync', ['--version'], { cwd: work, env: userEnv });
    const { version: expected } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(version.stdout).toBe(`gns-sync ${expected}\n`);
    const demo = await run('gns-sync', ['demo', '--once'], { cwd: work, env: userEnv, maxBuffer: 16 * 1024 * 1024 });
    expect(demo.stdout).toMatch(/every check passed/);
    expect(existsSync(join(work, '.gns-sync', 'demo', 'kubeconfig'))).toBe(true);
  });
});
