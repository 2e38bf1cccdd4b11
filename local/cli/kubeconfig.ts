// Which kubeconfig a command uses, as kubectl chooses it: --kubeconfig, else $KUBECONFIG (one
// file, or several separated by the path delimiter, merged), else ~/.kube/config.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UsageError } from './command.ts';

/** One file to read, or `paths` to merge as kubectl does (several in $KUBECONFIG). */
export interface KubeconfigChoice {
  readonly path?: string;
  readonly paths: readonly string[];
  /** Where it came from, for messages: `--kubeconfig`, `$KUBECONFIG` or `~/.kube/config`. */
  readonly from: string;
}

export function chooseKubeconfig(flag: string | undefined, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): KubeconfigChoice {
  if (flag !== undefined) {
    if (!existsSync(flag)) throw new UsageError(`--kubeconfig ${flag}: no such file`);
    return { path: flag, paths: [flag], from: '--kubeconfig' };
  }
  const listed = (env.KUBECONFIG ?? '').split(delimiter).filter((p) => p !== '');
  if (listed.length > 0) {
    const present = listed.filter((p) => existsSync(p));
    if (present.length === 0) throw new UsageError(`$KUBECONFIG names no existing file (${listed.join(delimiter)}); give --kubeconfig FILE`);
    return present.length === 1 ? { path: present[0]!, paths: present, from: '$KUBECONFIG' } : { paths: present, from: '$KUBECONFIG' };
  }
  const fallback = join(home, '.kube', 'config');
  if (!existsSync(fallback)) throw new UsageError(`no kubeconfig: give --kubeconfig FILE, set $KUBECONFIG, or create ${fallback}`);
  return { path: fallback, paths: [fallback], from: '~/.kube/config' };
}
