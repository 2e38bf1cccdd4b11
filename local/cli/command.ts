// A CLI subcommand. Each lives in its own file under commands/ and is listed in commands/index.ts.

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
