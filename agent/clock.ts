// The agent's hybrid logical clock (docs/adr/0002-event-ordering.md): versions never go
// backwards within a process, and a floor persisted in the agent's Lease (agent/lease.ts)
// keeps them increasing across restarts and hand-overs: a new publisher starts after
// max(wall, floor). The pure step is shared/core/hlc.ts's nextHlc.
import { formatHlc, nextHlc, parseHlc } from '../shared/core/hlc.ts';
import type { Handback } from '../shared/core/handback.ts';
import type { Hlc } from '../shared/core/types.ts';

export class HlcClock {
  readonly #wall: () => number;
  #last: Hlc | undefined;

  constructor(wall: () => number) {
    this.#wall = wall;
  }

  /** The next version: strictly greater than every version this clock issued or adopted. */
  now(): Hlc {
    this.#last = nextHlc(this.#last, this.#wall());
    return this.#last;
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
