// Adversarial: an agent in a crash loop, or with a runaway floor, never issues a version more
// than S/2 ahead of its wall clock (issue 11, finding 2), so the ingest (which refuses versions
// more than S ahead of its clock) never refuses an agent whose clock is at most S/2 fast. Each
// restart adopts the Lease's floor, which the previous holder reserved one window ahead: before
// the cap, ten restarts put versions ten windows (10 min) ahead of the clock.
import { describe, expect, it } from 'vitest';
import { ClockAheadError, HlcClock, MemoryFloorStore } from '../../agent/clock.ts';
import { Elector } from '../../agent/election.ts';
import { parseHlc } from '../../shared/core/hlc.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS, maxAheadOf } from '../../shared/core/version-bound.ts';
import { quietLogger } from '../unit/agent/fakes.ts';

const CAP = maxAheadOf(DEFAULT_MAX_CLOCK_SKEW_MS);

function agent(store: MemoryFloorStore, identity: string, wall: () => number, onElected = (): void => {}) {
  const clock = new HlcClock(wall);
  const elector = new Elector({ store, clock, wall, identity, durationMs: 15_000, windowMs: 60_000, renewMs: 5_000, onElected, logger: quietLogger() });
  return { clock, elector };
}

describe('version cap of the agent (finding 2)', () => {
  it('the cap is S/2: 150 s of the default 5 min', () => {
    expect(CAP).toBe(150_000);
  });

  it('ten crash-loop restarts: every version issued is within wall + S/2; the floor stops growing while the agent waits', async () => {
    const store = new MemoryFloorStore();
    let wall = 1_764_000_000_000;
    let worst = 0;
    let issued = 0;
    for (let restart = 0; restart < 10; restart += 1) {
      wall += 10_000; // CrashLoopBackOff
      const { clock, elector } = agent(store, `agent-${restart}`, () => wall);
      await elector.runRound(); // sees the crashed holder's lease
      wall += 16_000; // and waits it out (a new identity)
      await elector.runRound();
      await elector.runRound(); // a further round: a waiting agent must not raise the floor
      expect(store.record?.holder).toBe(`agent-${restart}`);
      if (elector.isPublishing()) {
        for (let i = 0; i < 3; i += 1) {
          worst = Math.max(worst, parseHlc(clock.now()).ms - wall);
          issued += 1;
        }
      } else {
        expect(() => clock.now()).toThrow(ClockAheadError);
      }
      // the process crashes: no release
    }
    expect(issued).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(CAP);
    expect(store.record!.floorMs - wall).toBeLessThanOrEqual(CAP + 60_000 + 60_000);
  });

  it('a floor far ahead (an old fast clock, a forged Lease): the agent holds the lease, publishes nothing, and starts with a snapshot once the wall clock is within S/2', async () => {
    const store = new MemoryFloorStore();
    let wall = 1_000_000;
    await store.write({ holder: '', renewTimeMs: 0, durationMs: 15_000, floorMs: wall + 600_000 }, 0);
    let elected = 0;
    const { clock, elector } = agent(store, 'a', () => wall, () => { elected += 1; });
    await elector.runRound();
    expect(store.record?.holder).toBe('a');
    expect([elector.isPublishing(), elected]).toEqual([false, 0]);
    expect(() => clock.now()).toThrow(/would be \d+ ms ahead of the wall clock \(at most 150000 ms\)/);
    for (; wall < 1_000_000 + 600_000 - CAP; wall += 5_000) {
      await elector.runRound();
      expect(elector.isPublishing()).toBe(false);
      expect(store.record?.floorMs).toBe(1_600_000); // not raised while waiting
    }
    wall += 5_000;
    await elector.runRound();
    expect([elector.isPublishing(), elected]).toEqual([true, 1]);
    expect(parseHlc(clock.now()).ms - wall).toBeLessThanOrEqual(CAP);
  });
});
