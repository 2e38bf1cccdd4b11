// The sync queue's message contract (docs/adr/0005-queues.md): one message per (cause,
// target). Producers (the SQS adapter, the local queue) and the sync function share it.
// With routing: istio, a second kind names a gateway-entry writer (docs/adr/0013):
//   body {"v":1,"routing":{gns,cluster},"cause":"…"}, group `routing:gns/cluster`.
//
//   body                    {"v":1,"target":{gns,cluster,namespace,name},"cause":"<event id>","observedAt":<ms>}
//                           observedAt: the earliest agent observation among the causes (v2 events), when known
//                           mv (optional): the GNS's member versions after the change (ADR 16)
//   MessageGroupId          the target key (hashed when longer than SQS's 128 characters)
//   MessageDeduplicationId  sha256(cause, target key): a redelivered event enqueues nothing new
import { createHash } from 'node:crypto';
import * as z from 'zod'; // the namespace import lets esbuild drop what is unused (`{ z }` keeps all of zod: ADR 10)
import { ClusterNameSchema, NamespaceNameSchema } from '../../shared/schemas/events.ts';
import { targetKey } from '../../shared/core/identity.ts';
import type { RoutingKey } from '../../shared/core/routing/types.ts';
import type { TargetRef } from '../../shared/core/types.ts';

const NameSchema = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain');
const GnsNameSchema = z.string().min(1).max(253).regex(/^[^/\s]+$/, 'must be non-empty, without "/" or spaces');

export const TargetRefSchema = z.strictObject({
  gns: GnsNameSchema,
  cluster: ClusterNameSchema,
  namespace: NamespaceNameSchema,
  name: NameSchema,
});

/** Member versions (`cluster/namespace` → counter) that show the change a message is for (docs/adr/0016). */
const MemberVersionsSchema = z.record(z.string().min(3).max(400), z.number().int().nonnegative()).refine((r) => Object.keys(r).length <= 1000, 'at most 1000 members');

export const TargetSyncMessageSchema = z.strictObject({
  v: z.literal(1),
  target: TargetRefSchema,
  cause: z.string().min(1).max(1024),
  /** When an agent observed the earliest change behind this message (ms since the epoch); absent for v1 causes. */
  observedAt: z.number().int().nonnegative().optional(),
  mv: MemberVersionsSchema.optional(),
});

/** The gateway-entry writer of one GNS's pods in one source cluster (docs/adr/0013-routing-through-istio.md). */
export const RoutingSyncMessageSchema = z.strictObject({
  v: z.literal(1),
  routing: z.strictObject({ gns: GnsNameSchema, cluster: ClusterNameSchema }),
  cause: z.string().min(1).max(1024),
});

export const SyncMessageSchema = z.union([TargetSyncMessageSchema, RoutingSyncMessageSchema]);
export type SyncMessage = z.infer<typeof SyncMessageSchema>;
export type TargetSyncMessage = z.infer<typeof TargetSyncMessageSchema>;
export type RoutingSyncMessage = z.infer<typeof RoutingSyncMessageSchema>;

export function encodeSyncMessage(target: TargetRef, cause: string, observedAt?: number, versions?: ReadonlyMap<string, number>): string {
  const message: SyncMessage = {
    v: 1,
    target: { gns: target.gns, cluster: target.cluster, namespace: target.namespace, name: target.name },
    cause,
    ...(observedAt === undefined ? {} : { observedAt }),
    ...(versions && versions.size > 0 ? { mv: Object.fromEntries([...versions].sort(([a], [b]) => (a < b ? -1 : 1))) } : {}),
  };
  return JSON.stringify(message);
}

/** Parses a sync message body; a one-line reason naming the field when it is not one. */
export function decodeSyncMessage(body: string): { ok: true; message: SyncMessage } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `body: not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const isRouting = typeof raw === 'object' && raw !== null && 'routing' in raw;
  const parsed = (isRouting ? RoutingSyncMessageSchema : TargetSyncMessageSchema).safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  return { ok: false, reason: `${path}: ${issue?.message ?? 'invalid sync message'}` };
}

export function encodeRoutingMessage(key: RoutingKey, cause: string): string {
  const message: RoutingSyncMessage = { v: 1, routing: { gns: key.gns, cluster: key.cluster }, cause };
  return JSON.stringify(message);
}

/** `routing:gns/cluster`: never a target key (those have four parts). */
export const routingKeyText = (key: RoutingKey): string => `routing:${key.gns}/${key.cluster}`;

/** SQS FIFO group of a routing writer: its own, so it never waits behind, or races with, a target. */
export function routingMessageGroupId(key: RoutingKey): string {
  const text = routingKeyText(key);
  return text.length <= 128 ? text : `h:${sha256(text)}`;
}

export const routingDeduplicationId = (cause: string, key: RoutingKey): string => sha256(`${cause}\n${routingKeyText(key)}`);

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** SQS FIFO MessageGroupId: the target key, so one target is never synced twice at once. */
export function syncMessageGroupId(target: TargetRef): string {
  const key = targetKey(target);
  return key.length <= 128 ? key : `h:${sha256(key)}`;
}

/** SQS FIFO MessageDeduplicationId: the same cause for the same target is sent once (5 min window). */
export function syncDeduplicationId(cause: string, target: TargetRef): string {
  return sha256(`${cause}\n${targetKey(target)}`);
}
