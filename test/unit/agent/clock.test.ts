import { describe, expect, it } from 'vitest';
import { HlcClock, MemoryFloorStore } from '../../../agent/clock.ts';
import { Elector } from '../../../agent/election.ts';
import { parseHlc } from '../../../shared/core/hlc.ts';
import { quietLogger } from './fakes.ts';

describe('HlcClock', () => {
  it('never goes backwards, even when the wall clock does', () => {
    let wall = 1_000;
    const clock = new HlcClock(() => wall);
    const a = clock.now();
    wall = 500;
    const b = clock.now();
    wall = 2_000;
    const c = clock.now();
    expect(a < b && b < c).toBe(true);
    expect(b).toBe('000000000001000.000001');
    expect(c).toBe('000000000002000.000000');
  });

  it('starts above an adopted floor', () => {
    const clock = new HlcClock(() => 1_000);
    clock.adoptFloor(61_000);
    expect(clock.now()).toBe('000000000061000.000001');
    clock.adoptFloor(5);
    expect(parseHlc(clock.now()).ms).toBe(61_000);
  });
});

function elector(store: MemoryFloorStore, identity: string, wall: () => number, onElected = (): void => {}) {
  const clock = new HlcClock(wall);
  const e = new Elector({ store, clock, wall, identity, durationMs: 15_000, windowMs: 60_000, renewMs: 5_000, onElected, logger: quietLogger() });
  return { clock, e };
}

describe('Elector (Lease election and the HLC floor)', () => {
  it('takes a free lease, reserves a floor one window ahead, and publishes', async () => {
    const store = new MemoryFloorStore();
    let elected = 0;
    const { e } = elector(store, 'a', () => 10_000, () => { elected += 1; });
    await e.runRound();
    expect(e.isPublishing()).toBe(true);
    expect(elected).toBe(1);
    expect(store.record).toEqual({ holder: 'a', renewTimeMs: 10_000, durationMs: 15_000, floorMs: 70_000 });
    await e.runRound();
    expect(elected).toBe(1);
  });

  it('the floor survives a restart: a new agent issues versions above everything the old one issued', async () => {
    const store = new MemoryFloorStore();
    let wall = 100_000;
    const first = elector(store, 'a', () => wall);
    await first.e.runRound();
    const issued = Array.from({ length: 5 }, () => first.clock.now());
    await first.e.stop(); // releases the lease, keeps the floor
    expect(store.record?.holder).toBe('');
    wall = 40_000; // the new pod's node clock is behind
    const second = elector(store, 'b', () => wall);
    await second.e.runRound();
    expect(second.e.isPublishing()).toBe(true);
    const next = second.clock.now();
    expect(issued.every((v) => v < next)).toBe(true);
    expect(parseHlc(next).ms).toBeGreaterThanOrEqual(160_000);
  });

  it('after a crash (no release), a standby waits for the lease duration, then takes over above the floor', async () => {
    const store = new MemoryFloorStore();
    let wall = 0;
    const a = elector(store, 'a', () => wall);
    await a.e.runRound();
    const lastOfA = a.clock.now();
    // a crashes: it never renews again.
    const b = elector(store, 'b', () => wall);
    wall = 1_000;
    await b.e.runRound();
    expect(b.e.isPublishing()).toBe(false);
    wall = 15_999;
    await b.e.runRound();
    expect(b.e.isPublishing()).toBe(false);
    wall = 16_000;
    await b.e.runRound();
    expect(b.e.isPublishing()).toBe(true);
    expect(b.clock.now() > lastOfA).toBe(true);
    expect(store.record?.holder).toBe('b');
  });

  it('a holder that cannot renew stops publishing when its lease runs out', async () => {
    const store = new MemoryFloorStore();
    let wall = 0;
    const a = elector(store, 'a', () => wall);
    await a.e.runRound();
    store.write = async () => { throw new Error('API down'); };
    wall = 10_000;
    await a.e.runRound();
    expect(a.e.isPublishing()).toBe(true);
    wall = 15_000;
    expect(a.e.isPublishing()).toBe(false);
  });

  it('a hanging Lease API neither stalls the elector nor stop()', async () => {
    const store = new MemoryFloorStore();
    const logger = quietLogger();
    const clock = new HlcClock(() => 0);
    const e = new Elector({ store, clock, wall: () => 0, identity: 'a', durationMs: 15_000, windowMs: 60_000, renewMs: 5, onElected: () => {}, logger });
    await e.runRound();
    store.read = () => new Promise(() => {});
    await e.runRound(); // times out after max(renewMs, 1 s)
    expect(logger.lines.some((l) => l.message === 'lease round failed; retrying next round' && String(l.extra?.error).includes('TimeoutError'))).toBe(true);
    expect(e.isPublishing()).toBe(true); // still within its lease
    await e.stop(); // the release attempt times out too
    expect(e.isPublishing()).toBe(false);
  });

  it('one of two racing agents wins a round (conditional write)', async () => {
    const store = new MemoryFloorStore();
    const a = elector(store, 'a', () => 0);
    const b = elector(store, 'b', () => 0);
    await Promise.all([a.e.runRound(), b.e.runRound()]);
    expect([a.e.isPublishing(), b.e.isPublishing()].filter(Boolean)).toHaveLength(1);
  });

  it('refuses a window shorter than the lease duration', () => {
    expect(() => new Elector({ store: new MemoryFloorStore(), clock: new HlcClock(() => 0), wall: () => 0, identity: 'x', durationMs: 15_000, windowMs: 10_000, onElected: () => {}, logger: quietLogger() }))
      .toThrow(/window .* must exceed the lease duration/);
  });
});
