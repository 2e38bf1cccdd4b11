// `gns-sync replay --from ISO --to ISO [--state-dir DIR]`: replays the local archive (events
// marked with `replay-name`) into the running `gns-sync local`, or offline into the store.
import { existsSync } from 'node:fs';
import { callControl, findControl, type ReplayReport } from '../../runner/control.ts';
import { parseFlags, parseIsoTime } from '../../runner/flags.ts';
import { replayOffline } from '../../runner/offline.ts';
import { DEFAULT_STATE_DIR, StateDirLockedError, statePaths } from '../../runner/state-dir.ts';
import { CloudReplayError, startCloudReplay, type CloudReplayOptions } from '../cloud-replay.ts';
import type { Command } from '../command.ts';
import { UsageError, checkStateDir } from '../command.ts';

const USAGE_LINE = 'usage: gns-sync replay --from ISO --to ISO [--state-dir DIR | --archive ARN [--event-bus ARN]] [--name NAME]';

const ARCHIVE_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:archive\/[.\-_A-Za-z0-9/]{1,256}$/;

async function cloudReplay(options: CloudReplayOptions): Promise<number> {
  try {
    const result = await startCloudReplay({ ...options, log: (line) => console.log(line) });
    console.log(`replay ${result.name}: ${result.state}${result.reason ? ` (${result.reason})` : ''}`);
    return result.state === 'COMPLETED' ? 0 : 1;
  } catch (error) {
    if (!(error instanceof CloudReplayError)) throw error;
    console.error(`gns-sync replay: ${error.message}`);
    return 1;
  }
}

export const replay: Command = {
  name: 'replay',
  summary: 'Replay archived bus events between two times (into the running gns-sync local, or the store)',
  usage: [
    USAGE_LINE,
    '',
    '  --from ISO        start time, inclusive (e.g. 2026-11-28T21:00:00Z, or a date: 2026-11-28)',
    '  --to ISO          end time, exclusive',
    `  --state-dir DIR   the state directory of gns-sync local (default ${DEFAULT_STATE_DIR}/)`,
    '  --name NAME       the replay-name the events carry (default local-<time>)',
    '  --archive ARN     in the cloud: start an EventBridge replay of this archive onto the replay rule',
    '                    and follow it until done (AWS credentials from the SDK\'s default chain)',
    '  --event-bus ARN   the archive\'s bus (default: read from the archive)',
    '',
    'Events are replayed in no particular order, like EventBridge; merging is idempotent. Offline,',
    'the store is updated and the next `gns-sync local` syncs every target.',
  ].join('\n'),
  async run(args) {
    const flags = parseFlags(args, { from: 'string', to: 'string', 'state-dir': 'string', name: 'string', archive: 'string', 'event-bus': 'string' });
    if (flags.from === undefined || flags.to === undefined) throw new UsageError(`--from and --to are required; ${USAGE_LINE}`);
    const fromMs = parseIsoTime(flags.from, 'from');
    const toMs = parseIsoTime(flags.to, 'to');
    if (toMs <= fromMs) throw new UsageError(`--to (${flags.to}) must be after --from (${flags.from})`);
    if (flags.name !== undefined && !/^[.\-_A-Za-z0-9]{1,64}$/.test(flags.name)) throw new UsageError(`--name "${flags.name}": use 1 to 64 of letters, digits, . - _`);
    if (flags.archive !== undefined || flags['event-bus'] !== undefined) {
      if (flags.archive === undefined) throw new UsageError(`--event-bus needs --archive ARN; ${USAGE_LINE}`);
      if (flags['state-dir'] !== undefined) throw new UsageError('--archive replays in the cloud; --state-dir is for the local archive: give one of them');
      if (!ARCHIVE_ARN.test(flags.archive)) throw new UsageError(`--archive "${flags.archive}" is not an EventBridge archive ARN (arn:aws:events:<region>:<account>:archive/<name>)`);
      return cloudReplay({ archiveArn: flags.archive, ...(flags['event-bus'] !== undefined ? { eventBusArn: flags['event-bus'] } : {}), from: fromMs, to: toMs, ...(flags.name !== undefined ? { name: flags.name } : {}) });
    }
    const stateDir = flags['state-dir'] ?? DEFAULT_STATE_DIR;
    checkStateDir(flags['state-dir']);
    const request = { fromMs, toMs, ...(flags.name !== undefined ? { name: flags.name } : {}) };
    const control = findControl(stateDir);
    let report: ReplayReport;
    if (control) {
      try {
        report = await callControl<ReplayReport>(control, 'POST', '/replay', request, 600_000);
      } catch (error) {
        console.error(`gns-sync replay: the running gns-sync local (pid ${control.pid}) did not replay: ${(error as Error).message}`);
        return 1;
      }
      console.log(`replay ${report.name}: ${report.events} events replayed into the running gns-sync local (pid ${control.pid}).`);
      return 0;
    }
    if (!existsSync(statePaths(stateDir).archive)) {
      console.error(`gns-sync replay: no archive in ${statePaths(stateDir).dir}; nothing to replay`);
      return 1;
    }
    try {
      report = await replayOffline(stateDir, request);
    } catch (error) {
      if (error instanceof StateDirLockedError) {
        console.error(`gns-sync replay: ${error.message}`);
        return 1;
      }
      throw error;
    }
    console.log(`replay ${report.name}: ${report.events} events merged into the store in ${statePaths(stateDir).dir}; the next gns-sync local syncs every target.`);
    return 0;
  },
};
