// A snapshot's key list as stored: sorted, deduplicated, gzipped, chunked; read back whole.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKeys, encodeKeys, SnapshotKeysError } from '../../../shared/adapters/dynamodb/snapshot-keys.ts';

describe('snapshot key lists', () => {
  it('round-trips any key list, in any chunk size', () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^(pod|service)\/[a-z0-9.-]{1,30}$/), { maxLength: 300 }), fc.integer({ min: 16, max: 4096 }), (keys, size) => {
        const chunks = encodeKeys(keys, size);
        expect(chunks.every((c) => c.length <= size)).toBe(true);
        expect(decodeKeys(chunks)).toEqual(new Set(keys));
      }),
    );
  });

  it('an empty list is one small chunk; the same keys in any order encode the same', () => {
    expect(encodeKeys([])).toHaveLength(1);
    expect(decodeKeys(encodeKeys([]))).toEqual(new Set());
    expect(encodeKeys(['pod/b', 'pod/a', 'pod/a'])).toEqual(encodeKeys(['pod/a', 'pod/b']));
  });

  it('10,000 pod keys fit in one item', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `pod/kafka-broker-${i}`);
    expect(encodeKeys(keys)).toHaveLength(1);
  });

  it('a missing or corrupt chunk is a SnapshotKeysError, not a wrong list', () => {
    const chunks = encodeKeys(Array.from({ length: 500 }, (_, i) => `pod/p-${i * 7919}`), 64);
    expect(() => decodeKeys(chunks.slice(0, -1))).toThrow(SnapshotKeysError);
    expect(() => decodeKeys([new Uint8Array([1, 2, 3])])).toThrow(/cannot be read/);
  });
});
