// `gns-sync status [--state-dir DIR]`: the targets' table, from the running `gns-sync local`
// (its control endpoint), or, when none runs, from the store on disk.
import { existsSync } from 'node:fs';
import { callControl, findControl, type StatusReport } from '../../runner/control.ts';
import { parseFlags } from '../../runner/flags.ts';
import { readStatusOffline } from '../../runner/offline.ts';
import { DEFAULT_STATE_DIR, StateDirLockedError, statePaths } from '../../runner/state-dir.ts';
import { formatStatusTable } from '../../runner/status-table.ts';
import type { Command } from '../command.ts';
import { checkStateDir } from '../command.ts';

const USAGE_LINE = 'usage: gns-sync status [--state-dir DIR]';

export const status: Command = {
  name: 'status',
  summary: 'Show every target: GNS, cluster/namespace/service, endpoints, VIPs, last sync, last error',
  usage: [
    USAGE_LINE,
    '',
    `  --state-dir DIR  the state directory of gns-sync local (default ${DEFAULT_STATE_DIR}/)`,
    '',
    'Asks the running `gns-sync local` when there is one; otherwise reads the store on disk.',
  ].join('\n'),
  async run(args) {
    const flags = parseFlags(args, { 'state-dir': 'string' });
    const stateDir = flags['state-dir'] ?? DEFAULT_STATE_DIR;
    checkStateDir(flags['state-dir']);
    const control = findControl(stateDir);
    let report: StatusReport;
    let source: string;
    if (control) {
      try {
        report = await callControl<StatusReport>(control.port, 'GET', '/status');
        source = `from the running gns-sync local (pid ${control.pid})`;
      } catch (error) {
        console.error(`gns-sync status: the running gns-sync local (pid ${control.pid}) did not answer: ${(error as Error).message}`);
        return 1;
      }
    } else {
      if (!existsSync(statePaths(stateDir).dynamodb)) {
        console.error(`gns-sync status: no state in ${statePaths(stateDir).dir}; start gns-sync local (or gns-sync demo) first`);
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
    const hidden = report.hiddenTargets ?? 0;
    const removed = hidden > 0 ? ` (${hidden} more no longer in a member of their GNS: their slices were removed)` : '';
    console.log(`\n${report.targets.length} targets${removed} ${source}; dead letters: ${report.deadLetters.ingest} ingest, ${report.deadLetters.sync} sync.`);
    return 0;
  },
};
