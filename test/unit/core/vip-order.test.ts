import { describe, expect, it } from 'vitest';
import { ipToBigInt, isUsable, parseCidr } from '../../../shared/core/cidr.ts';
import { vipCandidates } from '../../../shared/core/vip-order.ts';

const id = (pod: string) => ({ gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', pod });
const take = (it: Iterator<string>, n: number) => Array.from({ length: n }, () => it.next().value as string);

describe('vipCandidates', () => {
  it('visits every usable address of a small pool once, never network or broadcast', () => {
    const all = [...vipCandidates(id('kafka-0'), '10.0.0.0/28')];
    expect(all).toHaveLength(14);
    expect(new Set(all).size).toBe(14);
    expect(all).not.toContain('10.0.0.0');
    expect(all).not.toContain('10.0.0.15');
  });

  it('is deterministic per identity and probes linearly, wrapping', () => {
    const a = [...vipCandidates(id('kafka-0'), '240.240.0.0/24')];
    expect([...vipCandidates(id('kafka-0'), parseCidr('240.240.0.0/24'))]).toEqual(a);
    for (let i = 1; i < a.length; i++) {
      const prev = ipToBigInt(a[i - 1] as string);
      const next = ipToBigInt(a[i] as string);
      expect(next === prev + 1n || (prev === ipToBigInt('240.240.0.254') && next === ipToBigInt('240.240.0.1'))).toBe(true);
    }
  });

  it('spreads identities over the pool', () => {
    const firsts = new Set(Array.from({ length: 50 }, (_, i) => vipCandidates(id(`kafka-${i}`), '240.240.0.0/16').next().value));
    expect(firsts.size).toBeGreaterThan(45);
  });

  it('works lazily on a /64 (IPv6, canonical text)', () => {
    const [first, second] = take(vipCandidates(id('kafka-0'), 'fd00:1::/64'), 2);
    expect(isUsable('fd00:1::/64', first as string)).toBe(true);
    expect(ipToBigInt(second as string) - ipToBigInt(first as string)).toBe(1n);
    expect(first).toMatch(/^fd00:1:/);
    expect(first).toBe(first?.toLowerCase());
  });

  it('yields nothing for a pool without usable addresses and throws for a bad pool', () => {
    expect([...vipCandidates(id('a'), '10.0.0.0/31')]).toEqual([]);
    expect(() => vipCandidates(id('a'), '10.0.0.1/24').next()).toThrow(/host bits set/);
  });
});
