// Property (d): the VIP candidate order visits every usable address of a small pool exactly
// once, and nothing else.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigIntToIp, isUsable, parseCidr, usableCount } from '../../shared/core/cidr.ts';
import { vipCandidates } from '../../shared/core/vip-order.ts';

const label = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,10}[a-z0-9])?$/);
const identity = fc.record({ gns: label, cluster: label, namespace: label, pod: label });
const pool = fc.oneof(
  fc.record({ base: fc.nat({ max: 0xffffff }), prefix: fc.integer({ min: 23, max: 32 }) }).map(({ base, prefix }) => {
    const size = 1n << BigInt(32 - prefix);
    return `${bigIntToIp(((0x0a000000n + BigInt(base) * 256n) & 0xffffffffn) & ~(size - 1n), 4)}/${prefix}`;
  }),
  fc.record({ base: fc.bigInt({ min: 0n, max: (1n << 112n) - 1n }), prefix: fc.integer({ min: 119, max: 128 }) }).map(({ base, prefix }) => {
    const size = 1n << BigInt(128 - prefix);
    return `${bigIntToIp(((0xfd00n << 112n) | (base << 16n)) & ~(size - 1n), 6)}/${prefix}`;
  }),
);

describe('VIP candidate order', () => {
  it('visits every usable address of a small pool exactly once', () => {
    fc.assert(
      fc.property(identity, pool, (id, cidr) => {
        const all = [...vipCandidates(id, cidr)];
        expect(BigInt(all.length)).toBe(usableCount(cidr));
        expect(new Set(all).size).toBe(all.length);
        for (const ip of all) expect(isUsable(cidr, ip)).toBe(true);
        expect(parseCidr(cidr).size).toBeGreaterThanOrEqual(BigInt(all.length));
      }),
      { numRuns: 1000 },
    );
  });
});
