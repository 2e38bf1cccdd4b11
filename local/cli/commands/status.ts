// `gns-sync status [--state-dir DIR]`: the targets' table, from the running `gns-sync local`
// (its control endpoint), or, when none runs, from the store on disk.
import { existsSync } from 'node:fs';
import { callControl, findControl, type StatusReport } from '../../runner/control.ts';
import { parseFlags } from '../../runner/flags.ts';
import { readStatusOffline } from '../../runner/offline.ts';
import { DEFAULT_DEMO_STATE_DIR, DEFAULT_STATE_DIR, StateDirLockedError, statePaths } from '../../runner/state-dir.ts';
import { formatStatusTable } from '../../runner/status-table.ts';
import { formatReachability } from '../../runner/preflight.ts';
import { formatPoolLines, formatPropagationLine } from '../../runner/pool-status.ts';
import type { Command } from '../command.ts';
import { checkStateDir } from '../command.ts';

const USAGE_LINE = 'usage: gns-sync status [--state-dir DIR]';

/**
 * Without --state-dir: local's directory when a `gns-sync local` runs there, else a running
 * demo's, else whichever of the two holds a store (local's first).
 */
function defaultStateDir(): string {
  const candidates = [DEFAULT_STATE_DIR, DEFAULT_DEMO_STATE_DIR];
  return candidates.find((d) => findControl(d) !== undefined)
    ?? candidates.find((d) => existsSync(statePaths(d).dynamodb))
    ?? DEFAULT_STATE_DIR;
}

export const status: Command = {
  name: 'status',
  summary: 'Show every target: GNS, cluster/namespace/service, endpoints, VIPs, last sync, last error',
  usage: [
    USAGE_LINE,
    '',
    `  --state-dir DIR  the state directory of gns-sync local or demo (default: ${DEFAULT_STATE_DIR}/, or the`,
    `                   demo's ${DEFAULT_DEMO_STATE_DIR}/ when a demo runs and gns-sync local does not)`,
    '',
    'Asks the running `gns-sync local` (or demo) when there is one; otherwise reads the store on disk.',
  ].join('\n'),
  async run(args) {
    const flags = parseFlags(args, { 'state-dir': 'string' });
    checkStateDir(flags['state-dir']);
    const stateDir = flags['state-dir'] ?? defaultStateDir();
    const control = findControl(stateDir);
    let report: StatusReport;
    let source: string;
    if (control) {
      try {
        report = await callControl<StatusReport>(control, 'GET', '/status');
        source = `from the running gns-sync local (pid ${control.pid})`;
      } catch (error) {
        console.error(`gns-sync status: the running gns-sync local (pid ${control.pid}) did not answer: ${(error as Error).message}`);
        return 1;
      }
    } else {
      if (!existsSync(statePaths(stateDir).dynamodb)) {
        const also = flags['state-dir'] === undefined ? ` nor in ${statePaths(DEFAULT_DEMO_STATE_DIR).dir}` : '';
        console.error(`gns-sync status: no state in ${statePaths(stateDir).dir}${also}; start gns-sync local (or gns-sync demo) first`);
        return 1;
      }
      try {
        report = await readStatusOffline(stateDir);
        source = `from the store in ${statePaths(stateDir).dir} (gns-sync local is not running)`;
      } catch (error) {
        if (error instanceof StateDirLockedError) {
          console.error(`gns-sync status: ${error.message}; it has no control endpoint yet — retry in a moment`);
          return 1;
        }
        throw error;
      }
    }
    console.log(formatStatusTable(report.targets, Date.now()));
    if (report.clusters !== undefined) console.log(`\n${formatReachability(report.clusters).join('\n')}`);
    const health = [...(report.pool ? formatPoolLines(report.pool) : []), formatPropagationLine(report.propagation)];
    console.log(`\n${health.join('\n')}`);
    const hidden = report.hiddenTargets ?? 0;
    const removed = hidden > 0 ? ` (${hidden} more no longer in a member of their GNS: their slices were removed)` : '';
    console.log(`\n${report.targets.length} targets${removed} ${source}; dead letters: ${report.deadLetters.ingest} ingest, ${report.deadLetters.sync} sync.`);
    return 0;
  },
};
