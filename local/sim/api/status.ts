// Kubernetes `Status` bodies and the error that carries one (the shapes of apimachinery's
// k8s.io/apimachinery/pkg/api/errors, so clients read them exactly as from a real server).
import type { ResourceDef } from './resources.ts';

export interface StatusCause {
  readonly reason: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export interface StatusBody {
  readonly kind: 'Status';
  readonly apiVersion: 'v1';
  readonly metadata: Record<string, never>;
  readonly status: 'Failure' | 'Success';
  readonly message: string;
  readonly reason: string;
  readonly details?: StatusDetails;
  readonly code: number;
}

/** An API request that fails with a Status: the handler answers `code` with `body`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly body: StatusBody;
  constructor(code: number, reason: string, message: string, details?: StatusDetails, options?: { cause?: unknown }) {
    super(message, options);
    this.body = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
  }
  get code(): number {
    return this.body.code;
  }
}

/** `pods`, `endpointslices.discovery.k8s.io`: how the server names a resource in messages. */
export function qualifiedResource(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

function resourceDetails(def: ResourceDef, name: string): StatusDetails {
  return { name, ...(def.group ? { group: def.group } : {}), kind: def.plural };
}

export function notFound(def: ResourceDef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualifiedResource(def)} "${name}" not found`, resourceDetails(def, name));
}

export function alreadyExists(def: ResourceDef, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualifiedResource(def)} "${name}" already exists`, resourceDetails(def, name));
}

export function conflict(def: ResourceDef, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(def)} "${name}": ${why}`, resourceDetails(def, name));
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function forbidden(def: ResourceDef, name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `${qualifiedResource(def)} "${name}" is forbidden: ${why}`, resourceDetails(def, name));
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

export function pathNotFound(): ApiError {
  return new ApiError(404, 'NotFound', 'the server could not find the requested resource');
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json, application/strategic-merge-patch+json (got ${JSON.stringify(contentType)})`);
}

export function tooManyRequests(): ApiError {
  return new ApiError(429, 'TooManyRequests', 'The server has received too many requests and has asked us to try again later', { retryAfterSeconds: 1 });
}

export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ reason: 'UnexpectedServerResponse', message }] });
}

// ---------------------------------------------------------------------------------------------
// Field errors (k8s.io/apimachinery/pkg/util/validation/field) and the 422 Invalid status.

export interface FieldError {
  readonly type: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueDuplicate' | 'FieldValueNotSupported' | 'FieldValueTooMany' | 'FieldValueForbidden' | 'FieldValueTooLong';
  readonly field: string;
  /** The error without the field: `Invalid value: "x": detail`. */
  readonly body: string;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export const fieldErr = {
  invalid(field: string, value: unknown, detail: string): FieldError {
    return { type: 'FieldValueInvalid', field, body: `Invalid value: ${show(value)}${detail ? `: ${detail}` : ''}` };
  },
  required(field: string, detail = ''): FieldError {
    return { type: 'FieldValueRequired', field, body: `Required value${detail ? `: ${detail}` : ''}` };
  },
  duplicate(field: string, value: unknown): FieldError {
    return { type: 'FieldValueDuplicate', field, body: `Duplicate value: ${show(value)}` };
  },
  notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
    return { type: 'FieldValueNotSupported', field, body: `Unsupported value: ${show(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}` };
  },
  tooMany(field: string, actual: number, max: number): FieldError {
    return { type: 'FieldValueTooMany', field, body: `Too many: ${actual}: must have at most ${max} items` };
  },
  forbidden(field: string, detail: string): FieldError {
    return { type: 'FieldValueForbidden', field, body: `Forbidden: ${detail}` };
  },
  immutable(field: string, value: unknown): FieldError {
    return { type: 'FieldValueInvalid', field, body: `Invalid value: ${show(value)}: field is immutable` };
  },
};

/** 422 Invalid, as `errors.NewInvalid(kind, name, errs)` builds it. */
export function invalid(def: ResourceDef, name: string, errors: readonly FieldError[]): ApiError {
  const qualifiedKind = def.group ? `${def.kind}.${def.group}` : def.kind;
  const parts = errors.map((e) => `${e.field}: ${e.body}`);
  const summary = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
    name,
    ...(def.group ? { group: def.group } : {}),
    kind: def.kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  });
}
