// The functions' side of the event contract: one EventBridge event (as a rule target receives
// it) → a validated GnsEvent, or a one-line reason naming the field. Never throws on bad input:
// the caller sends the event to a dead-letter queue with the reason (docs/design.md §8).
import type { z } from 'zod';
import { ACCEPTED_DETAIL_TYPES, EventBridgeEnvelopeSchema, SOURCE_PREFIX, sourceOf, WIRE_SCHEMAS } from './events.ts';
import type { GnsEvent } from './events.ts';
import { describe, firstIssue, oneLine } from './issues.ts';
import type { RejectionReason } from './rejections.ts';

export type ParsedBusEvent =
  | { readonly ok: true; readonly event: GnsEvent; readonly id: string; readonly replayName?: string; readonly account?: string }
  | { readonly ok: false; readonly reason: string; readonly kind: RejectionReason };

const KNOWN_TYPES: ReadonlySet<string> = new Set(ACCEPTED_DETAIL_TYPES);

const fail = (kind: RejectionReason, reason: string): ParsedBusEvent => ({ ok: false, reason: oneLine(reason), kind });

/**
 * Whether the issue the reason names (issues.ts: an unknown key first, else the first) is a
 * length limit of the contract (a string or a list too long; not a number out of range).
 */
function isOversize(error: z.ZodError): boolean {
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  return issue?.code === 'too_big' && (issue.origin === 'string' || issue.origin === 'array' || issue.origin === 'set');
}

/**
 * Validates an EventBridge event: the envelope, then the detail against the schema its
 * `detail-type` names (v2, or v1 upgraded to the v2 kind), then that the source speaks for the detail's own cluster
 * (`gns-sync.io/cluster/<detail.cluster>`). `raw` may be the event object or its JSON text
 * (an SQS message body).
 */
export function parseBusEvent(raw: unknown): ParsedBusEvent {
  let input = raw;
  if (typeof raw === 'string') {
    try {
      input = JSON.parse(raw);
    } catch (error) {
      return fail('malformed', `event: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return fail('malformed', `event: expected an EventBridge event object, got ${describe(input)}`);
  }

  const envelope = EventBridgeEnvelopeSchema.safeParse(input, { reportInput: true });
  if (!envelope.success) return fail('malformed', firstIssue(envelope.error));
  const { id, source, 'detail-type': detailType, detail, 'replay-name': replayName, account } = envelope.data;

  if (!source.startsWith(SOURCE_PREFIX)) {
    return fail('wrong-source', `source: ${describe(source)} is not an agent source (expected ${SOURCE_PREFIX}<cluster>)`);
  }
  const wire = WIRE_SCHEMAS[detailType];
  if (wire === undefined || !KNOWN_TYPES.has(detailType)) {
    return fail('unknown-type', `detail-type: unknown detail type ${describe(detailType)} (expected one of ${[...KNOWN_TYPES].join(', ')})`);
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    return fail('schema', `detail: expected an object, got ${detail === undefined ? 'nothing' : describe(detail)}`);
  }

  const parsed = wire.schema.safeParse(detail, { reportInput: true });
  if (!parsed.success) return fail(isOversize(parsed.error) ? 'oversize' : 'schema', firstIssue(parsed.error, 'detail'));

  const cluster = (parsed.data as { cluster: string }).cluster;
  if (source !== sourceOf(cluster)) {
    return fail('wrong-source', `source: ${describe(source)} may not speak for cluster ${describe(cluster)} (detail.cluster); a cluster publishes only as ${SOURCE_PREFIX}<its own name>`);
  }

  // A v1 event is held as its v2 kind: it lacks only `observedAt` and the pods' `controller`,
  // which the held shape allows to be absent (unknown).
  const event = { type: wire.type, detail: parsed.data } as GnsEvent;
  return { ok: true, event, id, ...(replayName === undefined ? {} : { replayName }), ...(account === undefined ? {} : { account }) };
}
