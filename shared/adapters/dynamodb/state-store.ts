// The state store on DynamoDB: the core's commutative merge (docs/adr/0002-event-ordering.md)
// applied item by item with one conditional write per entry, and the visible view read back
// with one query per member namespace (docs/adr/0003-dynamodb-single-table.md).
//
// A pod or service event is one PutItem conditioned on being newer than the stored entry by
// the core's `isNewer` rule; a stale or duplicate event is that one write failing, and no read.
// A snapshot part is one conditional UpdateItem of the namespace's snapshot header (newest
// version wins; a part already merged fails it), then its records, each as an event; the first
// part of a newer snapshot also reports the entries whose visibility changed and deletes the
// ones that can never be visible again.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { canonicalJson, entryKey, isVisible } from '../../core/merge.ts';
import { podTombstone, returningPods } from '../../core/returning.ts';
import type { PodRecord, ServiceRecord } from '../../core/types.ts';
import { FinalError, RetryableError } from '../../errors.ts';
import type { MergeResult, NamespaceView, StateStore } from '../../ports.ts';
import { DETAIL_SCHEMAS } from '../../schemas/events.ts';
import type { GnsEvent, NamespaceSnapshot } from '../../schemas/events.ts';
import { documentClient, isConditionalFailure, mapLimit, queryAll, storeError } from './client.ts';
import type { Item } from './client.ts';
import { namespacePk, PODS_BELOW, SERVICES_AFTER, SNAPSHOT_SK, snapshotChunkSk } from './keys.ts';
import { entryOf, isEntrySk, readPartition, snapshotChunks, visibleRecords } from './partition.ts';
import type { Partition, StoredSnapshot } from './partition.ts';
import { CHUNK_BYTES, decodeKeys, encodeKeys } from './snapshot-keys.ts';
import { bumpMemberVersions, readMemberVersions } from './member-versions.ts';
import { bumpTargetsVersion, readTargetsVersions } from './targets-version.ts';
import { refuseBelowFloor } from './snapshot-floor.ts';

/** Record newer than stored, or equal version and canonical JSON greater (the core's tie-break). */
const RECORD_IS_NEWER = 'attribute_not_exists(#v) OR #v < :v OR (#v = :v AND attribute_exists(#r) AND #r < :r)';
/** Tombstone newer than stored, or equal version over a record (a tombstone wins ties). */
const TOMBSTONE_IS_NEWER = 'attribute_not_exists(#v) OR #v < :v OR (#v = :v AND attribute_exists(#r))';
/** A returning tombstone (`ret`, docs/adr/0019) also wins a tie over a tombstone of one version with no or an earlier `ret` (the core's `isNewer`). */
const RETURNING_TOMBSTONE_IS_NEWER = `${TOMBSTONE_IS_NEWER} OR (#v = :v AND attribute_not_exists(#r) AND (attribute_not_exists(#ret) OR #ret < :ret))`;
/** Snapshot newer than stored, or this part of the stored snapshot not merged yet. */
const SNAPSHOT_IS_NEWER = 'attribute_not_exists(#v) OR #v < :v OR (#v = :v AND (attribute_not_exists(#dn.#p) OR #dn.#p <> :v))';

const PARALLEL_WRITES = 16;

export interface DynamoStateStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Size of a snapshot key-list chunk (gzipped bytes); default CHUNK_BYTES. Tests lower it. */
  readonly snapshotChunkBytes?: number;
}

/** Accumulates what may have changed, for MergeResult. */
class Changes {
  changed = false;
  completedSnapshot: string | undefined;
  private readonly pods = new Map<string, Map<string, Readonly<Record<string, string>>>>();
  private readonly services = new Set<string>();

  pod(name: string, ...records: (PodRecord | undefined)[]): void {
    const labels = this.pods.get(name) ?? new Map<string, Readonly<Record<string, string>>>();
    for (const r of records) if (r !== undefined) labels.set(canonicalJson(r.labels), r.labels);
    this.pods.set(name, labels);
  }

  service(name: string): void {
    this.services.add(name);
  }

  entry(key: string, ...records: (PodRecord | ServiceRecord | undefined)[]): void {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const name = key.slice(slash + 1);
    if (kind === 'pod') this.pod(name, ...(records as (PodRecord | undefined)[]));
    else this.service(name);
  }

  result(): MergeResult {
    return {
      changed: this.changed,
      pods: [...this.pods].map(([name, labels]) => ({ name, labels: [...labels.values()] })),
      services: [...this.services],
      ...(this.completedSnapshot === undefined ? {} : { completedSnapshot: this.completedSnapshot }),
    };
  }
}

export class DynamoStateStore implements StateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly chunkBytes: number;

  constructor(options: DynamoStateStoreOptions) {
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.chunkBytes = options.snapshotChunkBytes ?? CHUNK_BYTES;
  }

  async merge(event: GnsEvent): Promise<MergeResult> {
    const schema = DETAIL_SCHEMAS[event.type];
    const parsed = schema === undefined ? undefined : schema.safeParse(event.detail);
    if (!parsed?.success) {
      const why = parsed?.error.issues.map((i) => `${i.path.join('.') || '(detail)'}: ${i.message}`).join('; ') ?? `unknown event type ${String(event.type)}`;
      throw new FinalError(`cannot merge ${String(event.type)} event: ${why}; nothing was written`);
    }
    const changes = new Changes();
    const d = event.detail;
    const pk = namespacePk(d.cluster, d.namespace);
    switch (event.type) {
      case 'gns-sync.pod.upsert.v2':
        await this.putEntry(pk, entryKey('pod', event.detail.pod.name), event.detail.v, event.detail.pod, changes, true);
        break;
      case 'gns-sync.pod.delete.v2':
        await this.putEntry(pk, entryKey('pod', event.detail.name), event.detail.v, undefined, changes, false, podTombstone(event.detail).returning);
        break;
      case 'gns-sync.service.upsert.v2':
        await this.putEntry(pk, entryKey('service', event.detail.service.name), event.detail.v, event.detail.service, changes, true);
        break;
      case 'gns-sync.service.delete.v2':
        await this.putEntry(pk, entryKey('service', event.detail.name), event.detail.v, undefined, changes);
        break;
      case 'gns-sync.namespace.snapshot.v2':
        await this.mergeSnapshot(pk, event.detail, changes);
        break;
    }
    return changes.result();
  }

  async podsOf(cluster: string, namespace: string): Promise<readonly PodRecord[]> {
    return visibleRecords<PodRecord>(await this.readRange(cluster, namespace, 'sk < :bound', PODS_BELOW), 'pod');
  }

  async servicesOf(cluster: string, namespace: string): Promise<readonly ServiceRecord[]> {
    return visibleRecords<ServiceRecord>(await this.readRange(cluster, namespace, 'sk > :bound', SERVICES_AFTER), 'service');
  }

  async service(cluster: string, namespace: string, name: string): Promise<ServiceRecord | undefined> {
    return (await this.servicesOf(cluster, namespace)).find((s) => s.name === name);
  }

  async namespaceOf(cluster: string, namespace: string): Promise<NamespaceView> {
    const partition = await this.readRange(cluster, namespace, 'sk > :bound', '');
    return { pods: visibleRecords<PodRecord>(partition, 'pod'), services: visibleRecords<ServiceRecord>(partition, 'service'), returning: returningPods(partition.entries) };
  }

  // Counters of the `targets` partition (targets-version.ts, member-versions.ts).
  memberVersions = (gns: string) => readMemberVersions(this.doc, this.tableName, gns);
  bumpMemberVersions = (gns: string, members: readonly string[]) => bumpMemberVersions(this.doc, this.tableName, gns, members);
  targetsVersions = (gnsNames: readonly string[]) => readTargetsVersions(this.doc, this.tableName, gnsNames);
  bumpTargetsVersion = (gns: string) => bumpTargetsVersion(this.doc, this.tableName, gns);

  /** One consistent query of a key range of the partition (with the snapshot items); retried once if a snapshot replaced it mid-read. */
  private async readRange(cluster: string, namespace: string, condition: string, bound: string): Promise<Partition> {
    for (let attempt = 1; ; attempt++) {
      let items: Item[];
      try {
        items = await queryAll(this.doc, {
          TableName: this.tableName,
          KeyConditionExpression: `pk = :pk AND ${condition}`,
          ExpressionAttributeValues: { ':pk': namespacePk(cluster, namespace), ':bound': bound },
          ConsistentRead: true,
        });
      } catch (error) {
        throw storeError(`query of ${cluster}/${namespace}`, error);
      }
      try {
        return readPartition(items);
      } catch (error) {
        if (!(error instanceof RetryableError) || attempt >= 2) throw error;
      }
    }
  }

  /**
   * `floored`: an upsert event (not a snapshot's record): refused below the snapshot floor when it creates the entry (snapshot-floor.ts).
   * `ret`: a pod tombstone whose pod returns, observed then (docs/adr/0019).
   */
  private async putEntry(pk: string, key: string, v: string, record: PodRecord | ServiceRecord | undefined, changes: Changes, floored = false, ret?: number): Promise<void> {
    const r = record === undefined ? undefined : canonicalJson(record);
    const returning = r === undefined && ret !== undefined;
    let old: Item | undefined;
    try {
      const res = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: r !== undefined ? { pk, sk: key, v, r } : returning ? { pk, sk: key, v, ret } : { pk, sk: key, v },
          ConditionExpression: r !== undefined ? RECORD_IS_NEWER : returning ? RETURNING_TOMBSTONE_IS_NEWER : TOMBSTONE_IS_NEWER,
          ExpressionAttributeNames: returning ? { '#v': 'v', '#r': 'r', '#ret': 'ret' } : { '#v': 'v', '#r': 'r' },
          ExpressionAttributeValues: r !== undefined ? { ':v': v, ':r': r } : returning ? { ':v': v, ':ret': ret } : { ':v': v },
          ReturnValues: 'ALL_OLD',
        }),
      );
      old = res.Attributes;
    } catch (error) {
      if (isConditionalFailure(error)) return;
      throw storeError(`write of ${pk} ${key}`, error);
    }
    // A new entry older than the newest snapshot: the snapshot said the key was gone, or brings its record itself.
    if (floored && old === undefined && r !== undefined && (await refuseBelowFloor(this.doc, this.tableName, pk, key, v, r))) return;
    changes.changed = true;
    changes.entry(key, old === undefined ? undefined : entryOf(old).record, record);
  }

  private async mergeSnapshot(pk: string, s: NamespaceSnapshot, changes: Changes): Promise<void> {
    const [head, ...more] = encodeKeys(s.keys, this.chunkBytes);
    try {
      // Large key lists: the extra chunks first, so a header never points at missing ones.
      await mapLimit(more, PARALLEL_WRITES, (lk, i) =>
        this.doc.send(new PutCommand({ TableName: this.tableName, Item: { pk, sk: snapshotChunkSk(s.v, i + 1), lk } })),
      );
    } catch (error) {
      throw storeError(`write of snapshot ${s.v} key chunks of ${pk}`, error);
    }
    let old: Item | undefined;
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: SNAPSHOT_SK },
          UpdateExpression: 'SET #v = :v, #sid = :sid, #lk = :lk, #nch = :nch, #dn = if_not_exists(#dn, :empty)',
          ConditionExpression: SNAPSHOT_IS_NEWER,
          ExpressionAttributeNames: { '#v': 'v', '#sid': 'sid', '#lk': 'lk', '#nch': 'nch', '#dn': 'dn', '#p': String(s.part) },
          ExpressionAttributeValues: { ':v': s.v, ':sid': s.snapshotId, ':lk': head, ':nch': more.length + 1, ':empty': {} },
          ReturnValues: 'ALL_OLD',
        }),
      );
      old = res.Attributes;
    } catch (error) {
      if (isConditionalFailure(error)) return; // an older snapshot, or this part again: nothing to do
      throw storeError(`write of snapshot ${s.v} of ${pk}`, error);
    }
    changes.changed = true;
    const records: { key: string; v: string; record: PodRecord | ServiceRecord }[] = [
      ...s.pods.map((p) => ({ key: entryKey('pod', p.record.name), v: p.v, record: p.record })),
      ...s.services.map((p) => ({ key: entryKey('service', p.record.name), v: p.v, record: p.record })),
    ];
    await mapLimit(records, PARALLEL_WRITES, (e) => this.putEntry(pk, e.key, e.v, e.record, changes));
    const firstPart = old === undefined || String(old.v) < s.v || !Object.values((old.dn ?? {}) as Record<string, string>).includes(s.v);
    if (firstPart) await this.afterNewSnapshot(pk, s, old, changes);
    try {
      const res = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk, sk: SNAPSHOT_SK },
          UpdateExpression: 'SET #dn.#p = :v',
          ConditionExpression: '#v = :v',
          ExpressionAttributeNames: { '#v': 'v', '#dn': 'dn', '#p': String(s.part) },
          ExpressionAttributeValues: { ':v': s.v },
          ReturnValues: 'ALL_NEW',
        }),
      );
      // Every part of this snapshot merged: the member's view is whole as of s.v (ADR 14).
      const done = (res.Attributes?.dn ?? {}) as Record<string, unknown>;
      let merged = 0;
      for (let p = 1; p <= s.parts; p++) if (done[String(p)] === s.v) merged++;
      if (merged === s.parts) changes.completedSnapshot = s.v;
    } catch (error) {
      if (!isConditionalFailure(error)) throw storeError(`write of snapshot ${s.v} part mark of ${pk}`, error);
    }
  }

  /**
   * The first part of a newer snapshot: report every entry whose visibility changed, delete
   * the entries that can never be visible again (older than the snapshot, not listed) and
   * the key chunks of older snapshots. When the previous snapshot is unknown (a redelivery
   * after a crash overwrote it), every record is reported: a superset is always safe.
   */
  private async afterNewSnapshot(pk: string, s: NamespaceSnapshot, old: Item | undefined, changes: Changes): Promise<void> {
    let items: Item[];
    try {
      items = await queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      });
    } catch (error) {
      throw storeError(`query of ${pk} after snapshot ${s.v}`, error);
    }
    const listed = new Set(s.keys);
    const previous = previousSnapshot(old, s.v, items);
    const deletes: { sk: string; v?: string }[] = [];
    for (const item of items) {
      const sk = item.sk as string;
      if (sk.startsWith(`${SNAPSHOT_SK}/`)) {
        const v = sk.slice(SNAPSHOT_SK.length + 1).split('/')[0] ?? '';
        if (v < s.v) deletes.push({ sk });
        continue;
      }
      if (!isEntrySk(sk)) continue;
      const entry = entryOf(item);
      const now = isVisible(sk, entry, s.v, listed);
      const before = previous === 'unknown' ? entry.record !== undefined : isVisible(sk, entry, previous?.v, previous?.listed ?? new Set());
      if (now !== before || (previous === 'unknown' && entry.record !== undefined)) changes.entry(sk, entry.record);
      if (entry.v < s.v && !listed.has(sk)) deletes.push({ sk, v: entry.v });
    }
    await mapLimit(deletes, PARALLEL_WRITES, async (d) => {
      try {
        await this.doc.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk, sk: d.sk },
            ...(d.v === undefined
              ? {}
              : { ConditionExpression: '#v = :v', ExpressionAttributeNames: { '#v': 'v' }, ExpressionAttributeValues: { ':v': d.v } }),
          }),
        );
      } catch (error) {
        if (!isConditionalFailure(error)) throw storeError(`garbage collection of ${pk} ${d.sk}`, error);
      }
    });
  }
}

function previousSnapshot(old: Item | undefined, v: string, items: readonly Item[]): StoredSnapshot | undefined | 'unknown' {
  if (old === undefined || typeof old.v !== 'string') return undefined;
  if (old.v >= v) return 'unknown';
  const chunks = snapshotChunks(old, items);
  if (chunks === undefined) return 'unknown';
  try {
    return { v: old.v, listed: decodeKeys(chunks) };
  } catch {
    return 'unknown';
  }
}
