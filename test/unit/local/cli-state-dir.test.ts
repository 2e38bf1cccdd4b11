// --state-dir that cannot be a directory (a file, or under a file): one clear line, exit 2,
// nothing changed — not a Node stack trace from mkdir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../local/cli/main.ts';
import { stateDirProblem } from '../../../local/runner/state-dir.ts';

let errors: string[];
let scratch: string;
let file: string;
beforeEach(() => {
  errors = [];
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  scratch = mkdtempSync(join(tmpdir(), 'gns-cli-state-'));
  file = join(scratch, 'a-file');
  writeFileSync(file, 'not a directory\n');
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(scratch, { recursive: true, force: true });
});

describe('stateDirProblem', () => {
  it('accepts an existing directory and one that can be created', () => {
    expect(stateDirProblem(scratch)).toBeUndefined();
    expect(stateDirProblem(join(scratch, 'new', 'deeper'))).toBeUndefined();
  });
  it('names a file, or a file on the way', () => {
    expect(stateDirProblem(file)).toMatch(/a-file is a file, not a directory/);
    expect(stateDirProblem(join(file, 'sub'))).toMatch(/a-file is a file, not a directory/);
  });
});

describe('commands refuse a --state-dir that is a file', () => {
  it.each([
    [['local', '--config', 'examples/kafka-gns.yaml', '--kubeconfig', 'package.json', '--state-dir', '<file>']],
    [['demo', '--once', '--state-dir', '<file>']],
    [['status', '--state-dir', '<file>']],
    [['replay', '--from', '2026-11-28T00:00:00Z', '--to', '2026-11-29T00:00:00Z', '--state-dir', '<file>']],
  ])('%j', async (args) => {
    expect(await main(args.map((a) => (a === '<file>' ? file : a)))).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/--state-dir .*a-file is a file, not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('not a directory\n');
  });
});
