import { describe, expect, it } from 'vitest';
import { compareHlc, formatHlc, HlcError, isHlc, maxHlc, nextHlc, parseHlc } from '../../../shared/core/hlc.ts';
import { HlcSchema } from '../../../shared/schemas/events.ts';

describe('HLC', () => {
  it('formats fixed-width and parses back', () => {
    const hlc = formatHlc(1764366000123, 4);
    expect(hlc).toBe('001764366000123.000004');
    expect(HlcSchema.safeParse(hlc).success).toBe(true);
    expect(parseHlc(hlc)).toEqual({ ms: 1764366000123, counter: 4 });
    expect(isHlc(hlc)).toBe(true);
  });

  it.each([
    [-1, 0],
    [1.5, 0],
    [1e15, 0],
    [0, -1],
    [0, 1_000_000],
    [Number.NaN, 0],
  ])('formatHlc(%s, %s) throws HlcError', (ms, counter) => {
    expect(() => formatHlc(ms, counter)).toThrow(HlcError);
  });

  it.each(['', '1.1', '001764366000123.00004', '001764366000123-000004', 'a01764366000123.000004'])('parseHlc(%j) throws', (text) => {
    expect(() => parseHlc(text)).toThrow(/is not an HLC timestamp/);
  });

  it('compares as strings compare', () => {
    expect(compareHlc(formatHlc(2, 0), formatHlc(1, 999))).toBe(1);
    expect(compareHlc(formatHlc(1, 2), formatHlc(1, 10))).toBe(-1);
    expect(compareHlc(formatHlc(1, 2), formatHlc(1, 2))).toBe(0);
    expect(maxHlc(formatHlc(1, 2), formatHlc(1, 10))).toBe(formatHlc(1, 10));
    expect(maxHlc(undefined, formatHlc(1, 0))).toBe(formatHlc(1, 0));
    expect(maxHlc(formatHlc(1, 0), undefined)).toBe(formatHlc(1, 0));
    expect(maxHlc(undefined, undefined)).toBeUndefined();
  });

  it.each([
    ['starts at the wall clock', undefined, 500, formatHlc(500, 0)],
    ['follows the wall clock forwards', formatHlc(400, 7), 500, formatHlc(500, 0)],
    ['counts when the wall clock stands still', formatHlc(500, 7), 500, formatHlc(500, 8)],
    ['never goes back when the wall clock does', formatHlc(500, 7), 100, formatHlc(500, 8)],
    ['carries a full counter into the milliseconds', formatHlc(500, 999_999), 500, formatHlc(501, 0)],
    ['floors fractional wall time', undefined, 500.9, formatHlc(500, 0)],
  ])('nextHlc %s', (_, last, wall, expected) => {
    const next = nextHlc(last, wall);
    expect(next).toBe(expected);
    if (last !== undefined) expect(compareHlc(next, last)).toBe(1);
  });
});
