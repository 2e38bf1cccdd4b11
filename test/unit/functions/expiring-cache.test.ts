// The per-container client cache shared by the Secrets Manager, EKS and routing adapters.
import { describe, expect, it } from 'vitest';
import { expiringCache } from '../../../shared/adapters/kubernetes/expiring-cache.ts';

function loader(results: (string | Error)[]) {
  const calls: string[] = [];
  const load = (cluster: string): Promise<string> => {
    calls.push(cluster);
    const next = results.shift() ?? `client-${calls.length}`;
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { calls, load };
}

describe('expiringCache', () => {
  it('loads once per cluster while fresh, again once expired', async () => {
    let now = 0;
    const { calls, load } = loader([]);
    const cache = expiringCache(load, 1_000, () => now);
    expect(await cache.get('a')).toBe('client-1');
    expect(await cache.get('a')).toBe('client-1');
    expect(await cache.get('b')).toBe('client-2');
    now = 1_000;
    expect(await cache.get('a')).toBe('client-3');
    expect(calls).toEqual(['a', 'b', 'a']);
  });

  it('does not keep a failed load: the next call tries again', async () => {
    const { calls, load } = loader([new Error('secret unreadable')]);
    const cache = expiringCache(load, 60_000, () => 0);
    await expect(cache.get('a')).rejects.toThrow('secret unreadable');
    expect(await cache.get('a')).toBe('client-2');
    expect(calls).toEqual(['a', 'a']);
  });

  it('drop forgets a client (refused credentials): the next call loads afresh', async () => {
    const { calls, load } = loader([]);
    const cache = expiringCache(load, 60_000, () => 0);
    await cache.get('a');
    cache.drop('a');
    expect(await cache.get('a')).toBe('client-2');
    expect(calls).toEqual(['a', 'a']);
  });
});
