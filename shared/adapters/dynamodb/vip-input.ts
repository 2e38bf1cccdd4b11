// Input checks and item decoding of the VIP allocator: every identity and time is validated
// before any write, so bad input is a VipInputError and changes nothing.
import { identityKey } from '../../core/identity.ts';
import type { VipIdentity } from '../../core/types.ts';
import { FinalError } from '../../errors.ts';
import { ClusterNameSchema, DNS1123_SUBDOMAIN_RE, NamespaceNameSchema } from '../../schemas/events.ts';
import type { ReleaseOptions } from '../../ports.ts';
import type { Item } from './client.ts';

/** Bad input to the allocator (a malformed identity, an address outside the pool, a bad time): nothing was written. */
export class VipInputError extends FinalError {
  override readonly name: string = 'VipInputError';
}

export function identityOfItem(item: Item): VipIdentity {
  const gns = String(item.pk).slice('ids/'.length);
  const [cluster = '', namespace = '', pod = ''] = String(item.sk).split('/');
  return { gns, cluster, namespace, pod };
}

export function checkNow(now: number): void {
  if (!Number.isFinite(now) || now < 0) throw new VipInputError(`now must be milliseconds since the epoch, got ${String(now)}; nothing was written`);
}

export function validIdentityKey(id: VipIdentity): string {
  const problems: string[] = [];
  if (!ClusterNameSchema.safeParse(id?.gns).success) problems.push('gns must be a label value');
  if (!ClusterNameSchema.safeParse(id?.cluster).success) problems.push('cluster must be a label value');
  if (!NamespaceNameSchema.safeParse(id?.namespace).success) problems.push('namespace must be a DNS-1123 label');
  if (typeof id?.pod !== 'string' || !DNS1123_SUBDOMAIN_RE.test(id.pod) || id.pod.length > 253) problems.push('pod must be a DNS-1123 subdomain');
  if (problems.length > 0) {
    throw new VipInputError(`invalid VIP identity ${JSON.stringify(id)}: ${problems.join('; ')}; nothing was written`);
  }
  return identityKey(id);
}

/** Validated, deduplicated identities (all checked before any write). */
export function uniqueIdentities(identities: readonly VipIdentity[]): VipIdentity[] {
  if (!Array.isArray(identities)) throw new VipInputError('identities must be an array; nothing was written');
  const out = new Map<string, VipIdentity>();
  for (const id of identities) out.set(validIdentityKey(id), id);
  return [...out.values()];
}

/** `configuredGns`, when given, is an array of GNS names (label values): else nothing is written. */
export function checkReleaseOptions(options: ReleaseOptions): void {
  if (typeof options !== 'object' || options === null) throw new VipInputError('release options must be an object; nothing was written');
  const published: unknown = options.published;
  if (published !== undefined && !(published instanceof Set)) throw new VipInputError('published must be a Set of addresses; nothing was written');
  const gns: unknown = options.configuredGns;
  if (gns === undefined) return;
  if (!Array.isArray(gns)) throw new VipInputError('configuredGns must be an array of GNS names; nothing was written');
  const bad = gns.filter((g) => !ClusterNameSchema.safeParse(g).success);
  if (bad.length > 0) throw new VipInputError(`configuredGns holds invalid GNS name(s) ${JSON.stringify(bad)}; nothing was written (no VIP is marked gone on a bad list)`);
  if (options.onUnconfiguredMarked !== undefined && typeof options.onUnconfiguredMarked !== 'function') {
    throw new VipInputError('onUnconfiguredMarked must be a function; nothing was written');
  }
}
