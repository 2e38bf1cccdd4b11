// What changing the config costs (issue 10, case 11). A cluster's name and a GNS's name are
// identities, not labels: VIPs are bound to (gns, cluster, namespace, pod), events carry the
// cluster's name, targets and slices are found by them. Renaming one is to gns-sync a removal
// plus an addition, which changes VIPs and briefly drops endpoints. This compares a previous
// config with the next and says so, in lines a user can act on. Pure: counts are passed in.
import type { Config } from './schema.ts';

export interface ConfigChange {
  readonly kind: 'cluster-renamed' | 'cluster-removed' | 'gns-renamed' | 'gns-removed' | 'member-removed' | 'member-moved' | 'installation-renamed' | 'network-changed';
  readonly from: string;
  readonly to?: string;
  /** One paragraph: what happens when this config is applied, and what to do instead. */
  readonly message: string;
}

/** What the state knows, when a state directory was given: VIPs bound per cluster and per GNS. */
export interface StateCounts {
  readonly vipsByCluster: ReadonlyMap<string, number>;
  readonly vipsByGns: ReadonlyMap<string, number>;
}

type ConfigLike = Config;

/** `gns/namespace` of each member of a cluster, sorted: a cluster's place in the topology. */
function placeOf(config: ConfigLike, cluster: string): string {
  return config.globalNamespaces.flatMap((g) => g.members.filter((m) => m.cluster === cluster).map((m) => `${g.name}/${m.namespace}`)).sort().join(',');
}

/** `cluster/namespace` of each member of a GNS, sorted. */
function membersKey(config: ConfigLike, gns: string): string {
  return (config.globalNamespaces.find((g) => g.name === gns)?.members ?? []).map((m) => `${m.cluster}/${m.namespace}`).sort().join(',');
}

const vips = (n: number | undefined, what: string): string =>
  n === undefined ? `the VIPs bound to pods of ${what}` : `the ${n} VIP(s) bound to pods of ${what} in this state`;

/** Pairs each removed name with the added name that takes its place (same `key`), in order. */
function pairRenames(removed: readonly string[], added: readonly string[], key: (name: string, side: 'old' | 'new') => string): Map<string, string> {
  const pairs = new Map<string, string>();
  const free = new Set(added);
  for (const old of removed) {
    const k = key(old, 'old');
    const match = k === '' ? undefined : [...free].find((n) => key(n, 'new') === k);
    if (match !== undefined) {
      pairs.set(old, match);
      free.delete(match);
    }
  }
  return pairs;
}

export function configChanges(previous: ConfigLike, next: ConfigLike, counts?: StateCounts): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const release = 'released after vipReleaseAfter and a quarantine';

  const prevInstallation = previous.installation ?? 'default';
  const nextInstallation = next.installation ?? 'default';
  if (prevInstallation !== nextInstallation) {
    changes.push({
      kind: 'installation-renamed', from: prevInstallation, to: nextInstallation,
      message: `installation "${prevInstallation}" becomes "${nextInstallation}": the new name owns none of the slices, events and Leases the old one wrote, so the old slices stay published and unmanaged, and the agents elect under a new Lease. Keep the installation name.`,
    });
  }

  const nextClusters = new Set(next.clusters.map((c) => c.name));
  const prevClusters = new Set(previous.clusters.map((c) => c.name));
  const removed = previous.clusters.filter((c) => !nextClusters.has(c.name)).map((c) => c.name);
  const added = next.clusters.filter((c) => !prevClusters.has(c.name)).map((c) => c.name);
  const contextOf = (config: ConfigLike, name: string) => config.clusters.find((c) => c.name === name)?.context ?? name;
  // A rename: the added cluster has the removed one's kubeconfig context, or takes its exact place in the GNSs.
  const byContext = pairRenames(removed, added, (n, side) => `ctx:${contextOf(side === 'old' ? previous : next, n)}`);
  const byPlace = pairRenames(removed.filter((n) => !byContext.has(n)), added.filter((n) => ![...byContext.values()].includes(n)), (n, side) => placeOf(side === 'old' ? previous : next, n));
  const renames = new Map([...byContext, ...byPlace]);

  for (const from of removed) {
    const to = renames.get(from);
    const n = counts?.vipsByCluster.get(from);
    if (to !== undefined) {
      changes.push({
        kind: 'cluster-renamed', from, to,
        message:
          `cluster "${from}" is renamed "${to}": to gns-sync that removes ${from} and adds a new cluster. ` +
          `VIPs are bound to (gns, cluster, namespace, pod), so ${vips(n, from)} are given up (${release}) and its pods get new VIPs: ` +
          `remote targets answer new addresses for them. ${from}'s targets stop being members, so their slices are deleted, and are ` +
          `recreated as ${to}'s once ${to}'s agent has published its first snapshot: their names do not resolve in between. In AWS the ` +
          `credentials secret becomes gns-sync/clusters/${to} and the agent's GNS_SYNC_CLUSTER must change with it. ` +
          `To point gns-sync at another kubeconfig context, keep name: ${from} and set context: instead.`,
      });
    } else {
      changes.push({
        kind: 'cluster-removed', from,
        message:
          `cluster "${from}" is removed: its pods leave every target (their names stop resolving), its targets' slices are deleted, ` +
          `and ${vips(n, from)} are ${release}.`,
      });
    }
  }

  const nextGns = new Set(next.globalNamespaces.map((g) => g.name));
  const prevGns = new Set(previous.globalNamespaces.map((g) => g.name));
  const gnsRemoved = previous.globalNamespaces.filter((g) => !nextGns.has(g.name)).map((g) => g.name);
  const gnsAdded = next.globalNamespaces.filter((g) => !prevGns.has(g.name)).map((g) => g.name);
  const gnsRenames = pairRenames(gnsRemoved, gnsAdded, (n, side) => membersKey(side === 'old' ? previous : next, n));
  for (const from of gnsRemoved) {
    const to = gnsRenames.get(from);
    const n = counts?.vipsByGns.get(from);
    const what = `global namespace ${from}`;
    changes.push(to !== undefined
      ? {
        kind: 'gns-renamed', from, to,
        message:
          `global namespace "${from}" is renamed "${to}": its slices (labelled gns-sync.io/gns: ${from}) are replaced by new ones and ` +
          `${vips(n, what)} are given up (${release}); every remote pod gets a new VIP. Keep the name to keep the VIPs.`,
      }
      : { kind: 'gns-removed', from, message: `global namespace "${from}" is removed: its targets' slices are deleted and ${vips(n, what)} are ${release}.` });
  }

  // Members leaving a GNS that stays, of a cluster that stays (a removed or renamed cluster or
  // GNS is said above): their pods' names go from every target of that GNS. A member moved to
  // another GNS is said as a move: new VIPs there (they are bound per GNS).
  for (const g of previous.globalNamespaces) {
    const stays = next.globalNamespaces.find((n) => n.name === g.name);
    if (stays === undefined) continue;
    for (const m of g.members) {
      if (!nextClusters.has(m.cluster)) continue;
      if (stays.members.some((n) => n.cluster === m.cluster && n.namespace === m.namespace)) continue;
      const member = `${m.cluster}/${m.namespace}`;
      const to = next.globalNamespaces.find((n) => n.members.some((x) => x.cluster === m.cluster && x.namespace === m.namespace))?.name;
      const leaves =
        `its pods leave every target of ${g.name} (their names stop resolving there), the slices and ServiceEntries gns-sync wrote for ` +
        `targets in ${member} are deleted, and the VIPs bound to its pods in ${g.name} are ${release}`;
      changes.push(to === undefined
        ? { kind: 'member-removed', from: `${g.name}:${member}`, message: `member ${member} leaves global namespace "${g.name}": ${leaves}.` }
        : {
          kind: 'member-moved', from: `${g.name}:${member}`, to: `${to}:${member}`,
          message: `member ${member} moves from global namespace "${g.name}" to "${to}": ${leaves}; in ${to} its pods get new VIPs (VIPs are bound per global namespace).`,
        });
    }
  }

  for (const c of next.clusters) {
    const before = previous.clusters.find((p) => p.name === c.name);
    if (before !== undefined && before.network !== c.network) {
      changes.push({
        kind: 'network-changed', from: before.network, to: c.network,
        message: `cluster "${c.name}" moves from network ${before.network} to ${c.network}: targets switch between its pod IPs and VIPs for its pods (addresses change in those targets).`,
      });
    }
  }
  return changes;
}
