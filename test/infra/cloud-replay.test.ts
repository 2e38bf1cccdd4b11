// `startCloudReplay`: starts an EventBridge replay onto the replay rule only and follows it until
// done. A fake client for the control flow; the real SDK client against a local HTTP endpoint for
// the wire shape.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CancelReplayCommand, DescribeArchiveCommand, DescribeReplayCommand, EventBridgeClient, StartReplayCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudReplayError, startCloudReplay, type CloudReplayOptions } from '../../local/cli/cloud-replay.ts';

const ARCHIVE = 'arn:aws:events:eu-west-1:111122223333:archive/GnsSyncstatefulBusArchive1234';
const BUS = 'arn:aws:events:eu-west-1:111122223333:event-bus/gns-sync';
const RULE = 'arn:aws:events:eu-west-1:111122223333:rule/gns-sync/agent-events-replay';
const FROM = Date.parse('2026-11-28T20:00:00Z');
const TO = Date.parse('2026-11-28T21:00:00Z');

type Sent = { name: string; input: Record<string, unknown> };
function fakeClient(states: readonly { State: string; StateReason?: string; EventLastReplayedTime?: Date }[], fail: { start?: Error; describe?: Error } = {}) {
  const sent: Sent[] = [];
  let i = 0;
  const client = {
    async send(command: unknown) {
      const name = (command as object).constructor.name;
      sent.push({ name, input: (command as { input: Record<string, unknown> }).input });
      if (command instanceof StartReplayCommand) {
        if (fail.start) throw fail.start;
        return { State: 'STARTING' };
      }
      if (command instanceof DescribeReplayCommand) {
        if (fail.describe) throw fail.describe;
        return states[Math.min(i++, states.length - 1)];
      }
      if (command instanceof CancelReplayCommand) return { State: 'CANCELLING' };
      if (command instanceof DescribeArchiveCommand) {
        if (fail.describe) throw fail.describe;
        return { ArchiveName: 'GnsSyncstatefulBusArchive1234', EventSourceArn: BUS };
      }
      throw new Error(`unexpected ${name}`);
    },
  };
  return { client: client as unknown as EventBridgeClient, sent };
}

const base = (over: Partial<CloudReplayOptions> = {}): CloudReplayOptions & { lines: string[]; sleeps: number[] } => {
  const lines: string[] = [];
  const sleeps: number[] = [];
  return {
    archiveArn: ARCHIVE, eventBusArn: BUS, from: FROM, to: new Date(TO), now: () => Date.parse('2026-11-28T22:00:00Z'),
    log: (l) => lines.push(l), sleep: async (ms) => { sleeps.push(ms); }, pollMs: 250, lines, sleeps, ...over,
  };
};

describe('startCloudReplay', () => {
  it('starts a replay of the archive onto the replay rule only, and follows it until COMPLETED', async () => {
    const { client, sent } = fakeClient([
      { State: 'STARTING' },
      { State: 'RUNNING', EventLastReplayedTime: new Date('2026-11-28T20:30:00Z') },
      { State: 'RUNNING', EventLastReplayedTime: new Date('2026-11-28T20:30:00Z') },
      { State: 'COMPLETED', EventLastReplayedTime: new Date('2026-11-28T20:59:59Z') },
    ]);
    const o = base({ client });
    const result = await startCloudReplay(o);
    expect(result).toEqual({ name: 'gns-sync-20261128T200000Z-20261128T220000Z', state: 'COMPLETED', ruleArn: RULE, lastReplayed: new Date('2026-11-28T20:59:59Z') });
    expect(sent[0]).toEqual({
      name: 'StartReplayCommand',
      input: expect.objectContaining({
        ReplayName: result.name, EventSourceArn: ARCHIVE, EventStartTime: new Date(FROM), EventEndTime: new Date(TO),
        Destination: { Arn: BUS, FilterArns: [RULE] },
      }),
    });
    expect(sent.slice(1).map((s) => s.name)).toEqual(Array(4).fill('DescribeReplayCommand'));
    expect(o.sleeps).toEqual([250, 250, 250]);
    expect(o.lines).toEqual([
      expect.stringMatching(/started \(2026-11-28T20:00:00.000Z – 2026-11-28T21:00:00.000Z\) onto .*rule\/gns-sync\/agent-events-replay$/),
      `replay ${result.name}: STARTING`,
      `replay ${result.name}: RUNNING, replayed up to 2026-11-28T20:30:00.000Z`,
      `replay ${result.name}: COMPLETED, replayed up to 2026-11-28T20:59:59.000Z`,
    ]);
  });

  it('without a bus ARN, replays onto the archive\'s own bus (DescribeArchive)', async () => {
    const { client, sent } = fakeClient([{ State: 'COMPLETED' }]);
    const result = await startCloudReplay({ ...base({ client }), eventBusArn: undefined });
    expect(result.ruleArn).toBe(RULE);
    expect(sent.map((s) => s.name)).toEqual(['DescribeArchiveCommand', 'StartReplayCommand', 'DescribeReplayCommand']);
    expect(sent[0]?.input).toEqual({ ArchiveName: 'GnsSyncstatefulBusArchive1234' });
    expect(sent[1]?.input.Destination).toEqual({ Arn: BUS, FilterArns: [RULE] });
  });

  it('an unreadable archive (no bus ARN given) says to pass the bus, and replays nothing', async () => {
    const { client, sent } = fakeClient([], { describe: Object.assign(new Error('Archive x does not exist.'), { name: 'ResourceNotFoundException' }) });
    await expect(startCloudReplay({ ...base({ client }), eventBusArn: undefined })).rejects.toThrow(/could not read archive .*ResourceNotFoundException.*pass the bus ARN.*nothing was replayed$/);
    expect(sent.map((s) => s.name)).toEqual(['DescribeArchiveCommand']);
  });

  it('returns FAILED with EventBridge\'s reason', async () => {
    const { client } = fakeClient([{ State: 'FAILED', StateReason: 'archive is being deleted' }]);
    const result = await startCloudReplay(base({ client, name: 'mine' }));
    expect(result).toMatchObject({ name: 'mine', state: 'FAILED', reason: 'archive is being deleted' });
  });

  it('cancels the replay when aborted, and follows it until CANCELLED', async () => {
    const { client, sent } = fakeClient([{ State: 'CANCELLING' }, { State: 'CANCELLED' }]);
    const abort = new AbortController();
    abort.abort();
    const result = await startCloudReplay(base({ client, signal: abort.signal }));
    expect(result.state).toBe('CANCELLED');
    expect(sent.map((s) => s.name)).toEqual(['StartReplayCommand', 'CancelReplayCommand', 'DescribeReplayCommand', 'DescribeReplayCommand']);
  });

  it.each([
    [{ archiveArn: 'arn:aws:events:eu-west-1:111122223333:event-bus/gns-sync' }, /the archive ".*" is not an EventBridge archive ARN/],
    [{ archiveArn: 'my-archive' }, /not an EventBridge archive ARN/],
    [{ eventBusArn: 'arn:aws:sqs:eu-west-1:111122223333:event-bus/x' }, /not an EventBridge event-bus ARN/],
    [{ eventBusArn: 'arn:aws:events:us-east-1:111122223333:event-bus/gns-sync' }, /same account and region/],
    [{ from: TO, to: FROM }, /--to .* must be after --from/],
    [{ from: Number.NaN }, /--from is not a valid time/],
    [{ name: 'has space' }, /replay name "has space"/],
  ] as [Partial<CloudReplayOptions>, RegExp][])('rejects %j before calling AWS', async (over, message) => {
    const { client, sent } = fakeClient([]);
    const error = await startCloudReplay(base({ client, ...over })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudReplayError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/nothing was replayed$/);
    expect(sent).toEqual([]);
  });

  it('a failed StartReplay says nothing was replayed and keeps the cause', async () => {
    const denied = Object.assign(new Error('not authorized to perform events:StartReplay'), { name: 'AccessDeniedException' });
    const { client, sent } = fakeClient([], { start: denied });
    const error = await startCloudReplay(base({ client })).catch((e: unknown) => e) as CloudReplayError;
    expect(error.message).toMatch(/could not start replay .*: AccessDeniedException: not authorized.*; nothing was replayed/);
    expect(error.cause).toBe(denied);
    expect(sent).toHaveLength(1);
  });

  it('a replay it cannot follow says how to follow it by hand', async () => {
    const { client } = fakeClient([], { describe: new Error('socket hang up') });
    await expect(startCloudReplay(base({ client, name: 'r1' }))).rejects.toThrow(/replay r1 was started .* aws events describe-replay --replay-name r1/);
  });
});

describe('with the real SDK client (AWS JSON 1.1 over HTTP on 127.0.0.1)', () => {
  let server: Server;
  const requests: { target: string; body: Record<string, unknown> }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        const target = String(req.headers['x-amz-target']);
        requests.push({ target, body: JSON.parse(body) as Record<string, unknown> });
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify(target.endsWith('StartReplay') ? { State: 'STARTING' } : { State: 'COMPLETED', EventLastReplayedTime: TO / 1000 }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('sends StartReplay with epoch-second times and the rule filter, then DescribeReplay', async () => {
    const { port } = server.address() as AddressInfo;
    const client = new EventBridgeClient({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    const result = await startCloudReplay(base({ client, name: 'wire' }));
    expect(result).toMatchObject({ state: 'COMPLETED', lastReplayed: new Date(TO) });
    expect(requests.map((r) => r.target)).toEqual(['AWSEvents.StartReplay', 'AWSEvents.DescribeReplay']);
    expect(requests[0]?.body).toMatchObject({
      ReplayName: 'wire', EventSourceArn: ARCHIVE, EventStartTime: FROM / 1000, EventEndTime: TO / 1000,
      Destination: { Arn: BUS, FilterArns: [RULE] },
    });
    expect(requests[1]?.body).toEqual({ ReplayName: 'wire' });
  });
});
