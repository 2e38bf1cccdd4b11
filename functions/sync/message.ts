// The sync queue's message contract (docs/adr/0005-queues.md): one message per (cause,
// target). Producers (the SQS adapter, the local queue) and the sync function share it.
//
//   body                    {"v":1,"target":{gns,cluster,namespace,name},"cause":"<event id>"}
//   MessageGroupId          the target key (hashed when longer than SQS's 128 characters)
//   MessageDeduplicationId  sha256(cause, target key): a redelivered event enqueues nothing new
import { createHash } from 'node:crypto';
import * as z from 'zod'; // the namespace import lets esbuild drop what is unused (`{ z }` keeps all of zod: ADR 10)
import { ClusterNameSchema, NamespaceNameSchema } from '../../shared/schemas/events.ts';
import { targetKey } from '../../shared/core/identity.ts';
import type { TargetRef } from '../../shared/core/types.ts';

const NameSchema = z.string().min(1).max(253).regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a DNS-1123 subdomain');
const GnsNameSchema = z.string().min(1).max(253).regex(/^[^/\s]+$/, 'must be non-empty, without "/" or spaces');

export const TargetRefSchema = z.strictObject({
  gns: GnsNameSchema,
  cluster: ClusterNameSchema,
  namespace: NamespaceNameSchema,
  name: NameSchema,
});

export const SyncMessageSchema = z.strictObject({
  v: z.literal(1),
  target: TargetRefSchema,
  cause: z.string().min(1).max(1024),
});
export type SyncMessage = z.infer<typeof SyncMessageSchema>;

export function encodeSyncMessage(target: TargetRef, cause: string): string {
  const message: SyncMessage = {
    v: 1,
    target: { gns: target.gns, cluster: target.cluster, namespace: target.namespace, name: target.name },
    cause,
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
  const parsed = SyncMessageSchema.safeParse(raw);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const path = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  return { ok: false, reason: `${path}: ${issue?.message ?? 'invalid sync message'}` };
}

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
