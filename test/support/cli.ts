// The gns-sync CLI as the tests run it: a child process started as a user would start it from
// the repository (`node_modules/.bin/node bin/gns-sync.mjs …`, the Node 24 the package carries,
// whatever Node runs the tests), its output collected, stopped by its pid.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');
export const NODE = join(ROOT, 'node_modules/.bin/node');
export const BIN = join(ROOT, 'bin/gns-sync.mjs');

export interface CliProcess {
  readonly child: ChildProcess;
  /** stdout and stderr, one entry a non-empty line, in arrival order. */
  readonly lines: string[];
  /** stdout and stderr as received. */
  readonly out: () => string;
  readonly err: () => string;
  /** The exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** SIGTERM (or `signal`) to its pid; resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `gns-sync ARGS…`; every process started is in `started` until the test file's end (killCli). */
export function startCli(args: readonly string[]): CliProcess {
  const child = spawn(NODE, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  const lines: string[] = [];
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; lines.push(...d.split('\n').filter(Boolean)); });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; lines.push(...d.split('\n').filter(Boolean)); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child, lines, exited, out: () => out, err: () => err,
    stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs `gns-sync ARGS…` to its end: its exit code and output. */
export async function runCli(args: readonly string[]): Promise<{ code: number | null; out: string; err: string }> {
  const p = startCli(args);
  const code = await p.exited;
  return { code, out: p.out(), err: p.err() };
}

const started: ChildProcess[] = [];

/** SIGKILLs every CLI process still running (by pid) and waits for each to exit: for afterAll. */
export async function killCli(): Promise<void> {
  const running = started.splice(0).filter((c) => c.exitCode === null && c.signalCode === null);
  for (const c of running) c.kill('SIGKILL');
  await Promise.all(running.map((c) => new Promise((resolve) => c.once('exit', resolve))));
}
