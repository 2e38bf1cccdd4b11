import { mkdtempSync, existsSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../local/cli/command.ts';
import { callControl, findControl, startControl } from '../../../local/runner/control.ts';
import { parseFlags, parseIsoTime } from '../../../local/runner/flags.ts';
import { lockStateDir, StateDirLockedError, statePaths } from '../../../local/runner/state-dir.ts';
import { formatStatusTable } from '../../../local/runner/status-table.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'gns-runner-'));

describe('parseFlags', () => {
  const spec = { config: 'string', once: 'boolean' } as const;
  it('parses --name value, --name=value and booleans', () => {
    expect(parseFlags(['--config', 'a.yaml', '--once'], spec)).toEqual({ config: 'a.yaml', once: true });
    expect(parseFlags(['--config=b.yaml'], spec)).toEqual({ config: 'b.yaml' });
  });
  it.each([
    [['--nope'], /unknown option --nope/],
    [['--config'], /--config needs a value/],
    [['--config', '--once'], /--config needs a value/],
    [['--config='], /--config needs a value/],
    [['stray'], /unexpected argument "stray"/],
    [['--once=yes'], /takes no value/],
    [['--config', 'a', '--config', 'b'], /given twice/],
  ])('%j is a usage error', (args, message) => {
    expect(() => parseFlags(args, spec)).toThrow(UsageError);
    expect(() => parseFlags(args, spec)).toThrow(message);
  });
});

describe('parseIsoTime', () => {
  it.each([
    ['2026-11-28', Date.UTC(2026, 10, 28)],
    ['2026-11-28T21:00:00Z', Date.UTC(2026, 10, 28, 21)],
    ['2026-11-28T21:00Z', Date.UTC(2026, 10, 28, 21)],
    ['2026-11-28T22:00:00.5+01:00', Date.UTC(2026, 10, 28, 21, 0, 0, 500)],
  ])('%s', (text, ms) => expect(parseIsoTime(text, 'from')).toBe(ms));
  it.each(['yesterday', '2026-02-31', '2026-13-01', '2026-11-28T25:00:00Z', '2026-11-28T21:00:00', '1764363600000', ''])('rejects %j', (text) => {
    expect(() => parseIsoTime(text, 'from')).toThrow(/--from .* is not an ISO 8601 time/);
  });
});

describe('state directory lock', () => {
  it('one holder at a time; released, it can be taken again', () => {
    const dir = tmp();
    const lock = lockStateDir(dir);
    expect(() => lockStateDir(dir)).toThrow(StateDirLockedError);
    expect(() => lockStateDir(dir)).toThrow(/in use by another gns-sync process \(pid \d+\)/);
    lock.release();
    lockStateDir(dir).release();
    expect(existsSync(statePaths(dir).lock)).toBe(false);
  });
  it('takes over a lock left by a dead process', () => {
    const dir = tmp();
    lockStateDir(dir).release();
    writeFileSync(statePaths(dir).lock, '999999999');
    const lock = lockStateDir(dir);
    expect(readFileSync(statePaths(dir).lock, 'utf8')).toBe(String(process.pid));
    lock.release();
  });
});

describe('control endpoint', () => {
  it('answers status and replay on loopback, validates replay requests, and removes control.json on close', async () => {
    const dir = tmp();
    lockStateDir(dir);
    const replays: unknown[] = [];
    const control = await startControl(dir, {
      status: async () => ({ pid: process.pid, startedAt: 1, targets: [], deadLetters: { ingest: 0, sync: 0 }, queues: {} }),
      replay: async (r) => { replays.push(r); return { name: r.name ?? 'x', events: 3, skipped: 0 }; },
    });
    const address = findControl(dir)!;
    expect(address).toEqual({ pid: process.pid, port: control.port, token: expect.stringMatching(/^[\w-]{43}$/) });
    expect(await callControl(address, 'GET', '/status')).toMatchObject({ targets: [] });
    expect(await callControl(address, 'POST', '/replay', { fromMs: 1, toMs: 2, name: 'r' })).toEqual({ name: 'r', events: 3, skipped: 0 });
    await expect(callControl(address, 'POST', '/replay', { fromMs: 2, toMs: 1 })).rejects.toThrow(/toMs: must be after fromMs/);
    await expect(callControl(address, 'POST', '/replay', { fromMs: 'a', toMs: 1 })).rejects.toThrow(/fromMs/);
    await expect(callControl(address, 'GET', '/nope')).rejects.toThrow(/no such endpoint/);
    await expect(callControl(address, 'POST', '/replay', { fromMs: 1, toMs: 2, name: 'x'.repeat(70_000) })).rejects.toThrow(/larger than/);
    expect(replays).toHaveLength(1);
    await control.close();
    expect(findControl(dir)).toBeUndefined();
  });
});

describe('status table', () => {
  it('lists targets sorted, with last sync age and the first line of the last error', () => {
    const now = 1_000_000;
    const table = formatStatusTable([
      { target: { gns: 'g', cluster: 'c2', namespace: 'ns-one', name: 'kafka' }, lastSyncAt: now - 5000, endpoints: 3, vips: 3, writes: 1, lastError: 'boom\nmore' },
      { target: { gns: 'g', cluster: 'c1', namespace: 'ns-two', name: 'kafka' }, lastSyncAt: now - 125_000, endpoints: 3, vips: 0, writes: 0 },
    ], now);
    expect(table.split('\n')).toEqual([
      expect.stringMatching(/^GNS\s+TARGET \(cluster\/namespace\/service\)\s+ENDPOINTS\s+VIPS\s+LAST SYNC\s+LAST ERROR$/),
      expect.stringMatching(/^g\s+c1\/ns-two\/kafka\s+3\s+0\s+2m5s ago\s+-$/),
      expect.stringMatching(/^g\s+c2\/ns-one\/kafka\s+3\s+3\s+5s ago\s+boom$/),
    ]);
    expect(formatStatusTable([], now)).toMatch(/No targets/);
  });
});
