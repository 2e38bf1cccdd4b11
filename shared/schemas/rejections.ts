// Why the ingest refuses an event, as a small fixed set: the `Reason` dimension of the
// EventsRejected metric (functions/metrics.ts) and one line per reason on the dashboard. The
// dead letter itself carries the full one-line reason; this only sorts it.
//
//   malformed       not JSON, not an object, or an EventBridge envelope that does not parse
//   unknown-type    a detail-type this version does not accept (e.g. a newer agent's)
//   wrong-source    a source that is no agent's, or that speaks for another cluster than the detail's
//   schema          a detail that breaks the contract (a missing or wrongly typed field)
//   oversize        a detail above a size limit of the contract (a string or list too long)
//   wrong-account   an account that may not speak for the event's cluster (functions/ingest/admission.ts)
//   future-version  a version further ahead of the ingest's clock than the skew allowed
//   unmergeable     valid, but the store refuses it for good (a FinalError of the merge)
export const REJECTION_REASONS = [
  'malformed', 'unknown-type', 'wrong-source', 'schema', 'oversize', 'wrong-account', 'future-version', 'unmergeable',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];
