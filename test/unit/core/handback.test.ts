// The hand-back annotation (docs/adr/0014-store-completeness.md): lenient parsing, a floor
// that only rises, an incarnation that replaces, a stable format.
import { describe, expect, it } from 'vitest';
import { formatHandback, mergeHandback, parseHandback } from '../../../shared/core/handback.ts';

const F1 = '001764366000123.000004';
const F2 = '001764366000999.000000';

describe('hand-back annotation', () => {
  it.each([
    [undefined, {}],
    ['', {}],
    ['not json', {}],
    ['[1]', {}],
    ['{"incarnation":"","floor":"12"}', {}],
    [`{"incarnation":"abc","floor":"${F1}","other":1}`, { incarnation: 'abc', floor: F1 }],
    [`{"floor":"${F1}"}`, { floor: F1 }],
  ])('parses %j leniently', (value, expected) => {
    expect(parseHandback(value)).toEqual(expected);
  });

  it('a floor only rises; an incarnation replaces; format is stable and round-trips', () => {
    expect(mergeHandback({ floor: F2 }, { floor: F1 })).toEqual({ floor: F2 });
    expect(mergeHandback({ floor: F1, incarnation: 'a' }, { floor: F2 })).toEqual({ floor: F2, incarnation: 'a' });
    expect(mergeHandback({ incarnation: 'a' }, { incarnation: 'b' })).toEqual({ incarnation: 'b' });
    const text = formatHandback({ floor: F1, incarnation: 'b' });
    expect(text).toBe(formatHandback({ incarnation: 'b', floor: F1 }));
    expect(parseHandback(text)).toEqual({ incarnation: 'b', floor: F1 });
  });
});
