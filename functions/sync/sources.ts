// The source pods of a GNS: every visible pod of every member, loaded in parallel.
import type { MemberRef, SourcePod } from '../../shared/core/types.ts';
import type { StateStore } from '../../shared/ports.ts';

export async function loadSources(store: StateStore, members: readonly MemberRef[]): Promise<SourcePod[]> {
  const perMember = await Promise.all(
    members.map(async (m) => (await store.podsOf(m.cluster, m.namespace)).map((pod) => ({ cluster: m.cluster, namespace: m.namespace, pod }))),
  );
  return perMember.flat();
}

/** A StateStore whose reads are shared within one batch (targets of one GNS read the same members once). */
export function batchReads(store: StateStore): StateStore {
  const pods = new Map<string, ReturnType<StateStore['podsOf']>>();
  return {
    merge: (event) => store.merge(event),
    podsOf(cluster, namespace) {
      const key = `${cluster}/${namespace}`;
      let hit = pods.get(key);
      if (!hit) {
        hit = store.podsOf(cluster, namespace);
        pods.set(key, hit);
        hit.catch(() => pods.delete(key));
      }
      return hit;
    },
    servicesOf: (cluster, namespace) => store.servicesOf(cluster, namespace),
    service: (cluster, namespace, name) => store.service(cluster, namespace, name),
    targetsVersions: (gnsNames) => store.targetsVersions(gnsNames),
    bumpTargetsVersion: (gns) => store.bumpTargetsVersion(gns),
  };
}
