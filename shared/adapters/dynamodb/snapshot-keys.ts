// A snapshot's key list as stored: the sorted keys, newline-joined and gzipped, in chunks of
// at most CHUNK_BYTES so that any namespace fits (an item holds at most 400 KB). Chunk 0 lives
// in the snapshot header; the others in their own items, written before the header.
import { gunzipSync, gzipSync } from 'node:zlib';
import { GnsSyncError } from '../../errors.ts';

export const CHUNK_BYTES = 300 * 1024;

/** A stored key list that cannot be read back (a missing chunk, corrupt data). */
export class SnapshotKeysError extends GnsSyncError {
  override readonly name: string = 'SnapshotKeysError';
}

export function encodeKeys(keys: readonly string[], chunkBytes = CHUNK_BYTES): Uint8Array[] {
  const blob = gzipSync(Buffer.from([...new Set(keys)].sort().join('\n'), 'utf8'));
  const chunks: Uint8Array[] = [];
  for (let i = 0; i === 0 || i < blob.length; i += chunkBytes) chunks.push(new Uint8Array(blob.subarray(i, i + chunkBytes)));
  return chunks;
}

export function decodeKeys(chunks: readonly Uint8Array[]): Set<string> {
  try {
    const text = gunzipSync(Buffer.concat(chunks.map((c) => Buffer.from(c)))).toString('utf8');
    return new Set(text === '' ? [] : text.split('\n'));
  } catch (error) {
    throw new SnapshotKeysError(`the stored snapshot key list cannot be read (${String(error)}): the next snapshot replaces it`, { cause: error });
  }
}
