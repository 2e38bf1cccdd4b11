// The sort-key layout the range queries rely on: in a namespace partition every pod key sorts
// below PODS_BELOW and every service key above SERVICES_AFTER, with the snapshot items in
// both ranges; VIP keys sort by address.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goneSk, identitiesPk, identitySk, namespacePk, PODS_BELOW, SERVICES_AFTER, SNAPSHOT_SK, snapshotChunkSk, vipSk } from '../../../shared/adapters/dynamodb/keys.ts';
import { entryKey } from '../../../shared/core/merge.ts';
import { DNS1123_SUBDOMAIN_RE } from '../../../shared/schemas/events.ts';

const objectName = fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,40}[a-z0-9])?$/).filter((s) => DNS1123_SUBDOMAIN_RE.test(s));
const hlc = fc.tuple(fc.integer({ min: 0, max: 999_999_999_999 }), fc.integer({ min: 0, max: 999_999 })).map(([ms, c]) => `${String(ms).padStart(15, '0')}.${String(c).padStart(6, '0')}`);

describe('namespace partition sort keys', () => {
  it('pods and the snapshot items sort below PODS_BELOW; services and the snapshot items above SERVICES_AFTER', () => {
    fc.assert(
      fc.property(objectName, hlc, fc.integer({ min: 0, max: 9999 }), (name, v, chunk) => {
        const p = entryKey('pod', name);
        const s = entryKey('service', name);
        expect(p < PODS_BELOW && !(p > SERVICES_AFTER)).toBe(true);
        expect(s > SERVICES_AFTER && !(s < PODS_BELOW)).toBe(true);
        for (const snap of [SNAPSHOT_SK, snapshotChunkSk(v, chunk)]) expect(snap < PODS_BELOW && snap > SERVICES_AFTER).toBe(true);
      }),
    );
  });

  it('chunk keys of one version sort in chunk order and start with the header key', () => {
    const v = '001764366000123.000004';
    const keys = [10, 2, 1, 100].map((c) => snapshotChunkSk(v, c));
    expect([...keys].sort()).toEqual([1, 2, 10, 100].map((c) => snapshotChunkSk(v, c)));
    expect(keys.every((k) => k.startsWith(`${SNAPSHOT_SK}/${v}/`))).toBe(true);
  });

  it('partition keys name their scope', () => {
    expect(namespacePk('one', 'ns-one')).toBe('ns/one/ns-one');
    expect(identitiesPk('kafka-gns')).toBe('ids/kafka-gns');
    expect(identitySk('one', 'ns-one', 'kafka-0')).toBe('one/ns-one/kafka-0');
  });
});

describe('VIP and gone keys', () => {
  it('VIP sort keys order like the addresses, per family', () => {
    expect(vipSk('240.240.0.1')).toBe('4/f0f00001');
    expect(vipSk('10.0.0.2') < vipSk('10.0.0.10')).toBe(true);
    expect(vipSk('fd00::1')).toBe(`6/${'fd00'.padEnd(28, '0')}0001`);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), (a, b) => {
        const ip = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
        expect(vipSk(ip(a)) < vipSk(ip(b))).toBe(a < b);
      }),
    );
  });

  it('gone keys order by time first', () => {
    expect(goneSk(5, 'z') < goneSk(10, 'a')).toBe(true);
    expect(goneSk(10, 'a') < goneSk(11, '')).toBe(true);
  });
});
