// The objects gns-sync wrote into simulated clusters: every EndpointSlice and Istio object it
// manages and every Event it recorded; a golden file shows them (Events aside), with what the
// server or the clock decides (uids, resourceVersions, timestamps, generated suffixes) replaced
// by stable placeholders, sorted by cluster, kind, namespace and name.
import { stringify } from 'yaml';
import type { KubeObject, SimFleet } from '../../local/sim/index.ts';

const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** Where the simulated clusters keep the Istio objects gns-sync may write. */
const ISTIO_STORAGES = ['serviceentries.networking.istio.io', 'workloadentries.networking.istio.io', 'destinationrules.networking.istio.io', 'sidecars.networking.istio.io'];

/** What gns-sync wrote in each cluster, as stored (server fields included). */
export function writtenObjects(fleet: SimFleet): { cluster: string; object: KubeObject }[] {
  const out: { cluster: string; object: KubeObject }[] = [];
  for (const cluster of fleet.clusters) {
    for (const slice of cluster.store.bucket('endpointslices.discovery.k8s.io').values()) {
      if (slice.metadata.labels?.[MANAGED_BY] === 'gns-sync.io') out.push({ cluster: cluster.name, object: slice });
    }
    for (const event of cluster.store.bucket('events').values()) {
      if ((event.source as { component?: string } | undefined)?.component === 'gns-sync') out.push({ cluster: cluster.name, object: event });
    }
    for (const storage of ISTIO_STORAGES) {
      for (const o of cluster.store.bucket(storage).values()) if (o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'gns-sync.io') out.push({ cluster: cluster.name, object: o });
    }
  }
  return out;
}

function normalize(o: KubeObject, uidNames: ReadonlyMap<string, string>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(o)) as Record<string, unknown> & { metadata: Record<string, unknown> };
  for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'generation', 'managedFields']) delete copy.metadata[k];
  if (typeof copy.metadata.name === 'string') copy.metadata.name = copy.metadata.name.replace(/(-gns-)[a-z0-9]{5}$/, '$1<generated>');
  const refs = copy.metadata.ownerReferences as { uid: string }[] | undefined;
  for (const r of refs ?? []) r.uid = `<uid of ${uidNames.get(r.uid) ?? 'an unknown object'}>`;
  for (const e of (copy.endpoints as { targetRef?: { uid?: string } }[] | undefined) ?? []) {
    if (e.targetRef?.uid) e.targetRef.uid = `<uid of ${uidNames.get(e.targetRef.uid) ?? 'an unknown object'}>`;
  }
  if (o.kind === 'Event') {
    copy.metadata.name = '<generated>';
    const involved = copy.involvedObject as { uid?: string };
    if (involved.uid) involved.uid = `<uid of ${uidNames.get(involved.uid) ?? 'an unknown object'}>`;
    for (const k of ['firstTimestamp', 'lastTimestamp', 'eventTime']) if (copy[k]) copy[k] = '<time>';
  }
  return copy;
}

/** The golden-file text of what gns-sync wrote: YAML documents with a comment naming each one's cluster. */
export function goldenText(fleet: SimFleet): string {
  const uidNames = new Map<string, string>();
  for (const cluster of fleet.clusters) {
    for (const svc of cluster.store.bucket('services').values()) uidNames.set(svc.metadata.uid ?? '', `Service ${svc.metadata.namespace}/${svc.metadata.name} in ${cluster.name}`);
    for (const pod of cluster.store.bucket('pods').values()) uidNames.set(pod.metadata.uid ?? '', `Pod ${pod.metadata.namespace}/${pod.metadata.name} in ${cluster.name}`);
  }
  // Events are left out: whether one is recorded (e.g. StoreIncomplete while the first snapshots
  // arrive) depends on timing; the tests validate them upstream instead.
  const docs = writtenObjects(fleet).filter((w) => w.object.kind !== 'Event').map(({ cluster, object }) => ({ cluster, object: normalize(object, uidNames) }));
  const key = (d: { cluster: string; object: Record<string, unknown> }): string => {
    const m = d.object.metadata as { namespace?: string; name?: string };
    return `${d.cluster}|${String(d.object.kind)}|${m.namespace ?? ''}|${m.name ?? ''}|${JSON.stringify(d.object)}`;
  };
  docs.sort((a, b) => key(a).localeCompare(key(b)));
  return docs.map((d) => `# ${d.cluster}\n${stringify(d.object, { sortMapEntries: true })}`).join('---\n');
}
