// The state directory of `gns-sync local` (default `.gns-sync/`): dynalite's files, the bus
// archive, the dead-letter files, the control endpoint's port. One runner at a time: a lock
// file holding the owner's pid; a lock left by a dead process (SIGKILL) is taken over.
// Private to its user (docs/security.md): the directory is 0700, its files 0600 — it holds the
// kubeconfig copy, the archive of every event, and the control endpoint's secret.
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { GnsSyncError } from '../../shared/errors.ts';

export const DEFAULT_STATE_DIR = '.gns-sync';
/** The demo's own state directory: `demo` resets it at start and never touches another one. */
export const DEFAULT_DEMO_STATE_DIR = join(DEFAULT_STATE_DIR, 'demo');

export const statePaths = (stateDir: string) => {
  const dir = resolve(stateDir);
  return {
    dir,
    lock: join(dir, 'lock'),
    control: join(dir, 'control.json'),
    dynamodb: join(dir, 'dynamodb'),
    archive: join(dir, 'archive', 'events.jsonl'),
    ingestDlq: join(dir, 'dlq', 'ingest.jsonl'),
    syncDlq: join(dir, 'dlq', 'sync.jsonl'),
    kubeconfig: join(dir, 'kubeconfig'),
    /** Marks a directory `gns-sync demo` made, so it resets only its own. */
    demoMarker: join(dir, 'demo.json'),
  };
};

/**
 * Why `stateDir` cannot be a state directory (it, or the nearest existing path above it, is
 * not a directory), or undefined when it is one or can be created. Reads only.
 */
export function stateDirProblem(stateDir: string): string | undefined {
  for (let path = resolve(stateDir); ; path = dirname(path)) {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat !== undefined) return stat.isDirectory() ? undefined : `${path} is a file, not a directory`;
    if (dirname(path) === path) return undefined;
  }
}

/** Another live process holds the state directory: nothing was started. */
export class StateDirLockedError extends GnsSyncError {
  override readonly name = 'StateDirLockedError';
  readonly pid: number;

  constructor(dir: string, pid: number) {
    super(`state directory ${dir} is in use by another gns-sync process (pid ${pid}); stop it first, or pass another --state-dir`);
    this.pid = pid;
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function lockOwner(stateDir: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(statePaths(stateDir).lock, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Directories of the state 0700, files 0600, recursively (a directory made by an older version was 0755/0644). */
export function makePrivate(path: string): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined || stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) makePrivate(resolve(path, entry));
  } else if (stat.isFile() && (stat.mode & 0o777 & ~0o600) !== 0) {
    chmodSync(path, stat.mode & 0o600);
  }
}

/**
 * Takes the state directory's lock (creating the directory), or throws StateDirLockedError.
 * The holding process creates every file private from then on (umask 077): LevelDB's files
 * (dynalite) take no mode of their own.
 */
export function lockStateDir(stateDir: string): { release(): void } {
  const paths = statePaths(stateDir);
  process.umask(process.umask() | 0o077);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  makePrivate(paths.dir);
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(paths.lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          rmSync(paths.lock, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = lockOwner(stateDir);
      if (owner !== undefined && processAlive(owner)) throw new StateDirLockedError(paths.dir, owner);
      rmSync(paths.lock, { force: true }); // left by a process that died
    }
  }
  throw new StateDirLockedError(paths.dir, lockOwner(stateDir) ?? -1);
}
