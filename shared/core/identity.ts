// Keys for VIP identities and targets: `gns/cluster/namespace/name`. None of the parts can
// hold a `/` (cluster names are label values, namespaces DNS-1123 labels, pod and Service
// names DNS-1123 subdomains), so the keys split back unambiguously.
import { GnsSyncError } from '../errors.ts';
import type { GnsErrorOptions } from '../errors.ts';
import type { TargetRef, VipIdentity } from './types.ts';

/** A key that does not have four non-empty `/`-separated parts. */
export class KeyError extends GnsSyncError {
  override readonly name: string = 'KeyError';
  constructor(message: string, options?: GnsErrorOptions) {
    super(message, options);
  }
}

function join(what: string, parts: readonly string[]): string {
  for (const part of parts) {
    if (part === '' || part.includes('/')) {
      throw new KeyError(`cannot build a ${what} key from [${parts.join(', ')}]: every part must be non-empty and free of "/"`);
    }
  }
  return parts.join('/');
}

function split(what: string, key: string): [string, string, string, string] {
  const parts = key.split('/');
  const [a, b, c, d] = parts;
  if (parts.length !== 4 || !a || !b || !c || !d) {
    throw new KeyError(`"${key}" is not a ${what} key: expected gns/cluster/namespace/name`);
  }
  return [a, b, c, d];
}

/** `gns/cluster/namespace/pod`: the key of the identity a VIP is reserved for. */
export function identityKey(id: VipIdentity): string {
  return join('VIP identity', [id.gns, id.cluster, id.namespace, id.pod]);
}

export function parseIdentityKey(key: string): VipIdentity {
  const [gns, cluster, namespace, pod] = split('VIP identity', key);
  return { gns, cluster, namespace, pod };
}

/** `gns/cluster/namespace/name`: the key of a target Service. */
export function targetKey(ref: TargetRef): string {
  return join('target', [ref.gns, ref.cluster, ref.namespace, ref.name]);
}

export function parseTargetKey(key: string): TargetRef {
  const [gns, cluster, namespace, name] = split('target', key);
  return { gns, cluster, namespace, name };
}
