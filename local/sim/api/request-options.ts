// Request options a real server refuses before it looks at the object (apiserver
// endpoints/handlers: ValidateCreateOptions & co. answer 422 for a dryRun other than "All";
// registry/rest BeforeCreate answers 400 for a resourceVersion on a create).
import { isPlainObject } from './objects.ts';
import { ApiError } from './status.ts';

const OPTIONS_KIND: Readonly<Record<string, string>> = { POST: 'CreateOptions', PUT: 'UpdateOptions', PATCH: 'PatchOptions', DELETE: 'DeleteOptions' };

/** Whether the write is a dry run; throws 422 for dryRun values other than "All". */
export function dryRunOf(method: string, q: URLSearchParams): boolean {
  const values = q.getAll('dryRun');
  const kind = OPTIONS_KIND[method];
  if (kind === undefined || values.length === 0) return false;
  if (values.every((v) => v === 'All')) return true;
  const message = `Unsupported value: ${JSON.stringify(values)}: supported values: "All"`;
  throw new ApiError(422, 'Invalid', `${kind}.meta.k8s.io "" is invalid: dryRun: ${message}`, {
    group: 'meta.k8s.io', kind, name: '', causes: [{ reason: 'FieldValueNotSupported', message, field: 'dryRun' }],
  });
}

/** A create may not carry metadata.resourceVersion. */
export function refuseResourceVersionOnCreate(body: unknown): void {
  const rv = isPlainObject(body) && isPlainObject(body.metadata) ? body.metadata.resourceVersion : undefined;
  if (rv !== undefined && rv !== null && rv !== '') throw new ApiError(400, 'BadRequest', 'resourceVersion should not be set on objects to be created');
}
