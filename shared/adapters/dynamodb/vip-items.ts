// The two item types of VIP allocation and their single-item conditional writes
// (docs/adr/0004-vip-allocation.md). Every function here is one request.
//
//   VIP item      pk `vips`, sk vipSk(addr): { addr, owner?, claimedAt?, freeAt?, lastOwner? }
//                 held while `owner` is set; quarantined until `freeAt` after a release
//   identity item pk `ids/<gns>`, sk `<cluster>/<namespace>/<pod>`: { vip, boundAt, goneSince?, movedFrom? }
//                 the binding: the one VIP of this identity; `gonePk`/`goneSk` while gone;
//                 `movedFrom`: the address outside the pool it was moved from (vipPool changed)
import { DeleteCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { identityKey } from '../../core/identity.ts';
import type { VipIdentity } from '../../core/types.ts';
import { isConditionalFailure, storeError } from './client.ts';
import type { Item } from './client.ts';
import { GONE_PARTITION, goneSk, identitiesPk, identitySk, VIPS_PK, vipSk } from './keys.ts';

export interface VipTable {
  readonly doc: DynamoDBDocumentClient;
  readonly tableName: string;
}

export function identityItemKey(id: VipIdentity): { pk: string; sk: string } {
  return { pk: identitiesPk(id.gns), sk: identitySk(id.cluster, id.namespace, id.pod) };
}

export function vipItemKey(addr: string): { pk: string; sk: string } {
  return { pk: VIPS_PK, sk: vipSk(addr) };
}

const NAMES = {
  '#addr': 'addr', '#owner': 'owner', '#claimedAt': 'claimedAt', '#freeAt': 'freeAt', '#lastOwner': 'lastOwner',
  '#vip': 'vip', '#boundAt': 'boundAt', '#goneSince': 'goneSince', '#gonePk': 'gonePk', '#goneSk': 'goneSk', '#movedFrom': 'movedFrom',
} as const;

function names(expression: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(NAMES)) if (expression.includes(k)) out[k] = v;
  return out;
}

/** One conditional UpdateItem; `undefined` when the condition failed. */
async function update(t: VipTable, key: Item, set: string, condition: string, values: Item, what: string, returnOld = false): Promise<Item | undefined> {
  try {
    const res = await t.doc.send(
      new UpdateCommand({
        TableName: t.tableName,
        Key: key,
        UpdateExpression: set,
        ConditionExpression: condition,
        ExpressionAttributeNames: names(`${set} ${condition}`),
        ExpressionAttributeValues: values,
        ReturnValues: returnOld ? 'ALL_OLD' : 'NONE',
      }),
    );
    return res.Attributes ?? {};
  } catch (error) {
    if (isConditionalFailure(error)) return undefined;
    throw storeError(what, error);
  }
}

/**
 * Write 1 of an allocation: take `addr` for `owner` unless another identity holds it or it
 * is quarantined for someone else. Idempotent for the same owner. Returns the previous item
 * (empty when there was none), or undefined when the address is not available.
 */
export function claimVip(t: VipTable, addr: string, owner: string, now: number): Promise<Item | undefined> {
  return update(
    t,
    vipItemKey(addr),
    'SET #addr = :addr, #owner = :owner, #claimedAt = :now REMOVE #freeAt, #lastOwner',
    '(attribute_not_exists(#owner) AND (attribute_not_exists(#freeAt) OR #freeAt <= :now OR #lastOwner = :owner)) OR #owner = :owner',
    { ':addr': addr, ':owner': owner, ':now': now },
    `claim of VIP ${addr}`,
    true,
  );
}

/** Give back a claim that lost the race to bind (the identity is bound elsewhere), restoring a quarantine it overrode. */
export async function unclaimVip(t: VipTable, addr: string, owner: string, previous: Item): Promise<void> {
  if (typeof previous.freeAt === 'number' && typeof previous.lastOwner === 'string') {
    await update(t, vipItemKey(addr), 'SET #freeAt = :freeAt, #lastOwner = :last REMOVE #owner, #claimedAt', '#owner = :owner',
      { ':freeAt': previous.freeAt, ':last': previous.lastOwner, ':owner': owner }, `unclaim of VIP ${addr}`);
    return;
  }
  try {
    await t.doc.send(new DeleteCommand({
      TableName: t.tableName, Key: vipItemKey(addr), ConditionExpression: '#owner = :owner',
      ExpressionAttributeNames: { '#owner': 'owner' }, ExpressionAttributeValues: { ':owner': owner },
    }));
  } catch (error) {
    if (!isConditionalFailure(error)) throw storeError(`unclaim of VIP ${addr}`, error);
  }
}

/** Write 2 of an allocation: bind the identity to `addr` unless it is bound to another VIP. True when bound to `addr`. */
export async function bindIdentity(t: VipTable, id: VipIdentity, addr: string, now: number): Promise<boolean> {
  const done = await update(t, identityItemKey(id),
    'SET #vip = :addr, #boundAt = if_not_exists(#boundAt, :now) REMOVE #goneSince, #gonePk, #goneSk',
    'attribute_not_exists(#vip) OR #vip = :addr', { ':addr': addr, ':now': now }, `binding of ${identityKey(id)}`);
  return done !== undefined;
}

/**
 * Write 2 of a move into the pool: re-bind the identity from `from` (outside the pool) to
 * `addr`, which it holds; idempotent; also when a release deleted the binding meanwhile. The
 * identity is present (it is being ensured): its gone mark is cleared. False when it is bound
 * to a third address (a concurrent move chose another one).
 */
export async function rebindIdentity(t: VipTable, id: VipIdentity, from: string, addr: string, now: number): Promise<boolean> {
  const done = await update(t, identityItemKey(id),
    'SET #vip = :addr, #boundAt = :now, #movedFrom = :from REMOVE #goneSince, #gonePk, #goneSk',
    'attribute_not_exists(#vip) OR #vip = :from OR #vip = :addr', { ':addr': addr, ':from': from, ':now': now }, `re-binding of ${identityKey(id)}`);
  return done !== undefined;
}

/** The identity came back: clear its gone mark. False when it was released meanwhile (allocate again). */
export async function markPresent(t: VipTable, id: VipIdentity, vip: string): Promise<boolean> {
  const done = await update(t, identityItemKey(id), 'REMOVE #goneSince, #gonePk, #goneSk', '#vip = :vip AND attribute_exists(#goneSince)',
    { ':vip': vip }, `presence mark of ${identityKey(id)}`);
  return done !== undefined;
}

/** The identity's pod is gone since `now` (kept when already marked earlier). */
export async function markGone(t: VipTable, id: VipIdentity, now: number): Promise<boolean> {
  const done = await update(t, identityItemKey(id), 'SET #goneSince = :now, #gonePk = :gone, #goneSk = :goneSk',
    'attribute_exists(#vip) AND attribute_not_exists(#goneSince)',
    { ':now': now, ':gone': GONE_PARTITION, ':goneSk': goneSk(now, identityKey(id)) }, `gone mark of ${identityKey(id)}`);
  return done !== undefined;
}

/** Release write 1: drop the binding if the identity is still gone since the same time. */
export async function unbindIdentity(t: VipTable, id: VipIdentity, vip: string, goneSince: number): Promise<boolean> {
  try {
    await t.doc.send(new DeleteCommand({
      TableName: t.tableName, Key: identityItemKey(id),
      ConditionExpression: '#vip = :vip AND #goneSince = :g',
      ExpressionAttributeNames: { '#vip': 'vip', '#goneSince': 'goneSince' },
      ExpressionAttributeValues: { ':vip': vip, ':g': goneSince },
    }));
    return true;
  } catch (error) {
    if (isConditionalFailure(error)) return false;
    throw storeError(`release of ${identityKey(id)}`, error);
  }
}

/**
 * Release write 2 (and the sweeper's one write): quarantine the VIP until `freeAt` if `owner`
 * still holds it under the same claim — `claimedAt` equal to what the sweeper read, or for a
 * release no later than the time the pod went (a claim renewed since then means the identity
 * came back and is being bound again: leave it).
 */
export async function quarantineVip(t: VipTable, addr: string, owner: string, freeAt: number, claim: { readonly claimedAt: number } | { readonly claimedBy: number }): Promise<boolean> {
  const exact = 'claimedAt' in claim;
  const done = await update(t, vipItemKey(addr), 'SET #freeAt = :freeAt, #lastOwner = :owner REMOVE #owner, #claimedAt',
    exact ? '#owner = :owner AND #claimedAt = :claimedAt' : '#owner = :owner AND #claimedAt <= :claimedAt',
    { ':freeAt': freeAt, ':owner': owner, ':claimedAt': exact ? claim.claimedAt : claim.claimedBy }, `quarantine of VIP ${addr}`);
  return done !== undefined;
}

export async function getIdentity(t: VipTable, id: VipIdentity): Promise<Item | undefined> {
  try {
    const res = await t.doc.send(new GetCommand({ TableName: t.tableName, Key: identityItemKey(id), ConsistentRead: true }));
    return res.Item;
  } catch (error) {
    throw storeError(`read of ${identityKey(id)}`, error);
  }
}
