import { describe, expect, it } from 'vitest';
import { identityKey, KeyError, parseIdentityKey, parseTargetKey, targetKey } from '../../../shared/core/identity.ts';

describe('identity and target keys', () => {
  it('round-trip', () => {
    const id = { gns: 'kafka-gns', cluster: 'cluster_One.x', namespace: 'ns-one', pod: 'kafka-0' };
    expect(identityKey(id)).toBe('kafka-gns/cluster_One.x/ns-one/kafka-0');
    expect(parseIdentityKey(identityKey(id))).toEqual(id);
    const ref = { gns: 'g', cluster: 'c', namespace: 'n', name: 'svc.a' };
    expect(targetKey(ref)).toBe('g/c/n/svc.a');
    expect(parseTargetKey(targetKey(ref))).toEqual(ref);
  });

  it.each(['', 'a/b/c', 'a/b/c/d/e', 'a//c/d', '/b/c/d', 'a/b/c/'])('rejects the key %j', (key) => {
    expect(() => parseIdentityKey(key)).toThrow(KeyError);
    expect(() => parseTargetKey(key)).toThrow(/expected gns\/cluster\/namespace\/name/);
  });

  it('refuses to build a key from a part with a slash or an empty part', () => {
    expect(() => identityKey({ gns: 'g', cluster: 'c', namespace: 'n/x', pod: 'p' })).toThrow(KeyError);
    expect(() => targetKey({ gns: '', cluster: 'c', namespace: 'n', name: 'p' })).toThrow(/must be non-empty/);
  });
});
