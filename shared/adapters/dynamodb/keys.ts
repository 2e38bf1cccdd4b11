// Item keys of the single table (docs/adr/0003-dynamodb-single-table.md). One partition per
// member namespace holds its entries and its snapshot header, sorted so that one range query
// returns the pods with the header and another the services with the header:
//
//   pk                        sk                          item
//   ns/<cluster>/<namespace>  pod/<name>                  pod entry (record or tombstone)
//                             q/snapshot                  newest snapshot: version, listed keys
//                             q/snapshot/<v>/<chunk>      more of a large key list
//                             service/<name>              service entry
//   ids/<gns>                 <cluster>/<namespace>/<pod> VIP identity: its VIP, gone since
//   vips                      4/<8 hex> | 6/<32 hex>      VIP: owner, or quarantined until
//   status                    <gns>/<cluster>/<ns>/<name> target status
//   targets                   <gns>                       targets version: a counter bumped on Service changes;
//                                                         member versions mv:<cluster>/<ns>, bumped on any change (ADR 16)
//   meta                      incarnation                 the store's incarnation: table, begun at, complete members
//   published                 <cluster>                   addresses last seen published in a cluster (the release holds them)
//
// No part of a key can contain `/` (cluster names are label values, the rest DNS names).
import { ipToBigInt, ipFamily } from '../../core/cidr.ts';

export const SNAPSHOT_SK = 'q/snapshot';
/** Sort keys below this are pods and the snapshot items; above SERVICES_AFTER, the snapshot items and services. */
export const PODS_BELOW = 'r';
export const SERVICES_AFTER = 'q';
export const VIPS_PK = 'vips';
export const STATUS_PK = 'status';
export const TARGETS_PK = 'targets';
export const GONE_PARTITION = 'gone';
/** The store's incarnation (docs/adr/0014-store-completeness.md). */
export const PUBLISHED_PK = 'published';
export const INCARNATION_KEY = { pk: 'meta', sk: 'incarnation' } as const;

export function namespacePk(cluster: string, namespace: string): string {
  return `ns/${cluster}/${namespace}`;
}

export function snapshotChunkSk(v: string, chunk: number): string {
  return `${SNAPSHOT_SK}/${v}/${String(chunk).padStart(4, '0')}`;
}

export function identitiesPk(gns: string): string {
  return `ids/${gns}`;
}

export function identitySk(cluster: string, namespace: string, pod: string): string {
  return `${cluster}/${namespace}/${pod}`;
}

/** A VIP's sort key: family and fixed-width hex, so the partition sorts by address. */
export function vipSk(ip: string): string {
  const family = ipFamily(ip);
  const width = family === 6 ? 32 : 8;
  return `${family === 6 ? 6 : 4}/${ipToBigInt(ip).toString(16).padStart(width, '0')}`;
}

/** The gone index's sort key: zero-padded ms, then the identity, so a range query finds the expired ones. */
export function goneSk(goneSince: number, identity: string): string {
  return `${String(goneSince).padStart(15, '0')}#${identity}`;
}
