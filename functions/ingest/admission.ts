// Who may speak for a cluster, and how far ahead its versions may be (issue 11, findings 2 and
// 3; docs/security.md). Checked by the ingest after the contract (shared/schemas/parse.ts: the
// detail is valid and its source names its own cluster), live and replayed events alike:
//
//   - the envelope's `account` must be the account configured for the cluster (`awsAccountId`)
//     or, without one, the deployment's own: another account's principal, even one the bus
//     policy lets in for its own clusters, cannot speak for this one;
//   - the version must be at most the skew S ahead of the ingest's clock (default 5 minutes): a
//     version far in the future would win every merge of its cluster until the clock caught up.
//
// A refused event goes to the dead-letter queue with the reason; nothing is merged.
import type { GnsEvent } from '../../shared/schemas/events.ts';
import type { RejectionReason } from '../../shared/schemas/rejections.ts';
import { DEFAULT_MAX_CLOCK_SKEW_MS, versionTooFarAhead } from '../../shared/core/version-bound.ts';

export interface AdmissionPolicy {
  /** The clock skew S tolerated (ms); default DEFAULT_MAX_CLOCK_SKEW_MS. */
  readonly maxSkewMs?: number;
  /** The account a cluster's events must come from; undefined: the account is not checked (unit tests). */
  readonly accountOf?: (cluster: string) => string | undefined;
}

export interface Refusal {
  readonly kind: Extract<RejectionReason, 'wrong-account' | 'future-version'>;
  readonly reason: string;
}

/** Why an event that passed the contract is refused, or undefined when it is admitted. */
export function admissionProblem(event: GnsEvent, account: string | undefined, nowMs: number, policy: AdmissionPolicy): Refusal | undefined {
  const cluster = event.detail.cluster;
  const expected = policy.accountOf?.(cluster);
  if (expected !== undefined && account !== expected) {
    return { kind: 'wrong-account', reason: `account: ${account === undefined ? 'none' : JSON.stringify(account)} may not speak for cluster ${JSON.stringify(cluster)}, whose events come from account ${expected} (config awsAccountId, else the deployment's)` };
  }
  const ahead = versionTooFarAhead(event.detail.v, nowMs, policy.maxSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS);
  return ahead === undefined ? undefined : { kind: 'future-version', reason: `detail.v: ${ahead}; the agent's clock or its events are wrong` };
}

/** The expected account of each cluster: its own `awsAccountId`, else the deployment's. */
export function accountsOf(clusters: readonly { readonly name: string; readonly awsAccountId?: string }[], home: string): (cluster: string) => string | undefined {
  const own = new Map(clusters.map((c) => [c.name, c.awsAccountId ?? home] as const));
  return (cluster) => own.get(cluster) ?? home;
}
