// IP addresses and CIDR blocks as bigints (IPv4 and IPv6), for the VIP pool (docs/design.md §6).
// Pure: no `node:net`, so the same code runs anywhere and a /64 costs no memory.
import { GnsSyncError } from '../errors.ts';
import type { GnsErrorOptions } from '../errors.ts';

export type IpFamily = 4 | 6;

export interface Cidr {
  readonly family: IpFamily;
  /** The network address. */
  readonly base: bigint;
  readonly prefix: number;
  /** Number of addresses in the block, network and broadcast included. */
  readonly size: bigint;
}

/** A malformed IP address or CIDR block; the message names the text and what is wrong with it. */
export class CidrError extends GnsSyncError {
  override readonly name: string = 'CidrError';
  constructor(message: string, options?: GnsErrorOptions) {
    super(message, options);
  }
}

const BITS: Readonly<Record<IpFamily, number>> = { 4: 32, 6: 128 };

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    // Decimal only, no leading zeros (some parsers read "010" as octal: refuse the ambiguity).
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

function parseGroups(text: string): bigint[] | undefined {
  if (text === '') return [];
  const groups: bigint[] = [];
  const parts = text.split(':');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] ?? '';
    if (i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === undefined) return undefined;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else {
      if (!/^[0-9a-fA-F]{1,4}$/.test(part)) return undefined;
      groups.push(BigInt(`0x${part}`));
    }
  }
  return groups;
}

function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0] ?? '');
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (head === undefined || tail === undefined) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...head, ...new Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail];
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** The family and numeric value of an IP address, or a CidrError. */
export function parseIp(ip: string): { readonly family: IpFamily; readonly value: bigint } {
  const v4 = ip.includes(':') ? undefined : parseIpv4(ip);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = ip.includes(':') ? parseIpv6(ip) : undefined;
  if (v6 !== undefined) return { family: 6, value: v6 };
  throw new CidrError(`"${ip}" is not an IPv4 or IPv6 address`);
}

/** The numeric value of an IPv4 or IPv6 address (throws CidrError when it is not one). */
export function ipToBigInt(ip: string): bigint {
  return parseIp(ip).value;
}

/** The family of an IP address, or undefined when the text is not an address. */
export function ipFamily(ip: string): IpFamily | undefined {
  try {
    return parseIp(ip).family;
  } catch {
    return undefined;
  }
}

/** An address as text: dotted quad, or IPv6 in the canonical form of RFC 5952. */
export function bigIntToIp(n: bigint, family: IpFamily): string {
  const bits = BITS[family];
  if (n < 0n || n >> BigInt(bits) !== 0n) throw new CidrError(`${n} is not an IPv${family} address value`);
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
  if (n >> 32n === 0xffffn) return `::ffff:${bigIntToIp(n & 0xffffffffn, 4)}`;
  const groups: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(Number((n >> s) & 0xffffn));
  // RFC 5952 §4.2: compress the longest run of two or more zero groups (the first on a tie).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Parse `address/prefix`; throws CidrError for a bad address, a bad prefix, or host bits set. */
export function parseCidr(text: string): Cidr {
  const slash = text.indexOf('/');
  if (slash < 0) throw new CidrError(`"${text}" is not a CIDR block: expected address/prefix, e.g. 240.240.0.0/16`);
  const address = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  let ip: { family: IpFamily; value: bigint };
  try {
    ip = parseIp(address);
  } catch (cause) {
    throw new CidrError(`"${text}" is not a CIDR block: "${address}" is not an IPv4 or IPv6 address`, { cause });
  }
  const bits = BITS[ip.family];
  if (!/^(0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > bits) {
    throw new CidrError(`"${text}" is not a CIDR block: the prefix must be a number from 0 to ${bits}`);
  }
  const prefix = Number(prefixText);
  const size = 1n << BigInt(bits - prefix);
  if ((ip.value & (size - 1n)) !== 0n) {
    const base = bigIntToIp(ip.value & ~(size - 1n), ip.family);
    throw new CidrError(`"${text}" has host bits set: did you mean ${base}/${prefix}?`);
  }
  return { family: ip.family, base: ip.value, prefix, size };
}

function asCidr(cidr: Cidr | string): Cidr {
  return typeof cidr === 'string' ? parseCidr(cidr) : cidr;
}

/**
 * How many addresses of the block can be handed out: all but the first (network; for IPv6 the
 * all-zeros subnet-router anycast) and the last (broadcast; for IPv6 all ones). A /31 or /32
 * (IPv6 /127, /128) has none.
 */
export function usableCount(cidr: Cidr | string): bigint {
  const { size } = asCidr(cidr);
  return size > 2n ? size - 2n : 0n;
}

/** The first and last usable address values, or undefined when the block has none. */
export function usableRange(cidr: Cidr | string): { readonly first: bigint; readonly last: bigint } | undefined {
  const c = asCidr(cidr);
  if (c.size <= 2n) return undefined;
  return { first: c.base + 1n, last: c.base + c.size - 2n };
}

/** Whether `ip` is a usable address of the block (same family, inside, not network or broadcast). */
export function isUsable(cidr: Cidr | string, ip: string): boolean {
  const c = asCidr(cidr);
  let parsed: { family: IpFamily; value: bigint };
  try {
    parsed = parseIp(ip);
  } catch {
    return false;
  }
  const range = usableRange(c);
  return parsed.family === c.family && range !== undefined && parsed.value >= range.first && parsed.value <= range.last;
}

/** The block as canonical text, e.g. `240.240.0.0/16`, `fd00::/64`. */
export function formatCidr(cidr: Cidr): string {
  return `${bigIntToIp(cidr.base, cidr.family)}/${cidr.prefix}`;
}
