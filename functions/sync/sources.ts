// The source pods of a GNS, and the reads a batch of syncs makes (docs/adr/0016).
//
// A member namespace is read whole (pods and Services, one query) and kept in the container's
// memo with the member version known just before it was read. The ingest bumps a member's
// version after merging any change of it and before enqueueing its syncs, and the messages
// carry the GNS's member versions after the bump; a batch re-reads only the members whose
// memo copy is older than those versions — or older than MEMBER_CACHE_MS, a backstop against
// a change whose bump was lost (or a table restored with lower counters). A GNS none of whose
// messages carry versions (the reconcile's) has its versions read once (one consistent GetItem).
import type { ReturningSource } from '../../shared/core/routing/keep.ts';
import type { MemberRef, SourcePod } from '../../shared/core/types.ts';
import type { MemberVersions, NamespaceView, StateStore } from '../../shared/ports.ts';
import type { TopologyIndex } from '../topology.ts';
import type { SyncMemo } from './memo.ts';

/** How long a member read may serve later batches while its version is unchanged. */
export const MEMBER_CACHE_MS = 60_000;

/** What `read` gives of each member, read side by side, each item with its member's cluster and namespace. */
async function ofMembers<T>(members: readonly MemberRef[], read: (m: MemberRef) => Promise<readonly T[]>): Promise<{ cluster: string; namespace: string; pod: T }[]> {
  const perMember = await Promise.all(members.map(async (m) => (await read(m)).map((pod) => ({ cluster: m.cluster, namespace: m.namespace, pod }))));
  return perMember.flat();
}

export const loadSources = (store: StateStore, members: readonly MemberRef[]): Promise<SourcePod[]> =>
  ofMembers(members, (m) => store.podsOf(m.cluster, m.namespace));

/**
 * The returning absences of a GNS's members (docs/adr/0019-a-restart-keeps-its-routing.md): pods
 * deleted while their StatefulSet still wants them, from the same member reads as the sources.
 */
export const loadReturning = (store: StateStore, members: readonly MemberRef[]): Promise<ReturningSource[]> =>
  ofMembers(members, async (m) => (await store.namespaceOf(m.cluster, m.namespace)).returning ?? []);

/** Shares a promise per key for the life of the map; a failed one is forgotten. */
function shared<T>(map: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let hit = map.get(key);
  if (!hit) {
    hit = load();
    map.set(key, hit);
    hit.catch(() => map.delete(key));
  }
  return hit;
}

/**
 * The StateStore one batch of syncs reads through: member namespaces from the memo while their
 * version is unchanged, each read at most once per batch, and each GNS's versions read once.
 * A namespace in no GNS is read from the store every time.
 */
export function memberReads(store: StateStore, topology: TopologyIndex, memo: SyncMemo, now: number, known: ReadonlyMap<string, MemberVersions> = new Map()): StateStore {
  const versions = new Map<string, Promise<ReadonlyMap<string, number>>>();
  for (const [gns, v] of known) versions.set(gns, Promise.resolve(v));
  const reads = new Map<string, Promise<NamespaceView>>();
  const namespaceOf = (cluster: string, namespace: string): Promise<NamespaceView> => {
    const key = `${cluster}/${namespace}`;
    return shared(reads, key, async () => {
      const gns = topology.gnsOf(cluster, namespace);
      if (gns === undefined) return store.namespaceOf(cluster, namespace);
      const version = (await shared(versions, gns, () => store.memberVersions(gns))).get(key) ?? 0;
      const fresh = (e: { version: number; at: number } | undefined) => e !== undefined && e.version >= version && now >= e.at && now - e.at < MEMBER_CACHE_MS;
      const cached = memo.members.get(key);
      if (cached && fresh(cached)) return cached.view;
      // Another batch of this container may be reading it already, for a version at least as new.
      const reading = memo.reading.get(key);
      if (reading && fresh(reading)) return reading.view;
      const view = store.namespaceOf(cluster, namespace);
      memo.reading.set(key, { version, at: now, view });
      try {
        const read = await view;
        const latest = memo.members.get(key);
        if (!latest || latest.version <= version) memo.members.set(key, { version, at: now, view: read });
        return read;
      } finally {
        if (memo.reading.get(key)?.view === view) memo.reading.delete(key);
      }
    });
  };
  return {
    merge: (event) => store.merge(event),
    podsOf: async (cluster, namespace) => (await namespaceOf(cluster, namespace)).pods,
    servicesOf: async (cluster, namespace) => (await namespaceOf(cluster, namespace)).services,
    service: async (cluster, namespace, name) => (await namespaceOf(cluster, namespace)).services.find((s) => s.name === name),
    namespaceOf,
    targetsVersions: (gnsNames) => store.targetsVersions(gnsNames),
    bumpTargetsVersion: (gns) => store.bumpTargetsVersion(gns),
    memberVersions: (gns) => store.memberVersions(gns),
    bumpMemberVersions: (gns, members) => store.bumpMemberVersions(gns, members),
  };
}
