// VIP allocation on DynamoDB with single-item conditional writes only (docs/design.md §6,
// docs/adr/0004-vip-allocation.md). A new VIP is two writes: claim the VIP item for the
// identity (write 1), then bind the identity item to it (write 2). The identity item is the
// truth about which VIP an identity has; the VIP item is the truth about who holds a VIP; an
// identity is bound only to a VIP it holds, so no VIP ever means two identities. Candidates
// come in the core's deterministic order (`vipCandidates`), so a retry after a crash between
// the two writes walks to the same claim and completes it; a claim left behind for good is
// an orphan that the sweeper quarantines. The clock is an argument, never read here.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isUsable, parseCidr } from '../../core/cidr.ts';
import type { Cidr } from '../../core/cidr.ts';
import { identityKey } from '../../core/identity.ts';
import type { VipIdentity } from '../../core/types.ts';
import type { PoolCounts } from '../../core/pool-usage.ts';
import { vipCandidates } from '../../core/vip-order.ts';
import { PoolExhaustedError, RetryableError } from '../../errors.ts';
import type { ReleaseOptions, VipAllocator, VipMove } from '../../ports.ts';
import { batchGet, documentClient, mapLimit, queryAll, storeError } from './client.ts';
import type { Item } from './client.ts';
import { GONE_PARTITION, goneSk, identitiesPk, VIPS_PK } from './keys.ts';
import { GONE_INDEX } from './table.ts';
import {
  bindIdentity, claimVip, getIdentity, identityItemKey, markGone, markPresent, quarantineVip, rebindIdentity, unbindIdentity, unclaimVip,
} from './vip-items.ts';
import type { VipTable } from './vip-items.ts';
import { sweepPool } from './vip-sweep.ts';
import { checkNow, checkReleaseOptions, identityOfItem, uniqueIdentities, validIdentityKey, VipInputError } from './vip-input.ts';

export { VipInputError } from './vip-input.ts';

export interface DynamoVipAllocatorOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The VIP pool, a CIDR block (config `vipPool`). */
  readonly pool: string;
  /** How long a pod must be gone before its VIP is released (config `vipReleaseAfter`). */
  readonly releaseAfterMs: number;
  /** How long a released VIP stays unusable by other identities; default: `releaseAfterMs`. */
  readonly quarantineMs?: number;
  /**
   * A claim older than this whose identity is not bound to it is an orphan (a crash between
   * the two writes, never retried). Must exceed the longest function run (Lambda: 15 min).
   */
  readonly orphanAfterMs?: number;
  /** Conditional claims tried before reading the pool to skip taken addresses; default 8. */
  readonly probeLimit?: number;
  /** Allocations in flight per call; default 8. */
  readonly concurrency?: number;
}

export const DEFAULT_ORPHAN_AFTER_MS = 20 * 60 * 1000;

/** Addresses unavailable to an allocation, by holder identity key (shared within one call). */
interface PoolView {
  unavailable: Map<string, string> | undefined;
  reading?: Promise<Map<string, string>>;
}

export class DynamoVipAllocator implements VipAllocator {
  private readonly t: VipTable;
  private readonly doc: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly cidr: Cidr;
  readonly pool: string;
  readonly releaseAfterMs: number;
  readonly quarantineMs: number;
  readonly orphanAfterMs: number;
  private readonly probeLimit: number;
  private readonly concurrency: number;

  constructor(options: DynamoVipAllocatorOptions) {
    this.cidr = parseCidr(options.pool);
    this.pool = options.pool;
    for (const [name, value] of Object.entries({ releaseAfterMs: options.releaseAfterMs, quarantineMs: options.quarantineMs, orphanAfterMs: options.orphanAfterMs })) {
      if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw new VipInputError(`${name} must be a non-negative number of milliseconds, got ${String(value)}`);
    }
    this.releaseAfterMs = options.releaseAfterMs;
    this.quarantineMs = options.quarantineMs ?? options.releaseAfterMs;
    this.orphanAfterMs = options.orphanAfterMs ?? DEFAULT_ORPHAN_AFTER_MS;
    this.probeLimit = options.probeLimit ?? 8;
    this.concurrency = options.concurrency ?? 8;
    this.doc = documentClient(options.client);
    this.tableName = options.tableName;
    this.t = { doc: this.doc, tableName: this.tableName };
  }

  async listGns(gns: string): Promise<ReadonlyMap<string, string>> {
    let items: Item[];
    try {
      items = await queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': identitiesPk(gns) },
        ConsistentRead: true,
      });
    } catch (error) {
      throw storeError(`query of the VIPs of GNS ${gns}`, error);
    }
    const out = new Map<string, string>();
    for (const item of items) if (typeof item.vip === 'string') out.set(item.sk as string, item.vip);
    return out;
  }

  async ensure(identities: readonly VipIdentity[], now: number, onMoved?: (move: VipMove) => void): Promise<ReadonlyMap<string, string>> {
    checkNow(now);
    const ids = uniqueIdentities(identities);
    const items = await this.readIdentities(ids);
    const result = new Map<string, string>();
    const toAllocate: VipIdentity[] = [];
    const toMove: { id: VipIdentity; from: string }[] = [];
    await mapLimit(ids, this.concurrency, async (id) => {
      const item = items.get(identityKey(id));
      const vip = typeof item?.vip === 'string' ? item.vip : undefined;
      if (vip === undefined) toAllocate.push(id);
      else if (!isUsable(this.cidr, vip)) toMove.push({ id, from: vip }); // vipPool changed: move it into the pool
      else if (item?.goneSince !== undefined && !(await markPresent(this.t, id, vip))) toAllocate.push(id); // released meanwhile
      else {
        result.set(identityKey(id), vip);
        if (typeof item?.movedFrom === 'string') onMoved?.({ identity: id, from: item.movedFrom, to: vip });
      }
    });
    const view: PoolView = { unavailable: undefined };
    let missing = 0;
    await mapLimit(toAllocate, this.concurrency, async (id) => {
      const vip = await this.allocate(id, now, view);
      if (vip === undefined) missing++;
      else result.set(identityKey(id), vip);
    });
    // A move is an allocation in the pool that re-binds from the old address (conditionally
    // on it), then quarantines the old address like a release. No room: the old VIP is kept.
    let unmoved = 0;
    await mapLimit(toMove, this.concurrency, async ({ id, from }) => {
      const key = identityKey(id);
      const vip = await this.allocate(id, now, view, from);
      if (vip === undefined) {
        unmoved++;
        result.set(key, from);
        return;
      }
      result.set(key, vip);
      if (vip !== from) await quarantineVip(this.t, from, key, now + this.quarantineMs, { claimedBy: now });
      if (isUsable(this.cidr, vip)) onMoved?.({ identity: id, from, to: vip });
    });
    if (missing > 0 || unmoved > 0) {
      const parts = [
        ...(missing > 0 ? [`${missing} pod(s) get no VIP (every usable address is held, or quarantined after a release); existing endpoints are kept`] : []),
        ...(unmoved > 0 ? [`${unmoved} VIP(s) outside it could not be moved into it and are kept`] : []),
      ];
      throw new PoolExhaustedError(this.pool, missing, {
        message: `VIP pool ${this.pool} is exhausted: ${parts.join('; ')}; widen vipPool in the config or wait for releases`,
      });
    }
    return result;
  }

  async markGone(identities: readonly VipIdentity[], now: number): Promise<void> {
    checkNow(now);
    await mapLimit(uniqueIdentities(identities), this.concurrency, (id) => markGone(this.t, id, now));
  }

  async releaseExpired(now: number, options: ReleaseOptions = {}): Promise<number> {
    checkNow(now);
    checkReleaseOptions(options);
    const cutoff = now - this.releaseAfterMs;
    let items: Item[];
    try {
      items = await queryAll(this.doc, {
        TableName: this.tableName,
        IndexName: GONE_INDEX,
        KeyConditionExpression: 'gonePk = :g AND goneSk < :upper',
        ExpressionAttributeValues: { ':g': GONE_PARTITION, ':upper': goneSk(cutoff + 1, '') },
      });
    } catch (error) {
      throw storeError('query of gone identities', error);
    }
    const released = await mapLimit(items, this.concurrency, async (item) => {
      const goneSince = item.goneSince as number;
      const vip = item.vip as string;
      if (!(goneSince <= cutoff) || typeof vip !== 'string') return 0;
      // A target still publishes it (a failing one, a cluster out of the config): it waits (ADR 4).
      if (options.published?.has(vip)) return 0;
      const id = identityOfItem(item);
      if (!(await unbindIdentity(this.t, id, vip, goneSince))) return 0; // back meanwhile, or released by another run
      await quarantineVip(this.t, vip, identityKey(id), now + this.quarantineMs, { claimedBy: goneSince });
      return 1;
    });
    const swept = await this.sweepOrphans(now, options);
    return released.reduce<number>((a, b) => a + b, 0) + swept;
  }

  /**
   * The sweeper (vip-sweep.ts): quarantine orphan claims older than `orphanAfterMs`; with
   * `configuredGns`, mark gone the bound holders of GNSs removed from the config. Returns how
   * many orphans were quarantined.
   */
  async sweepOrphans(now: number, options: ReleaseOptions = {}): Promise<number> {
    checkNow(now);
    checkReleaseOptions(options);
    const ctx = { t: this.t, orphanAfterMs: this.orphanAfterMs, quarantineMs: this.quarantineMs, concurrency: this.concurrency };
    const pool = await this.readPool();
    options.onPoolRead?.(this.countPool(pool, now));
    return sweepPool({ ...ctx, readIdentities: (ids) => this.readIdentities(ids) }, pool, now, options);
  }

  async adopt(entries: readonly { identity: VipIdentity; vip: string }[], now: number): Promise<void> {
    checkNow(now);
    const byIdentity = new Map<string, { identity: VipIdentity; vip: string }>();
    const byVip = new Map<string, string>();
    for (const e of entries) {
      const key = validIdentityKey(e.identity);
      if (typeof e.vip !== 'string' || !isUsable(this.cidr, e.vip)) {
        throw new VipInputError(`cannot adopt "${String(e.vip)}" for ${key}: not a usable address of the VIP pool ${this.pool}; nothing was adopted`);
      }
      const other = byVip.get(e.vip);
      if (other !== undefined && other !== key) {
        throw new VipInputError(`cannot adopt ${e.vip} for both ${other} and ${key}: one VIP never means two pods; nothing was adopted`);
      }
      const mine = byIdentity.get(key);
      if (mine !== undefined && mine.vip !== e.vip) {
        throw new VipInputError(`cannot adopt both ${mine.vip} and ${e.vip} for ${key}: an identity has one VIP; nothing was adopted`);
      }
      byIdentity.set(key, e);
      byVip.set(e.vip, key);
    }
    const items = await this.readIdentities([...byIdentity.values()].map((e) => e.identity));
    await mapLimit([...byIdentity], this.concurrency, async ([key, { identity, vip }]) => {
      if (typeof items.get(key)?.vip === 'string') return; // already has its VIP (whichever)
      const previous = await claimVip(this.t, vip, key, now);
      if (previous === undefined) return; // held by another identity: this one gets a fresh VIP at ensure
      if (!(await bindIdentity(this.t, identity, vip, now))) await unclaimVip(this.t, vip, key, previous);
    });
  }

  /**
   * Walk the identity's candidates: claim the first available, then bind (or, with `from`,
   * re-bind from that address outside the pool). Undefined when the pool is full.
   */
  private async allocate(id: VipIdentity, now: number, view: PoolView, from?: string): Promise<string | undefined> {
    const key = identityKey(id);
    let probes = 0;
    for (const addr of vipCandidates(id, this.cidr)) {
      if (probes >= this.probeLimit && view.unavailable === undefined) {
        view.reading ??= this.readUnavailable(now);
        view.unavailable = await view.reading;
      }
      const holder = view.unavailable?.get(addr);
      if (holder !== undefined && holder !== key) continue;
      probes++;
      const previous = await claimVip(this.t, addr, key, now);
      if (previous === undefined) {
        view.unavailable?.set(addr, '?');
        continue;
      }
      view.unavailable?.set(addr, key);
      if (await (from === undefined ? bindIdentity(this.t, id, addr, now) : rebindIdentity(this.t, id, from, addr, now))) return addr;
      // Bound meanwhile to another VIP (a concurrent allocation of the same identity): use that one.
      const bound = await getIdentity(this.t, id);
      await unclaimVip(this.t, addr, key, previous);
      if (typeof bound?.vip === 'string') return bound.vip;
      throw new RetryableError(`the binding of ${key} changed while allocating its VIP: the sync will be retried`);
    }
    return undefined;
  }

  private async readPool(): Promise<Item[]> {
    try {
      return await queryAll(this.doc, {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': VIPS_PK },
        ConsistentRead: true,
      });
    } catch (error) {
      throw storeError('query of the VIP pool', error);
    }
  }

  /** The configured pool's addresses held and in quarantine at `now` (addresses left outside it by a pool change do not count). */
  private countPool(items: readonly Item[], now: number): PoolCounts {
    let held = 0;
    let quarantined = 0;
    for (const v of items) {
      if (typeof v.addr !== 'string' || !isUsable(this.cidr, v.addr)) continue;
      if (typeof v.owner === 'string') held += 1;
      else if (typeof v.freeAt === 'number' && v.freeAt > now) quarantined += 1;
    }
    return { held, quarantined };
  }

  /** How many of the configured pool's addresses are held and in quarantine now (one read of the pool; `gns-sync status`). */
  async poolCounts(now: number): Promise<PoolCounts> {
    checkNow(now);
    return this.countPool(await this.readPool(), now);
  }

  /** Every address held, or quarantined at `now`, with its holder. */
  private async readUnavailable(now: number): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const v of await this.readPool()) {
      if (typeof v.owner === 'string') out.set(v.addr as string, v.owner);
      else if (typeof v.freeAt === 'number' && v.freeAt > now) out.set(v.addr as string, String(v.lastOwner ?? '?'));
    }
    return out;
  }

  /** Identity items by identity key (consistent reads). */
  private async readIdentities(ids: readonly VipIdentity[]): Promise<Map<string, Item>> {
    let items: Item[];
    try {
      items = await batchGet(this.doc, this.tableName, ids.map(identityItemKey));
    } catch (error) {
      if (error instanceof RetryableError) throw error;
      throw storeError('read of VIP identities', error);
    }
    const out = new Map<string, Item>();
    for (const item of items) out.set(identityKey(identityOfItem(item)), item);
    return out;
  }
}
