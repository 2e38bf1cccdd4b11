// The order in which VIPs are tried for an identity (docs/design.md §6): a deterministic first
// choice (a hash of the identity key over the usable addresses), then linear probing that
// wraps around. Every usable address is visited exactly once; network and broadcast (IPv6:
// all-zeros and all-ones) never. Lazy and bigint-based: a /64 costs no memory.
import { bigIntToIp, parseCidr, usableRange } from './cidr.ts';
import type { Cidr } from './cidr.ts';
import { hash128 } from './hash.ts';
import { identityKey } from './identity.ts';
import type { VipIdentity } from './types.ts';

/** The index (0-based, among usable addresses) of the identity's first choice. */
export function vipFirstIndex(identity: VipIdentity, usable: bigint): bigint {
  return usable === 0n ? 0n : hash128(identityKey(identity)) % usable;
}

/** Candidate VIPs for an identity, first choice first; yields nothing for a pool without usable addresses. */
export function* vipCandidates(identity: VipIdentity, pool: Cidr | string): Generator<string, void, undefined> {
  const cidr = typeof pool === 'string' ? parseCidr(pool) : pool;
  const range = usableRange(cidr);
  if (range === undefined) return;
  const usable = range.last - range.first + 1n;
  const start = range.first + vipFirstIndex(identity, usable);
  for (let n = start; n <= range.last; n++) yield bigIntToIp(n, cidr.family);
  for (let n = range.first; n < start; n++) yield bigIntToIp(n, cidr.family);
}
