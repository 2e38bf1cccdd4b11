// One publishing agent per cluster, and the HLC floor, through one Lease (docs/adr/0002).
// Every round the agent reads the Lease; it takes it when it is free, released, or has not
// been renewed for its duration (measured on this agent's clock from when the current renewal
// was first observed, as client-go does, so clock skew between agents does not matter). The
// holder writes renewTime and a floor `max(wall, last version) + window` every round, so after a
// crash the next publisher starts above every version issued. A standby publishes nothing.
import { withTimeout } from './backoff.ts';
import type { FloorStore, HlcClock, LeaseRecord } from './clock.ts';
import type { AgentLogger } from './logger.ts';

export interface ElectorOptions {
  readonly store: FloorStore;
  readonly clock: HlcClock;
  readonly wall: () => number;
  readonly identity: string;
  /** How long a holder's Lease lasts without renewal (leaseDurationSeconds). Default 15 s. */
  readonly durationMs?: number;
  /** How often the holder renews and a standby looks. Default durationMs / 3. */
  readonly renewMs?: number;
  /** How far ahead of the newest version the floor is reserved. Default 60 s; must exceed durationMs. */
  readonly windowMs?: number;
  /** Called when this agent starts publishing (after it adopted the floor). */
  readonly onElected: () => void;
  /** Called with the Lease read at each round, before this round's floor is computed (the hand-back channel, agent/handback.ts). */
  readonly onRecord?: (record: LeaseRecord | undefined) => void;
  readonly logger: AgentLogger;
}

export class Elector {
  readonly #o: Required<Omit<ElectorOptions, 'onElected' | 'logger' | 'onRecord'>> & Pick<ElectorOptions, 'onElected' | 'logger' | 'onRecord'>;
  #validUntil = 0;
  #reservedUntil = 0;
  #observed: { key: string; at: number } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  #stopped = false;
  #leaderSince: number | undefined;
  /** The last round found the clock able to issue (false while a floor too far ahead is waited out). */
  #announced = false;
  #waitLogged = false;
  /** Bumped when a round times out: its late continuation must not change anything. */
  #generation = 0;

  constructor(options: ElectorOptions) {
    const durationMs = options.durationMs ?? 15_000;
    const windowMs = options.windowMs ?? 60_000;
    if (windowMs <= durationMs) throw new RangeError(`the floor window (${windowMs} ms) must exceed the lease duration (${durationMs} ms)`);
    this.#o = { ...options, durationMs, windowMs, renewMs: options.renewMs ?? Math.max(1, Math.floor(durationMs / 3)) };
  }

  /** Runs the first round, then one every renewMs. */
  async start(): Promise<void> {
    await this.runRound();
    this.#schedule();
  }

  /** Whether this agent may publish now: it holds a valid Lease and its floor reservation covers the clock. */
  isPublishing(): boolean {
    const now = this.#o.wall();
    return this.#announced && now < this.#validUntil && Math.max(now, this.#o.clock.lastMs()) < this.#reservedUntil && this.#o.clock.canIssue();
  }

  /** One election round (serialised with any running one). */
  runRound(): Promise<void> {
    this.#round = this.#round
      .then(() => {
        const generation = this.#generation;
        // A hanging API must not stall the elector (or stop()): a round gets one renew interval.
        return withTimeout(this.#roundOnce(generation), Math.max(this.#o.renewMs, 1_000), 'lease round').catch((error: unknown) => {
          if (generation === this.#generation) this.#generation += 1;
          throw error;
        });
      })
      .catch((error: unknown) => {
        this.#o.logger.warn('lease round failed; retrying next round', { error: String(error) });
      });
    return this.#round;
  }

  async #roundOnce(generation: number): Promise<void> {
    if (this.#stopped) return;
    const { store, clock, wall, identity, durationMs, windowMs } = this.#o;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const { record, token } = await store.read();
      if (generation !== this.#generation || this.#stopped) return;
      this.#o.onRecord?.(record);
      const now = wall();
      if (!this.#mayTake(record, now)) {
        if (this.#leaderSince !== undefined) this.#o.logger.info('lost the publishing lease', { holder: record?.holder });
        this.#leaderSince = undefined;
        this.#validUntil = 0;
        this.#announced = false;
        return;
      }
      const wasPublishing = this.isPublishing();
      // A new publisher starts above everything the previous ones may have issued.
      if (!wasPublishing) clock.adoptFloor(record?.floorMs ?? 0);
      // A floor further ahead than the clock may issue (restarts in a crash loop): hold the lease
      // and wait for the wall clock, without raising the floor (nothing is issued meanwhile).
      const canIssue = clock.canIssue();
      const floorMs = Math.max(record?.floorMs ?? 0, canIssue ? Math.max(now, clock.lastMs()) + windowMs : 0);
      const next: LeaseRecord = { holder: identity, renewTimeMs: now, durationMs, floorMs };
      const written = await store.write(next, token);
      if (generation !== this.#generation || this.#stopped) return;
      if (written) {
        this.#validUntil = now + durationMs;
        this.#reservedUntil = floorMs;
        this.#observed = { key: `${identity}@${now}`, at: now };
        if (!canIssue && !this.#waitLogged) this.#o.logger.warn('holds the lease but waits: the HLC floor is further ahead of the wall clock than versions may be', { identity, floorMs, aheadMs: floorMs - now });
        this.#waitLogged = !canIssue;
        this.#announced = canIssue;
        if (!wasPublishing && canIssue) {
          this.#leaderSince = now;
          this.#o.logger.info('publishing: holds the lease', { identity, floorMs });
          this.#o.onElected();
        }
        return;
      }
    }
  }

  /** Free, released, ours, or not renewed for its duration since we first saw this renewal. */
  #mayTake(record: LeaseRecord | undefined, now: number): boolean {
    if (record === undefined || record.holder === '' || record.holder === this.#o.identity) return true;
    const key = `${record.holder}@${record.renewTimeMs}`;
    if (this.#observed?.key !== key) this.#observed = { key, at: now };
    return now - this.#observed.at >= record.durationMs;
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.runRound().then(() => this.#schedule());
    }, this.#o.renewMs);
    this.#timer.unref();
  }

  /** Stops renewing and releases the Lease (keeping the floor) so a successor need not wait. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await this.#round;
    if (this.#validUntil === 0) return;
    this.#validUntil = 0;
    try {
      await withTimeout((async () => {
        const { record, token } = await this.#o.store.read();
        if (record?.holder !== this.#o.identity) return;
        const floorMs = Math.max(record.floorMs, this.#o.clock.lastMs() + 1);
        await this.#o.store.write({ ...record, holder: '', renewTimeMs: this.#o.wall(), floorMs }, token);
      })(), 2_000, 'releasing the lease');
    } catch (error) {
      this.#o.logger.warn('could not release the lease; a successor takes it after its duration', { error: String(error) });
    }
  }
}
