// A CLI subcommand. Each lives in its own file under commands/ and is listed in commands/index.ts.
import { DEFAULT_STATE_DIR, stateDirProblem } from '../runner/state-dir.ts';

export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full usage text for `gns-sync <name> --help`. */
  readonly usage: string;
  /** Returns the process exit code: 0 ok, 1 failed, 2 bad usage or bad input. */
  run(args: readonly string[]): Promise<number>;
}

/** Bad input on the command line or in a file the command reads: printed as one line, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Throws a UsageError when `--state-dir` (default .gns-sync/) is, or lies under, a file. */
export function checkStateDir(flag: string | undefined): void {
  const dir = flag ?? DEFAULT_STATE_DIR;
  const problem = stateDirProblem(dir);
  if (problem !== undefined) throw new UsageError(`--state-dir ${dir}: ${problem}`);
}
