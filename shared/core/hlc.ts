// The hybrid logical clock of docs/adr/0002-event-ordering.md: `MMMMMMMMMMMMMMM.CCCCCC`
// (15 digits of wall-clock milliseconds, a dot, 6 digits of counter). Fixed width, so two
// versions of one cluster compare as plain strings. Pure: the wall clock is an argument.
import { GnsSyncError } from '../errors.ts';
import type { GnsErrorOptions } from '../errors.ts';
import type { Hlc } from './types.ts';

export const HLC_RE = /^\d{15}\.\d{6}$/;
export const HLC_MAX_MS = 999_999_999_999_999;
export const HLC_MAX_COUNTER = 999_999;

/** A malformed HLC timestamp or an out-of-range part. */
export class HlcError extends GnsSyncError {
  override readonly name: string = 'HlcError';
  constructor(message: string, options?: GnsErrorOptions) {
    super(message, options);
  }
}

export interface HlcParts {
  readonly ms: number;
  readonly counter: number;
}

/** `formatHlc(1764366000123, 4)` = `001764366000123.000004`. */
export function formatHlc(ms: number, counter: number): Hlc {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > HLC_MAX_MS) {
    throw new HlcError(`HLC milliseconds must be an integer from 0 to ${HLC_MAX_MS}, got ${ms}`);
  }
  if (!Number.isSafeInteger(counter) || counter < 0 || counter > HLC_MAX_COUNTER) {
    throw new HlcError(`HLC counter must be an integer from 0 to ${HLC_MAX_COUNTER}, got ${counter}`);
  }
  return `${String(ms).padStart(15, '0')}.${String(counter).padStart(6, '0')}`;
}

export function isHlc(text: string): boolean {
  return HLC_RE.test(text);
}

export function parseHlc(text: string): HlcParts {
  if (!HLC_RE.test(text)) {
    throw new HlcError(`"${text}" is not an HLC timestamp: expected 15 digits, a dot and 6 digits, e.g. 001764366000123.000004`);
  }
  return { ms: Number(text.slice(0, 15)), counter: Number(text.slice(16)) };
}

/** -1, 0 or 1. Both must be well-formed HLCs of the same cluster. */
export function compareHlc(a: Hlc, b: Hlc): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxHlc(a: Hlc, b: Hlc): Hlc;
export function maxHlc(a: Hlc | undefined, b: Hlc | undefined): Hlc | undefined;
export function maxHlc(a: Hlc | undefined, b: Hlc | undefined): Hlc | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a >= b ? a : b;
}

/**
 * The next timestamp after `last` at wall time `wallMs`: `max(wall, last.ms)`, with the counter
 * reset when the milliseconds advanced and incremented otherwise. A full counter carries into
 * the milliseconds, so the result is always strictly greater than `last`.
 */
export function nextHlc(last: Hlc | undefined, wallMs: number): Hlc {
  const wall = Math.max(0, Math.floor(wallMs));
  if (last === undefined) return formatHlc(wall, 0);
  const prev = parseHlc(last);
  if (wall > prev.ms) return formatHlc(wall, 0);
  if (prev.counter < HLC_MAX_COUNTER) return formatHlc(prev.ms, prev.counter + 1);
  return formatHlc(prev.ms + 1, 0);
}
