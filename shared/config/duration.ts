// Durations in the config file: `90s`, `30m`, `1h`, `1h30m`, `2d` (units in this order, each
// at most once). Zero, negative, fractional or unit-less values are rejected.

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
const DURATION_RE = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds, or why the text is not a duration (a phrase that follows the field name). */
export type DurationResult = { readonly ok: true; readonly ms: number } | { readonly ok: false; readonly reason: string };

const EXPECTED = 'expected a duration like 90s, 30m, 1h, 1h30m or 2d';

/** Parses a duration into milliseconds. */
export function parseDuration(text: string): DurationResult {
  const match = DURATION_RE.exec(text.trim());
  if (text.trim() === '' || !match) return { ok: false, reason: `${EXPECTED}, got ${JSON.stringify(text)}` };
  const [, d, h, m, s] = match;
  const ms = Number(d ?? 0) * UNIT_MS.d + Number(h ?? 0) * UNIT_MS.h + Number(m ?? 0) * UNIT_MS.m + Number(s ?? 0) * UNIT_MS.s;
  if (!Number.isSafeInteger(ms)) return { ok: false, reason: `${JSON.stringify(text)} is too long` };
  if (ms <= 0) return { ok: false, reason: `must be longer than zero, got ${JSON.stringify(text)}` };
  return { ok: true, ms };
}

/** Milliseconds as the shortest duration text `parseDuration` reads back (`5400000` → `1h30m`). */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms <= 0 || ms % 1000 !== 0) {
    throw new RangeError(`${ms} ms is not a positive whole number of seconds`);
  }
  let rest = ms;
  let out = '';
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}
