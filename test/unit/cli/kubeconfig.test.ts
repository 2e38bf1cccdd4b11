// Which kubeconfig `gns-sync local` uses (issue 14): --kubeconfig, else $KUBECONFIG, else
// ~/.kube/config, as kubectl does; none of them: one line saying so, exit 2.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { chooseKubeconfig } from '../../../local/cli/kubeconfig.ts';
import { main } from '../../../local/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'gns-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string): string => {
  const path = join(dir, name);
  writeFileSync(path, 'apiVersion: v1\nkind: Config\n');
  return path;
};
const home = join(dir, 'home');
const missing = join(dir, 'missing');

describe('chooseKubeconfig', () => {
  it('--kubeconfig first, whatever $KUBECONFIG says', () => {
    const flag = file('flag');
    expect(chooseKubeconfig(flag, { KUBECONFIG: file('env') }, home)).toEqual({ path: flag, paths: [flag], from: '--kubeconfig' });
  });

  it('then $KUBECONFIG: one file is read; several existing ones are merged as kubectl does (missing ones skipped)', () => {
    const a = file('a');
    const b = file('b');
    expect(chooseKubeconfig(undefined, { KUBECONFIG: a }, home)).toEqual({ path: a, paths: [a], from: '$KUBECONFIG' });
    expect(chooseKubeconfig(undefined, { KUBECONFIG: [missing, a, b].join(delimiter) }, home)).toEqual({ paths: [a, b], from: '$KUBECONFIG' });
  });

  it('then ~/.kube/config; without it, one line naming all three', () => {
    const h = join(dir, 'h2');
    expect(() => chooseKubeconfig(undefined, {}, h)).toThrow(`no kubeconfig: give --kubeconfig FILE, set $KUBECONFIG, or create ${join(h, '.kube', 'config')}`);
    mkdirSync(join(h, '.kube'), { recursive: true });
    writeFileSync(join(h, '.kube', 'config'), 'apiVersion: v1\n');
    expect(chooseKubeconfig(undefined, { KUBECONFIG: '' }, h)).toEqual({ path: join(h, '.kube', 'config'), paths: [join(h, '.kube', 'config')], from: '~/.kube/config' });
  });

  it('a missing --kubeconfig or a $KUBECONFIG naming no file: one line', () => {
    expect(() => chooseKubeconfig(missing, {}, home)).toThrow(`--kubeconfig ${missing}: no such file`);
    expect(() => chooseKubeconfig(undefined, { KUBECONFIG: missing }, home)).toThrow(`$KUBECONFIG names no existing file (${missing}); give --kubeconfig FILE`);
  });
});

describe('gns-sync local without --kubeconfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });
  it('$KUBECONFIG naming no file: exit 2, one line, no state directory', async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    vi.stubEnv('KUBECONFIG', missing);
    const state = join(dir, 'state');
    expect(await main(['local', '--config', 'examples/kafka-gns.yaml', '--state-dir', state])).toBe(2);
    expect(errors).toEqual([`gns-sync local: $KUBECONFIG names no existing file (${missing}); give --kubeconfig FILE`]);
  });
});
