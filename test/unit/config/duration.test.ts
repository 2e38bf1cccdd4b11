import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../shared/config/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['30m', 1_800_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['1d2h3m4s', 93_784_000],
    [' 1h ', 3_600_000],
  ])('accepts %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([
    ['0', 'expected a duration like 90s, 30m, 1h, 1h30m or 2d, got "0"'],
    ['0s', 'must be longer than zero, got "0s"'],
    ['0h0m', 'must be longer than zero'],
    ['-1h', 'expected a duration'],
    ['1x', 'expected a duration'],
    ['1.5h', 'expected a duration'],
    ['30m1h', 'expected a duration'],
    ['1h1h', 'expected a duration'],
    ['h', 'expected a duration'],
    ['', 'expected a duration'],
    ['99999999999999999999d', 'is too long'],
  ])('rejects %j', (text, reason) => {
    const result = parseDuration(text);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain(reason);
  });
});

describe('formatDuration', () => {
  it.each([
    [90_000, '1m30s'],
    [3_600_000, '1h'],
    [5_400_000, '1h30m'],
    [172_800_000, '2d'],
  ])('%i ms → %s, which reads back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toEqual({ ok: true, ms });
  });

  it.each([0, -1000, 1500, Number.NaN])('refuses %d', (ms) => {
    expect(() => formatDuration(ms)).toThrow(RangeError);
  });
});
