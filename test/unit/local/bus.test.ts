import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileArchive } from '../../../local/bus/archive.ts';
import { LocalBus, BusValidationError } from '../../../local/bus/local-bus.ts';
import { matchesPattern } from '../../../local/bus/pattern.ts';
import type { BusEntry } from '../../../shared/ports.ts';
import { LIVE_RULE, REPLAY_RULE } from '../../../shared/rules.ts';

const entry = (i: number, extra: Partial<BusEntry> = {}): BusEntry => ({
  source: 'gns-sync.io/cluster/clusterOne',
  detailType: 'gns-sync.pod.upsert.v1',
  detail: JSON.stringify({ i }),
  ...extra,
});

function collector(): { bodies: string[]; send(body: string): void } {
  const bodies: string[] = [];
  return { bodies, send: (body: string) => void bodies.push(body) };
}

function setup(seed = 1): { bus: LocalBus; live: ReturnType<typeof collector>; replayed: ReturnType<typeof collector>; archive: FileArchive } {
  const dir = mkdtempSync(join(tmpdir(), 'gns-bus-'));
  const archive = new FileArchive(join(dir, 'archive', 'events.jsonl'));
  const live = collector();
  const replayed = collector();
  const bus = new LocalBus({ rules: [{ rule: LIVE_RULE, target: live }, { rule: REPLAY_RULE, target: replayed }], archive, seed });
  return { bus, live, replayed, archive };
}

describe('event patterns (EventBridge content filtering)', () => {
  const event = { source: 'gns-sync.io/cluster/a', 'detail-type': 'x', detail: { cluster: 'a', n: null } };
  it.each([
    [{ source: [{ prefix: 'gns-sync.io/cluster/' }] }, true],
    [{ source: [{ prefix: 'other/' }] }, false],
    [{ 'detail-type': ['y', 'x'] }, true],
    [{ 'detail-type': ['y'] }, false],
    [{ 'replay-name': [{ exists: false }] }, true],
    [{ 'replay-name': [{ exists: true }] }, false],
    [{ 'detail.cluster': ['a'] }, true],
    [{ 'detail.n': [{ exists: true }] }, false],
    [{ source: [{ prefix: 'gns-sync.io/' }], 'detail-type': ['nope'] }, false],
  ] as const)('%j → %s', (pattern, expected) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});

describe('LocalBus.put (PutEvents semantics)', () => {
  it('routes live events to the live rule with the full envelope, and archives them', async () => {
    const { bus, live, replayed, archive } = setup();
    const failed = await bus.put([entry(1), entry(2, { time: new Date('2026-01-02T03:04:05.678Z') })]);
    await bus.drain();
    expect(failed).toEqual([]);
    expect(replayed.bodies).toEqual([]);
    const envelopes = live.bodies.map((b) => JSON.parse(b) as Record<string, unknown>);
    expect(envelopes).toHaveLength(2);
    expect(envelopes[1]).toMatchObject({
      version: '0', source: 'gns-sync.io/cluster/clusterOne', 'detail-type': 'gns-sync.pod.upsert.v1',
      account: '000000000000', region: 'local-1', time: '2026-01-02T03:04:05Z', resources: [], detail: { i: 2 },
    });
    expect(typeof envelopes[0]!.id).toBe('string');
    expect(readFileSync(archive.path, 'utf8').trim().split('\n')).toHaveLength(2);
  });

  it('rejects more than 10 entries as a whole and changes nothing', async () => {
    const { bus, live, archive } = setup();
    await expect(bus.put(Array.from({ length: 11 }, (_, i) => entry(i)))).rejects.toBeInstanceOf(BusValidationError);
    await expect(bus.put([])).rejects.toThrow(/1 to 10 entries/);
    await bus.drain();
    expect(live.bodies).toEqual([]);
    expect((await archive.read(0, Infinity)).events).toEqual([]);
  });

  it('fails bad entries one by one with their error codes; the others go through', async () => {
    const { bus, live } = setup();
    const failed = await bus.put([
      entry(0),
      entry(1, { detail: 'not json' }),
      entry(2, { detail: '[1]' }),
      entry(3, { source: '' }),
      entry(4, { detail: JSON.stringify({ big: 'x'.repeat(1_048_576) }) }),
      entry(5),
    ]);
    await bus.drain();
    expect(failed.map((f) => [f.index, f.errorCode])).toEqual([[1, 'MalformedDetail'], [2, 'MalformedDetail'], [3, 'InvalidArgument'], [4, 'InvalidArgument']]);
    expect(failed[3]!.errorMessage).toMatch(/exceeds the limit/);
    expect(live.bodies.map((b) => (JSON.parse(b) as { detail: { i: number } }).detail.i)).toEqual([0, 5]);
  });

  it('does not route events that match no rule, and archives only agent events', async () => {
    const { bus, live, archive } = setup();
    await bus.put([entry(1, { source: 'someone.else' })]);
    await bus.drain();
    expect(live.bodies).toEqual([]);
    expect((await archive.read(0, Infinity)).events).toEqual([]);
  });

  it('fault knob: delivers each event N times, shuffled', async () => {
    const { bus, live } = setup(7);
    bus.faults.copies = 3;
    bus.faults.shuffle = true;
    bus.faults.maxDelayMs = 5;
    await bus.put(Array.from({ length: 10 }, (_, i) => entry(i)));
    await bus.put(Array.from({ length: 10 }, (_, i) => entry(10 + i)));
    await bus.drain();
    const order = live.bodies.map((b) => (JSON.parse(b) as { detail: { i: number } }).detail.i);
    expect(order).toHaveLength(60);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => [i, i, i]).flat());
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  it('retries a failing target (at-least-once delivery)', async () => {
    let calls = 0;
    const got: string[] = [];
    const bus = new LocalBus({ rules: [{ rule: LIVE_RULE, target: { send: (b) => { calls += 1; if (calls < 3) throw new Error('down'); got.push(b); } } }] });
    await bus.put([entry(1)]);
    await bus.drain();
    expect(calls).toBe(3);
    expect(got).toHaveLength(1);
  });

  it('refuses puts once stopped', async () => {
    const { bus } = setup();
    await bus.stop();
    await expect(bus.put([entry(1)])).rejects.toThrow(/stopped/);
  });
});

describe('LocalBus.replay', () => {
  it('re-emits archived events between two times with replay-name, to the replay rule only, not archived again', async () => {
    const { bus, live, replayed, archive } = setup();
    await bus.put([entry(1, { time: new Date(1_000_000) }), entry(2, { time: new Date(2_000_000) }), entry(3, { time: new Date(3_000_000) })]);
    await bus.drain();
    const result = await bus.replay({ name: 'r1', fromMs: 1_500_000, toMs: 3_000_000 });
    expect(result).toEqual({ events: 1, skipped: 0 });
    expect(live.bodies).toHaveLength(3);
    expect(replayed.bodies.map((b) => JSON.parse(b) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ 'replay-name': 'r1', detail: { i: 2 } }),
    ]);
    expect((await archive.read(0, Infinity)).events).toHaveLength(3);
  });

  it('skips a torn archive line', async () => {
    const { bus, archive } = setup();
    await bus.put([entry(1)]);
    const { appendFileSync } = await import('node:fs');
    appendFileSync(archive.path, '{"t":12,"ev');
    expect((await bus.replay({ name: 'r', fromMs: 0, toMs: Date.now() + 1000 }))).toEqual({ events: 1, skipped: 1 });
  });

  it('after a crash tore the last line, the next run appends on a new line: the torn line is skipped, no new event is lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gns-bus-'));
    try {
      const path = join(dir, 'archive', 'events.jsonl');
      const before = new FileArchive(path);
      before.append([{ t: 1, event: { id: 'a' } as never }]);
      appendFileSync(path, '{"t":2,"event":{"id":"to'); // the process died mid-write
      const after = new FileArchive(path); // the next run
      after.append([{ t: 3, event: { id: 'b' } as never }]);
      after.append([{ t: 4, event: { id: 'c' } as never }]);
      const { events, skipped } = await after.read(0, Infinity);
      expect(events.map((e) => e.event.id)).toEqual(['a', 'b', 'c']);
      expect(skipped).toBe(1);
      expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(5); // a, torn, b, c, and the final newline
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
