// Writes the hand-back (shared/core/handback.ts, docs/adr/0014-store-completeness.md) onto a
// cluster's agent Lease: read it, merge (an incarnation replaces, a floor only rises), and
// replace it against the resourceVersion read — the agent renews the same Lease every few
// seconds and keeps every annotation it does not own, so a 409 only means "read again". A
// missing Lease (lost, or the agent not started yet) is created with only the annotations and
// no holder (unless the caller asks not to create: a sync only tells agents that run): the
// agent takes it at its next round and finds the floor there. Nothing is written when the
// Lease already says it.
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import { formatHandback, HANDBACK_ANNOTATION, mergeHandback, parseHandback } from '../../core/handback.ts';
import type { Handback } from '../../core/handback.ts';
import { ConflictError } from '../../errors.ts';
import { kubeCall } from './call.ts';
import type { CallPolicy } from './call.ts';

/** Returns whether it wrote. Throws the call errors of ./call.ts (ConflictError after repeated conflicts). */
export async function writeHandback(
  api: CoordinationV1Api,
  where: { readonly cluster: string; readonly namespace: string; readonly name: string },
  update: Handback,
  policy: CallPolicy,
  options: { readonly create?: boolean } = {},
): Promise<boolean> {
  const { cluster, namespace, name } = where;
  const what = `${cluster}: hand back to Lease ${namespace}/${name}`;
  for (let attempt = 1; ; attempt++) {
    const lease = await kubeCall<V1Lease | undefined>(`${what} (read)`, policy, (o) => api.readNamespacedLease({ name, namespace }, o), (status) => (status === 404 ? { value: undefined } : undefined));
    const annotations = lease?.metadata?.annotations ?? {};
    const current = annotations[HANDBACK_ANNOTATION];
    const next = formatHandback(mergeHandback(parseHandback(current), update));
    if (current === next) return false;
    if (lease === undefined && options.create === false) return false; // no agent (yet): nothing to tell
    try {
      if (lease === undefined) {
        const body: V1Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, annotations: { [HANDBACK_ANNOTATION]: next } }, spec: {} };
        await kubeCall(`${what} (create)`, policy, (o) => api.createNamespacedLease({ namespace, body }, o));
      } else {
        const body: V1Lease = { ...lease, metadata: { ...lease.metadata, annotations: { ...annotations, [HANDBACK_ANNOTATION]: next } } };
        await kubeCall(`${what} (replace)`, policy, (o) => api.replaceNamespacedLease({ name, namespace, body }, o));
      }
      return true;
    } catch (error) {
      // The agent renewed it (or created it) in between: read again.
      if (!(error instanceof ConflictError) || attempt >= 3) throw error;
    }
  }
}
