// Crash damage in the local state directory (issue 10, case 10): a damaged dynalite store
// makes `local`, `status` and `replay` fail with one line naming the damaged file and what to
// do — not "Database is closed" from inside dynalite with no path.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamo } from '../../../local/dynamo/start.ts';
import { corruptFile } from '../../../local/dynamo/store-check.ts';
import { loadConfig } from '../../../shared/config/load.ts';

const run = promisify(execFile);
const node = join(process.cwd(), 'node_modules/.bin/node');
const bin = join(process.cwd(), 'bin/gns-sync.mjs');

let scratch: string;
let stateDir: string;
let kubeconfig: string;
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'gns-damaged-'));
  stateDir = join(scratch, 'state');
  const dynamo = await startLocalDynamo({ dir: join(stateDir, 'dynamodb') });
  await dynamo.stop();
  writeFileSync(join(stateDir, 'config.json'), JSON.stringify(loadConfig('examples/kafka-gns.yaml')));
  mkdirSync(join(stateDir, 'archive'));
  writeFileSync(join(stateDir, 'archive', 'events.jsonl'), '');
  // A crash mid-write: CURRENT no longer names the manifest.
  writeFileSync(join(stateDir, 'dynamodb', 'CURRENT'), 'MANIFEST-0000');
  kubeconfig = join(scratch, 'kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: clusterOne',
    'clusters: [{ name: c, cluster: { server: "https://127.0.0.1:1" } }]',
    'users: [{ name: u, user: { token: t } }]',
    'contexts: [{ name: clusterOne, context: { cluster: c, user: u } }, { name: clusterTwo, context: { cluster: c, user: u } }]',
  ].join('\n'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function cli(args: readonly string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(node, [bin, ...args], { timeout: 60_000 });
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('a damaged local DynamoDB store', () => {
  it.each([
    [['status', '--state-dir', '<state>']],
    [['replay', '--from', '2026-11-28T00:00:00Z', '--to', '2026-11-29T00:00:00Z', '--state-dir', '<state>']],
    [['local', '--config', 'examples/kafka-gns.yaml', '--kubeconfig', '<kubeconfig>', '--state-dir', '<state>']],
  ])('%j: names the damaged file and what to do', async (args) => {
    const { code, out } = await cli(args.map((a) => (a === '<state>' ? stateDir : a === '<kubeconfig>' ? kubeconfig : a)));
    expect(code).not.toBe(0);
    expect(out).not.toMatch(/Database is closed/);
    expect(out).toContain(`the local DynamoDB store is damaged: ${join(stateDir, 'dynamodb', 'CURRENT')}`);
    expect(out).toMatch(/Move the directory aside \(mv .*dynamodb .*dynamodb\.damaged\)/);
    expect(out).not.toMatch(/\n\s+at /); // one line, not a stack trace
    expect(readFileSync(join(stateDir, 'dynamodb', 'CURRENT'), 'utf8')).toBe('MANIFEST-0000'); // nothing changed
  });

  it('corruptFile names the file a LevelDB message is about', () => {
    expect(corruptFile('/s/db', 'Corruption: CURRENT file does not end with newline')).toBe('/s/db/CURRENT');
    expect(corruptFile('/s/db', 'Corruption: checksum mismatch in 000005.ldb')).toBe('/s/db/000005.ldb');
    expect(corruptFile('/s/db', 'IO error: something else')).toBe('/s/db');
  });
});
