// Starts the local DynamoDB as a child process (local/dynamo/engine-process.ts) and stops it.
// The child dies with this process whatever way it ends: it stops when its stdin pipe closes,
// which the kernel does when this process exits, also by SIGKILL. It runs in a process group
// of its own, so a Ctrl-C meant for this process reaches it only through `stop`, after the last
// request. Errors come back as one line: what failed, the store, the child's last words.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface EngineProcess {
  readonly port: number;
  readonly pid: number;
  /** End the child's stdin and wait until it has closed the store and exited. */
  stop(): Promise<void>;
}

const STARTUP_MS = 60_000;
const STOP_MS = 15_000;

/** The last `max` characters of what the child wrote on stderr, on one line. */
function tail(text: string, max = 600): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `…${one.slice(-max)}` : one;
}

/**
 * Start the engine on 127.0.0.1 (in memory, or on disk under `path`). When it does not listen,
 * rejects with `fail(reason)` (the caller names the store).
 */
export function startEngineProcess(path: string | undefined, fail: (reason: string) => Error): Promise<EngineProcess> {
  const entry = fileURLToPath(new URL('./engine-process.ts', import.meta.url));
  const child = spawn(process.execPath, [entry, JSON.stringify(path === undefined ? {} : { path })], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    windowsHide: true,
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  let stopping = false;
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  child.stdin.on('error', () => undefined); // the child is gone: its exit is reported below

  return new Promise<EngineProcess>((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const timer = setTimeout(() => {
      settle(new Error(`it did not listen within ${STARTUP_MS / 1000} s`));
      child.kill('SIGKILL');
    }, STARTUP_MS);
    const settle = (outcome: Error | number): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      if (typeof outcome === 'number') {
        resolve({ port: outcome, pid: child.pid ?? -1, stop });
        return;
      }
      child.stdin.end();
      reject(fail(outcome.message));
    };
    child.once('error', (error) => settle(new Error(`cannot start ${process.execPath}: ${error.message}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const end = stdout.indexOf('\n');
      if (end < 0) return;
      let line: { port?: unknown; error?: unknown };
      try {
        line = JSON.parse(stdout.slice(0, end)) as typeof line;
      } catch {
        settle(new Error(`unexpected output ${JSON.stringify(stdout.slice(0, end))}`));
        return;
      }
      if (typeof line.port === 'number') settle(line.port);
      else settle(new Error(String(line.error ?? 'no port')));
    });
    void exited.then((code) => {
      if (!settled) settle(new Error(`the process exited (${code}) before it listened${stderr ? `: ${tail(stderr)}` : ''}`));
      else if (!stopping) process.stderr.write(`gns-sync: the local DynamoDB process ${child.pid} exited unexpectedly (${code})${stderr ? `: ${tail(stderr)}` : ''}\n`);
    });
  });

  async function stop(): Promise<void> {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) throw fail(`it exited with ${code} while stopping${stderr ? `: ${tail(stderr)}` : ''}`);
  }
}
