// `validate-config --previous FILE | --state-dir DIR`: what applying the new config instead of
// the previous one costs (shared/config/changes.ts), as lines to print.
import { existsSync, readFileSync } from 'node:fs';
import type { StateCounts } from '../../shared/config/changes.ts';
import { configChanges } from '../../shared/config/changes.ts';
import { loadConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import { stateCounts } from '../runner/state-counts.ts';
import { StateDirLockedError, statePaths } from '../runner/state-dir.ts';
import { configCopyPath } from '../runner/offline.ts';
import { UsageError } from './command.ts';

export async function previousConfigChanges(next: Config, previous: { kind: 'file' | 'state-dir'; path: string }): Promise<string[]> {
  let before: Config;
  let counts: StateCounts | undefined;
  const notes: string[] = [];
  if (previous.kind === 'file') {
    before = loadConfig(previous.path);
  } else {
    const copy = configCopyPath(previous.path);
    if (!existsSync(copy)) throw new UsageError(`--state-dir ${previous.path}: no config.json in ${statePaths(previous.path).dir} (written by gns-sync local); give --previous FILE instead`);
    // The copy gns-sync local keeps is the loaded Config (defaults filled), as offline replay reads it.
    before = JSON.parse(readFileSync(copy, 'utf8')) as Config;
    try {
      counts = await stateCounts(previous.path, before);
    } catch (error) {
      if (!(error instanceof StateDirLockedError)) throw error;
      notes.push(`(gns-sync local is running on ${previous.path}: VIPs not counted; stop it to count them)`);
    }
  }
  const source = previous.kind === 'file' ? previous.path : configCopyPath(previous.path);
  const changes = configChanges(before, next, counts);
  if (changes.length === 0) return [`compared with ${source}: no cluster, global namespace, member or installation is renamed, moved or removed`];
  return [`compared with ${source}: ${changes.length} change(s) that cost names or VIPs`, ...changes.map((c) => `- ${c.message}`), ...notes];
}
