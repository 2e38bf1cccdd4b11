import { describe, expect, it } from 'vitest';
import {
  bigIntToIp, CidrError, formatCidr, ipFamily, ipToBigInt, isUsable, parseCidr, parseIp, usableCount, usableRange,
} from '../../../shared/core/cidr.ts';

describe('parseCidr', () => {
  it.each([
    ['240.240.0.0/16', 4, 4042260480n, 16, 65536n],
    ['10.0.0.0/30', 4, 167772160n, 30, 4n],
    ['0.0.0.0/0', 4, 0n, 0, 1n << 32n],
    ['10.1.2.3/32', 4, 167838211n, 32, 1n],
    ['fd00::/64', 6, 0xfd00n << 112n, 64, 1n << 64n],
    ['FD00:0:0:1::/64', 6, (0xfd00n << 112n) | (1n << 64n), 64, 1n << 64n],
    ['::/0', 6, 0n, 0, 1n << 128n],
  ] as const)('%s', (text, family, base, prefix, size) => {
    expect(parseCidr(text)).toEqual({ family, base, prefix, size });
  });

  it.each([
    ['', /expected address\/prefix/],
    ['240.240.0.0', /expected address\/prefix/],
    ['240.240.0.1/16', /host bits set: did you mean 240\.240\.0\.0\/16/],
    ['fd00::1/64', /host bits set: did you mean fd00::\/64/],
    ['10.0.0.0/33', /prefix must be a number from 0 to 32/],
    ['fd00::/129', /prefix must be a number from 0 to 128/],
    ['10.0.0.0/-1', /prefix/],
    ['10.0.0.0/08', /prefix/],
    ['10.0.0.0/', /prefix/],
    ['10.0.0.256/32', /not an IPv4 or IPv6 address/],
    ['10.0.0/24', /not an IPv4 or IPv6 address/],
    ['010.0.0.0/8', /not an IPv4 or IPv6 address/],
    ['1::2::3/64', /not an IPv4 or IPv6 address/],
    ['1:2:3:4:5:6:7:8:9/64', /not an IPv4 or IPv6 address/],
    ['12345::/16', /not an IPv4 or IPv6 address/],
    ['garbage/8', /not an IPv4 or IPv6 address/],
  ])('rejects %j with a clear CidrError', (text, message) => {
    let error: unknown;
    try {
      parseCidr(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CidrError);
    expect((error as CidrError).name).toBe('CidrError');
    expect((error as CidrError).message).toMatch(message);
  });

  it('keeps the cause of a bad address', () => {
    try {
      parseCidr('x/8');
      expect.unreachable();
    } catch (e) {
      expect((e as Error).cause).toBeInstanceOf(CidrError);
    }
  });
});

describe('addresses', () => {
  it.each([
    ['2001:db8::1', '2001:db8::1'],
    ['2001:0DB8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // first of two equal runs
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // a single zero group is not compressed
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // the longest run
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['64:ff9b::192.0.2.1', '64:ff9b::c000:201'],
  ])('IPv6 %s is written as %s (RFC 5952)', (input, canonical) => {
    expect(bigIntToIp(ipToBigInt(input), 6)).toBe(canonical);
  });

  it('round-trips IPv4', () => {
    expect(ipToBigInt('240.240.1.2')).toBe(0xf0f00102n);
    expect(bigIntToIp(0xf0f00102n, 4)).toBe('240.240.1.2');
    expect(parseIp('1.2.3.4')).toEqual({ family: 4, value: 0x01020304n });
    expect(ipFamily('::1')).toBe(6);
    expect(ipFamily('nope')).toBeUndefined();
  });

  it('rejects values out of range and bad text', () => {
    expect(() => bigIntToIp(1n << 32n, 4)).toThrow(CidrError);
    expect(() => bigIntToIp(-1n, 6)).toThrow(/not an IPv6 address value/);
    expect(() => ipToBigInt('1.2.3')).toThrow(/"1\.2\.3" is not an IPv4 or IPv6 address/);
    expect(() => ipToBigInt('1.2.3.4.5')).toThrow(CidrError);
    expect(() => ipToBigInt(':1')).toThrow(CidrError);
  });
});

describe('usable addresses', () => {
  it.each([
    ['240.240.0.0/16', 65534n],
    ['10.0.0.0/30', 2n],
    ['10.0.0.0/31', 0n],
    ['10.0.0.0/32', 0n],
    ['fd00::/64', (1n << 64n) - 2n],
    ['fd00::/126', 2n],
    ['fd00::/127', 0n],
  ])('%s has %s', (cidr, count) => {
    expect(usableCount(cidr)).toBe(count);
  });

  it('excludes network and broadcast (IPv6: all-zeros and all-ones)', () => {
    expect(usableRange('10.0.0.0/30')).toEqual({ first: ipToBigInt('10.0.0.1'), last: ipToBigInt('10.0.0.2') });
    expect(isUsable('10.0.0.0/30', '10.0.0.0')).toBe(false);
    expect(isUsable('10.0.0.0/30', '10.0.0.1')).toBe(true);
    expect(isUsable('10.0.0.0/30', '10.0.0.2')).toBe(true);
    expect(isUsable('10.0.0.0/30', '10.0.0.3')).toBe(false);
    expect(isUsable('10.0.0.0/30', '10.0.0.4')).toBe(false);
    expect(isUsable('fd00::/64', 'fd00::')).toBe(false);
    expect(isUsable('fd00::/64', 'fd00::1')).toBe(true);
    expect(isUsable('fd00::/64', 'fd00::ffff:ffff:ffff:ffff')).toBe(false);
    expect(isUsable('fd00::/64', 'fd00::ffff:ffff:ffff:fffe')).toBe(true);
  });

  it('is false for another family or a non-address', () => {
    expect(isUsable('10.0.0.0/8', '::1')).toBe(false);
    expect(isUsable(parseCidr('fd00::/64'), '10.0.0.1')).toBe(false);
    expect(isUsable('10.0.0.0/8', 'bad')).toBe(false);
  });

  it('formats a block back canonically', () => {
    expect(formatCidr(parseCidr('FD00:0000::/64'))).toBe('fd00::/64');
  });
});
