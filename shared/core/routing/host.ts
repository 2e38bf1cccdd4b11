// The ServiceEntry host of a source pod identity (docs/adr/0013-routing-through-istio.md):
// `<pod>.<namespace>.<key(cluster)>.gns-sync.local`. Unique per identity (read right to left:
// the cluster key and the namespace are single labels), ends in `.local` (the sample east-west
// gateway's `*.local`), never a Kubernetes Service host (`<svc>.<ns>.svc.<domain>`).
import { sha256Hex } from '../hash.ts';
import type { VipIdentity } from '../types.ts';

export const HOST_SUFFIX = 'gns-sync.local';

const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The cluster as one DNS label: its name when it is one (other than `svc`), else `c-` + 12 hex of its hash. */
export function clusterKey(cluster: string): string {
  return DNS1123_LABEL_RE.test(cluster) && cluster !== 'svc' ? cluster : `c-${sha256Hex(cluster).slice(0, 12)}`;
}

export function routingHost(identity: Pick<VipIdentity, 'cluster' | 'namespace' | 'pod'>): string {
  return `${identity.pod}.${identity.namespace}.${clusterKey(identity.cluster)}.${HOST_SUFFIX}`;
}
