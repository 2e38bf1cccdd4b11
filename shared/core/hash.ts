// Stable hashes for deterministic names and VIP first choices. SHA-256 (node:crypto, no I/O):
// the same text gives the same hash on every machine and every Node version.
import { createHash } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The first 128 bits of SHA-256 of `text` as a non-negative bigint. */
export function hash128(text: string): bigint {
  return BigInt(`0x${sha256Hex(text).slice(0, 32)}`);
}
