// Handing the store's incarnation and a cluster's version floor back to its agent, through the
// agent's own Lease (shared/core/handback.ts, docs/adr/0014-store-completeness.md). The sync
// hands a new incarnation to the clusters of the members it waits for (once per container and
// incarnation), so their agents resnapshot within a lease round instead of at their next
// periodic snapshot; the reconcile hands both the incarnation and each cluster's floor to every
// configured cluster. Clusters whose adapter cannot write Leases (test fakes) are skipped.
import type { Handback } from '../shared/core/handback.ts';
import { describeError } from '../shared/errors.ts';
import type { ClusterApis } from '../shared/ports.ts';
import type { Log } from './log.ts';

/** Where each cluster's agent keeps its Lease (the agent's namespace and the Lease's name). */
export interface AgentLeaseRef {
  readonly namespace: string;
  readonly name: string;
}

/** The agent Lease of the deploy/ manifests: `gns-sync-agent` in the agent's namespace `gns-sync`. */
export const DEFAULT_AGENT_LEASE: AgentLeaseRef = { namespace: 'gns-sync', name: 'gns-sync-agent' };

/** Hands `update` to one cluster's agent; returns whether the Lease was written. Throws the adapter's errors. */
export async function handBack(clusters: ClusterApis, cluster: string, lease: AgentLeaseRef, update: Handback, options: { readonly create?: boolean } = {}): Promise<boolean> {
  const api = await clusters.get(cluster);
  if (api.handBack === undefined) return false;
  return api.handBack(lease, update, options);
}

/**
 * Hands back to several clusters (creating a lost Lease, so that its floor comes back with
 * it). A failure (a cluster down, no agent namespace there) is logged as a warning, never
 * thrown over the other clusters nor failing the caller: the next reconcile tries again.
 */
export async function handBackAll(
  clusters: ClusterApis,
  updates: ReadonlyMap<string, Handback>,
  lease: AgentLeaseRef,
  log: Log,
): Promise<void> {
  await Promise.all([...updates].map(async ([cluster, update]) => {
    try {
      if (await handBack(clusters, cluster, lease, update)) log.info('handed back to the agent', { cluster, ...update });
    } catch (error) {
      log.warn('could not hand back to the agent; the next reconcile tries again', { cluster, error: describeError(error) });
    }
  }));
}
