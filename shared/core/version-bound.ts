// How far ahead of the receiver's clock an event version may be (issue 11, finding 2). A
// version is an HLC whose milliseconds are the agent's wall clock (docs/adr/0002): one stamped
// far in the future would win every merge of its cluster until the clock caught up, hiding the
// pods a forged or runaway snapshot does not list. The ingest refuses versions more than the
// skew S ahead of its own clock, live and replayed alike; agents never issue a version more than
// S/2 ahead of their own wall clock (agent/clock.ts), so an agent whose clock is at most S/2
// fast is never refused. Pure: the clock is an argument.
import { parseHlc } from './hlc.ts';
import type { Hlc } from './types.ts';

/** The clock skew S the ingest tolerates by default: 5 minutes. */
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** How far ahead of its wall clock an agent may issue versions: S/2. */
export const maxAheadOf = (skewMs: number): number => Math.floor(skewMs / 2);

/**
 * Why version `v` is refused at `nowMs` with skew `skewMs`, or undefined when it is acceptable
 * (at most `skewMs` milliseconds ahead; any past version is acceptable: merging orders it).
 */
export function versionTooFarAhead(v: Hlc, nowMs: number, skewMs: number): string | undefined {
  const ahead = parseHlc(v).ms - nowMs;
  if (ahead <= skewMs) return undefined;
  return `version ${v} is ${ahead} ms ahead of the receiver's clock (${new Date(nowMs).toISOString()}); at most ${skewMs} ms of clock skew is accepted`;
}
