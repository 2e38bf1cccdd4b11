// IPv4/IPv6 parsing for validation and address allocation in the simulated clusters.
import { isIPv4, isIPv6 } from 'node:net';

export function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Sixteen bytes of an IPv6 address (node:net has already said it is valid). */
function ipv6Groups(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipv4ToInt(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${Math.floor(n / 65536).toString(16)}:${(n % 65536).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => parseInt(g, 16));
}

/** RFC 5952 canonical text of an IPv6 address (lower case, longest zero run as `::`). */
export function canonicalIpv6(ip: string): string {
  const groups = ipv6Groups(ip);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

export type IpProblem = { readonly message: string };

/** What apimachinery's strict IP validation says about `value` for `family`, or undefined when fine. */
export function checkIp(value: string, family: 4 | 6): string | undefined {
  if (family === 4) {
    if (/^\d+\.\d+\.\d+\.\d+$/.test(value) && value.split('.').some((o) => o.length > 1 && o.startsWith('0')) && value.split('.').every((o) => Number(o) <= 255)) {
      return 'must not have leading 0s';
    }
    if (!isIPv4(value)) return 'must be a valid IPv4 address';
    return undefined;
  }
  if (!isIPv6(value)) return 'must be a valid IPv6 address';
  if (/^::ffff:/i.test(value) && /\d+\.\d+\.\d+\.\d+$/.test(value)) return 'must not be an IPv4-mapped IPv6 address';
  const canonical = canonicalIpv6(value);
  if (canonical !== value) return `must be in canonical form (${JSON.stringify(canonical)})`;
  return undefined;
}

/** ValidateEndpointIP: ranges an endpoint address may not be in. */
export function endpointIpProblem(value: string): string | undefined {
  if (isIPv4(value)) {
    const n = ipv4ToInt(value);
    if (n === 0) return 'may not be unspecified (0.0.0.0)';
    if (Math.floor(n / 2 ** 24) === 127) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
    if (Math.floor(n / 2 ** 16) === 0xa9fe) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
    if (Math.floor(n / 2 ** 8) === 0xe00000) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
    return undefined;
  }
  if (isIPv6(value)) {
    const g = ipv6Groups(value);
    if (g.every((x) => x === 0)) return 'may not be unspecified (::)';
    if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'may not be in the loopback range (127.0.0.0/8, ::1/128)';
    if ((g[0]! & 0xffc0) === 0xfe80) return 'may not be in the link-local range (169.254.0.0/16, fe80::/10)';
    if ((g[0]! & 0xfff0) === 0xff00 && (g[0]! & 0x000f) === 2) return 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)';
  }
  return undefined;
}

/** An IPv4 CIDR like `10.1.0.0/16`. */
export interface Ipv4Block {
  readonly base: number;
  readonly size: number;
}

export function parseIpv4Cidr(text: string): Ipv4Block {
  const m = /^(\d+\.\d+\.\d+\.\d+)\/(\d+)$/.exec(text);
  if (!m || !isIPv4(m[1]!) || Number(m[2]) > 30 || Number(m[2]) < 8) {
    throw new Error(`"${text}" is not an IPv4 CIDR block between /8 and /30 (e.g. 10.1.0.0/16); pass a pod CIDR like that`);
  }
  const size = 2 ** (32 - Number(m[2]));
  const base = ipv4ToInt(m[1]!) - (ipv4ToInt(m[1]!) % size);
  return { base, size };
}

/**
 * Next-fit allocator over a block: never hands out an address in use, and moves on after each
 * allocation, so a released address is not reused until the block wraps around.
 */
export class Ipv4Allocator {
  private readonly block: Ipv4Block;
  private readonly used = new Set<number>();
  private cursor: number;
  private readonly first: number;

  constructor(cidr: string, firstOffset = 1) {
    this.block = parseIpv4Cidr(cidr);
    this.first = firstOffset;
    this.cursor = firstOffset;
  }

  allocate(): string {
    const usable = this.block.size - 1 - this.first;
    for (let i = 0; i < usable; i++) {
      const offset = this.first + ((this.cursor - this.first + i) % usable);
      if (!this.used.has(offset)) {
        this.used.add(offset);
        this.cursor = offset + 1;
        return intToIpv4(this.block.base + offset);
      }
    }
    throw new Error(`address block of ${this.block.size} addresses is exhausted; delete pods or services to free addresses`);
  }

  /** Marks an address taken (e.g. a clusterIP chosen by the user); false when already taken or outside. */
  claim(ip: string): boolean {
    if (!isIPv4(ip)) return false;
    const offset = ipv4ToInt(ip) - this.block.base;
    if (offset < 0 || offset >= this.block.size || this.used.has(offset)) return false;
    this.used.add(offset);
    return true;
  }

  contains(ip: string): boolean {
    if (!isIPv4(ip)) return false;
    const offset = ipv4ToInt(ip) - this.block.base;
    return offset >= 0 && offset < this.block.size;
  }

  release(ip: string): void {
    if (!isIPv4(ip)) return;
    this.used.delete(ipv4ToInt(ip) - this.block.base);
  }

  get inUse(): number {
    return this.used.size;
  }
}
