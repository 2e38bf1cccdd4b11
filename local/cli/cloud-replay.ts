// `gns-sync replay --archive ARN --from ISO --to ISO`: starts an EventBridge replay of the archive
// onto the replay rule only (shared/rules.ts: REPLAY_RULE; the live rule ignores replayed events)
// and follows its state until it is done. Used by local/cli/commands/replay.ts.
import { CancelReplayCommand, DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import type { DescribeReplayCommandOutput } from '@aws-sdk/client-eventbridge';
import { REPLAY_RULE } from '../../shared/rules.ts';

export type ReplayState = 'STARTING' | 'RUNNING' | 'CANCELLING' | 'COMPLETED' | 'CANCELLED' | 'FAILED';
const DONE: ReadonlySet<string> = new Set(['COMPLETED', 'CANCELLED', 'FAILED']);

export interface CloudReplayOptions {
  /** `arn:aws:events:<region>:<account>:archive/<name>` (stack output ArchiveArn). */
  readonly archiveArn: string;
  /**
   * `arn:aws:events:<region>:<account>:event-bus/<name>`: the archive's bus (stack output
   * EventBusArn). Default: the archive's source bus, from DescribeArchive.
   */
  readonly eventBusArn?: string;
  /** Start of the events to replay (inclusive), a Date or epoch ms. */
  readonly from: Date | number;
  /** End of the events to replay, a Date or epoch ms; after `from`. */
  readonly to: Date | number;
  /** The replay's name (also each event's `replay-name`); default `gns-sync-<from>-<now>`. */
  readonly name?: string;
  /** An EventBridge client; default one in the archive's region with the SDK's credential chain. */
  readonly client?: Pick<EventBridgeClient, 'send'>;
  /** How often to poll the replay's state (default 5 s). */
  readonly pollMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly log?: (line: string) => void;
  readonly now?: () => number;
  /** Aborting cancels the replay (CancelReplay) and follows it until it is cancelled. */
  readonly signal?: AbortSignal;
}

export interface CloudReplayResult {
  readonly name: string;
  readonly state: 'COMPLETED' | 'CANCELLED' | 'FAILED';
  readonly reason?: string;
  /** The time of the last event replayed, when EventBridge reports it. */
  readonly lastReplayed?: Date;
  /** The only rule the replay was sent to. */
  readonly ruleArn: string;
}

/** The replay could not be started or followed; nothing was replayed unless the message says so. */
export class CloudReplayError extends Error {
  override readonly name = 'CloudReplayError';
}

interface EventsArn { readonly partition: string; readonly region: string; readonly account: string; readonly resource: string; readonly id: string }
function parseEventsArn(arn: string, resource: 'archive' | 'event-bus', what: string): EventsArn {
  const m = /^arn:(aws[a-z-]*):events:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):([a-z-]+)\/([.\-_A-Za-z0-9/]{1,256})$/.exec(arn);
  if (!m || m[4] !== resource) {
    throw new CloudReplayError(`${what} "${arn}" is not an EventBridge ${resource} ARN (arn:aws:events:<region>:<account>:${resource}/<name>); nothing was replayed`);
  }
  return { partition: m[1]!, region: m[2]!, account: m[3]!, resource: m[4]!, id: m[5]! };
}

/** The ARN of the replay rule on a custom bus: rules are named after shared/rules.ts (infra/). */
export function replayRuleArn(eventBusArn: string): string {
  const bus = parseEventsArn(eventBusArn, 'event-bus', 'the event bus');
  return `arn:${bus.partition}:events:${bus.region}:${bus.account}:rule/${bus.id}/${REPLAY_RULE.name}`;
}

const toDate = (t: Date | number, what: string): Date => {
  const d = typeof t === 'number' ? new Date(t) : t;
  if (Number.isNaN(d.getTime())) throw new CloudReplayError(`--${what} is not a valid time; nothing was replayed`);
  return d;
};
const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');

export async function startCloudReplay(options: CloudReplayOptions): Promise<CloudReplayResult> {
  const archive = parseEventsArn(options.archiveArn, 'archive', 'the archive');
  if (options.eventBusArn !== undefined) checkSameBusHome(archive, options.eventBusArn);
  const from = toDate(options.from, 'from');
  const to = toDate(options.to, 'to');
  if (to.getTime() <= from.getTime()) throw new CloudReplayError(`--to (${to.toISOString()}) must be after --from (${from.toISOString()}); nothing was replayed`);
  const now = options.now ?? Date.now;
  const name = options.name ?? `gns-sync-${stamp(from)}-${stamp(new Date(now()))}`;
  if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(name)) throw new CloudReplayError(`replay name "${name}": use 1 to 64 of letters, digits, . - _; nothing was replayed`);
  const client = options.client ?? new EventBridgeClient({ region: archive.region });
  const log = options.log ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const pollMs = options.pollMs ?? 5000;
  const eventBusArn = options.eventBusArn ?? await sourceBusOf(client, options.archiveArn);
  checkSameBusHome(archive, eventBusArn);
  const ruleArn = replayRuleArn(eventBusArn);

  try {
    await client.send(new StartReplayCommand({
      ReplayName: name,
      Description: `gns-sync replay ${from.toISOString()} – ${to.toISOString()}`,
      EventSourceArn: options.archiveArn,
      EventStartTime: from,
      EventEndTime: to,
      Destination: { Arn: eventBusArn, FilterArns: [ruleArn] },
    }));
  } catch (cause) {
    throw new CloudReplayError(`could not start replay ${name}: ${describe(cause)}; nothing was replayed`, { cause });
  }
  log(`replay ${name}: started (${from.toISOString()} – ${to.toISOString()}) onto ${ruleArn}`);

  let cancelled = false;
  let last = '';
  for (;;) {
    if (options.signal?.aborted && !cancelled) {
      cancelled = true;
      try {
        await client.send(new CancelReplayCommand({ ReplayName: name }));
        log(`replay ${name}: cancelling`);
      } catch (cause) {
        log(`replay ${name}: cancel failed (${describe(cause)}); following it anyway`);
      }
    }
    let out: DescribeReplayCommandOutput;
    try {
      out = await client.send(new DescribeReplayCommand({ ReplayName: name }));
    } catch (cause) {
      throw new CloudReplayError(`replay ${name} was started but its state could not be read (${describe(cause)}); follow it with: aws events describe-replay --replay-name ${name}`, { cause });
    }
    const state = (out.State ?? 'STARTING') as ReplayState;
    const progress = out.EventLastReplayedTime ? `, replayed up to ${out.EventLastReplayedTime.toISOString()}` : '';
    const line = `replay ${name}: ${state}${progress}${out.StateReason ? ` (${out.StateReason})` : ''}`;
    if (line !== last) log(line);
    last = line;
    if (DONE.has(state)) {
      return {
        name,
        state: state as CloudReplayResult['state'],
        ruleArn,
        ...(out.StateReason ? { reason: out.StateReason } : {}),
        ...(out.EventLastReplayedTime ? { lastReplayed: out.EventLastReplayedTime } : {}),
      };
    }
    await sleep(pollMs);
  }
}

function checkSameBusHome(archive: EventsArn, eventBusArn: string): void {
  const bus = parseEventsArn(eventBusArn, 'event-bus', 'the event bus');
  if (archive.region !== bus.region || archive.account !== bus.account) {
    throw new CloudReplayError(`the archive (${archive.account}/${archive.region}) and the event bus (${bus.account}/${bus.region}) must be in the same account and region: a replay goes back to the archive's own bus; nothing was replayed`);
  }
}

/** The bus an archive records (its EventSourceArn): where its replays go. */
async function sourceBusOf(client: Pick<EventBridgeClient, 'send'>, archiveArn: string): Promise<string> {
  const name = archiveArn.slice(archiveArn.indexOf(':archive/') + ':archive/'.length);
  try {
    const out = await client.send(new DescribeArchiveCommand({ ArchiveName: name }));
    if (!out.EventSourceArn) throw new Error('DescribeArchive returned no EventSourceArn');
    return out.EventSourceArn;
  } catch (cause) {
    throw new CloudReplayError(`could not read archive ${name} to find its event bus (${describe(cause)}); pass the bus ARN (stack output EventBusArn); nothing was replayed`, { cause });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
