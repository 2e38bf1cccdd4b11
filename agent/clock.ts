// The agent's hybrid logical clock (docs/adr/0002-event-ordering.md): versions never go
// backwards within a process, and a floor persisted in the agent's Lease (agent/lease.ts)
// keeps them increasing across restarts and hand-overs: a new publisher starts after
// max(wall, floor). The pure step is shared/core/hlc.ts's nextHlc.
//
// Versions are capped at the wall clock plus `maxAheadMs` (S/2 of the ingest's skew S,
// shared/core/version-bound.ts): a floor adopted further ahead (restarts in a crash loop each
// add a reservation window) makes the clock wait until the wall catches up, never issue beyond
// the cap. Where the floor comes from is the Lease's business (agent/election.ts); the cap is
// issuance's.
import { GnsSyncError } from '../shared/errors.ts';
import { formatHlc, nextHlc, parseHlc } from '../shared/core/hlc.ts';
import type { Handback } from '../shared/core/handback.ts';
import type { Hlc } from '../shared/core/types.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS, maxAheadOf } from '../shared/core/version-bound.ts';

/** The next version would be further ahead of the wall clock than the cap: nothing is issued. */
export class ClockAheadError extends GnsSyncError {
  override readonly name: string = 'ClockAheadError';
}

export class HlcClock {
  readonly #wall: () => number;
  readonly #maxAheadMs: number;
  #last: Hlc | undefined;

  /** `maxAheadMs`: how far ahead of `wall` a version may be (default S/2 of the default skew: 150 s). */
  constructor(wall: () => number, maxAheadMs: number = maxAheadOf(DEFAULT_MAX_CLOCK_SKEW_MS)) {
    if (!Number.isFinite(maxAheadMs) || maxAheadMs < 0) throw new RangeError(`maxAheadMs must be a non-negative number of milliseconds, got ${maxAheadMs}`);
    this.#wall = wall;
    this.#maxAheadMs = maxAheadMs;
  }

  /** Whether the next version would be within the cap (wall + maxAheadMs). */
  canIssue(): boolean {
    const wall = this.#wall();
    return parseHlc(nextHlc(this.#last, wall)).ms <= wall + this.#maxAheadMs;
  }

  /** The next version: strictly greater than every version this clock issued or adopted, never beyond the cap (ClockAheadError). */
  now(): Hlc {
    const wall = this.#wall();
    const next = nextHlc(this.#last, wall);
    const ahead = parseHlc(next).ms - wall;
    if (ahead > this.#maxAheadMs) {
      throw new ClockAheadError(`the next version ${next} would be ${ahead} ms ahead of the wall clock (at most ${this.#maxAheadMs} ms); nothing is published until the wall clock catches up`);
    }
    this.#last = next;
    return next;
  }

  /** Never issue a version at or below `floorMs` milliseconds (the previous publishers' reservation). */
  adoptFloor(floorMs: number): void {
    const floor = formatHlc(Math.max(0, Math.floor(floorMs)), 0);
    if (this.#last === undefined || this.#last < floor) this.#last = floor;
  }

  /**
   * Never issue a version at or below `version` (a floor handed back by the functions: the
   * highest version stored for this cluster). Returns whether the clock moved: the version
   * was ahead of both the wall clock and every version issued.
   */
  adoptVersion(version: Hlc): boolean {
    if ((this.#last ?? formatHlc(this.#wall(), 0)) >= version) return false;
    this.#last = version;
    return true;
  }

  /** Milliseconds of the newest version issued or adopted (the wall clock when none). */
  lastMs(): number {
    return this.#last === undefined ? this.#wall() : parseHlc(this.#last).ms;
  }

  last(): Hlc | undefined {
    return this.#last;
  }
}

/** The persisted part of the agent's Lease: who publishes, until when, and the HLC floor. */
export interface LeaseRecord {
  /** The publishing agent; '' when released. */
  readonly holder: string;
  readonly renewTimeMs: number;
  readonly durationMs: number;
  /** Every version issued so far has fewer milliseconds than this. */
  readonly floorMs: number;
  /** What the functions handed back through the Lease (agent/handback.ts); read only, never written by the agent. */
  readonly handback?: Handback;
}

/**
 * A compare-and-set register holding the LeaseRecord: the Kubernetes Lease in production
 * (agent/lease.ts), memory in unit tests and single-agent runs.
 */
export interface FloorStore {
  /** The current record (undefined: never written) and a token for a conditional write. */
  read(): Promise<{ readonly record?: LeaseRecord; readonly token: unknown }>;
  /** Writes when nothing was written since `token` was read; false on a conflict. */
  write(record: LeaseRecord, token: unknown): Promise<boolean>;
}

/** A FloorStore in memory. Share one between agent instances to model a restart. */
export class MemoryFloorStore implements FloorStore {
  #record: LeaseRecord | undefined;
  #version = 0;
  writes = 0;

  async read(): Promise<{ readonly record?: LeaseRecord; readonly token: unknown }> {
    return this.#record === undefined ? { token: this.#version } : { record: this.#record, token: this.#version };
  }

  async write(record: LeaseRecord, token: unknown): Promise<boolean> {
    if (token !== this.#version) return false;
    this.#record = record;
    this.#version += 1;
    this.writes += 1;
    return true;
  }

  get record(): LeaseRecord | undefined {
    return this.#record;
  }
}
