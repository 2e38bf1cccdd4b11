// What the agent publishes of a projection the contract would reject (issue 10, case 5). A
// Service over a contract limit (an annotation over 64 KiB, more ports than allowed) is not
// absent: publishing nothing would delete it from the store, and the functions would remove
// the slices it published while it was valid. Instead the agent publishes the Service without
// its annotations and ports, with `problem` saying what is wrong, so the target is invalid
// for that reason, keeps what it published, and is warned about (functions/sync/invalid.ts).
// A pod the contract rejects is still treated as absent.
import type { ServiceRecord } from '../shared/core/types.ts';
import { MAX_ANNOTATION_CHARS, MAX_SERVICE_PORTS, PodRecordSchema, ServiceRecordSchema } from '../shared/schemas/events.ts';
import type { Projection } from './suppress.ts';

export type Publishable =
  | { readonly ok: true; readonly projection: Projection; readonly problem?: string }
  | { readonly ok: false; readonly reason: string };

function firstIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid' : `${issue.path.map(String).join('.')}: ${issue.message}`;
}

/** Why a Service cannot be published as it is, in words a user can act on. */
export function serviceProblem(record: ServiceRecord, fallback: string): string {
  for (const [key, value] of Object.entries(record.annotations)) {
    if (value.length > MAX_ANNOTATION_CHARS) {
      return `annotation ${key} has ${value.length} characters, more than the ${MAX_ANNOTATION_CHARS} gns-sync publishes; shorten it`;
    }
  }
  if (record.ports.length > MAX_SERVICE_PORTS) {
    return `the Service has ${record.ports.length} ports, more than the ${MAX_SERVICE_PORTS} gns-sync publishes; publish fewer ports`;
  }
  return `the agent cannot publish it (${fallback})`;
}

/** The projection to publish: as is, a Service marked with its problem, or nothing (`ok: false`). */
export function publishable(projection: Projection): Publishable {
  if (projection.kind === 'pod') {
    const result = PodRecordSchema.safeParse(projection.record);
    return result.success ? { ok: true, projection } : { ok: false, reason: firstIssue(result.error) };
  }
  const result = ServiceRecordSchema.safeParse(projection.record);
  if (result.success) return { ok: true, projection };
  const { record } = projection;
  const problem = serviceProblem(record, firstIssue(result.error)).slice(0, 1024);
  const marked: ServiceRecord = { name: record.name, uid: record.uid, annotations: {}, publishNotReadyAddresses: record.publishNotReadyAddresses, ports: [], problem };
  const check = ServiceRecordSchema.safeParse(marked);
  return check.success ? { ok: true, projection: { kind: 'service', record: marked }, problem } : { ok: false, reason: firstIssue(result.error) };
}
