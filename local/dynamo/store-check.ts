// Before dynalite opens a store on disk, open it once ourselves: dynalite defers LevelDB's open
// error and then throws "Database is closed" from its request handler, which crashes the
// process without naming the store. A store that does not open is reported with the file
// LevelDB names and what to do (issue 10, case 10).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

interface LevelStore {
  open(): Promise<void>;
  close(): Promise<void>;
}
type LevelCtor = new (location: string) => LevelStore;

/** dynalite's own LevelDB binding (its dependency `classic-level`, resolved from dynalite). */
function classicLevel(): LevelCtor {
  const fromHere = createRequire(import.meta.url);
  const fromDynalite = createRequire(fromHere.resolve('dynalite'));
  return (fromDynalite('classic-level') as { ClassicLevel: LevelCtor }).ClassicLevel;
}

/** The file of the store a LevelDB corruption message is about, when it names one. */
export function corruptFile(dir: string, reason: string): string {
  const named = /\b(\d{6}\.(?:ldb|log|sst))\b/.exec(reason)?.[1];
  if (named !== undefined) return join(dir, named);
  if (/CURRENT/.test(reason)) return join(dir, 'CURRENT');
  if (/descriptor|MANIFEST|meta-nextfile|manifest/i.test(reason)) {
    const current = join(dir, 'CURRENT');
    const manifest = existsSync(current) ? readFileSync(current, 'utf8').trim() : '';
    return /^MANIFEST-\d+$/.test(manifest) ? join(dir, manifest) : join(dir, 'MANIFEST-*');
  }
  return dir;
}

/**
 * Opens and closes the LevelDB store in `dir` (no-op when it does not exist yet). Returns a
 * one-line problem naming the file and what to do, or undefined when the store opens.
 */
export async function storeProblem(dir: string): Promise<string | undefined> {
  if (!existsSync(join(dir, 'CURRENT')) && !existsSync(dir)) return undefined;
  const Level = classicLevel();
  const db = new Level(dir);
  try {
    await db.open();
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const reason = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
    if (/lock/i.test(reason) && !/corrupt/i.test(reason)) {
      return `the local DynamoDB store ${dir} is locked by another process (${reason}); stop the other gns-sync using this state directory`;
    }
    const file = corruptFile(dir, reason);
    return (
      `the local DynamoDB store is damaged: ${file} (${reason}). Move the directory aside (mv ${dir} ${dir}.damaged) and start ` +
      'gns-sync local again: the agents\' snapshots rebuild the state and VIPs are adopted from the target slices; ' +
      '`gns-sync replay` then restores the history (VIP bindings, tombstones) from the archive'
    );
  }
  await db.close();
  return undefined;
}
