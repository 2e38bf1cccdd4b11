// The seed's selectorless target Service, created straight in a simulated cluster (with its
// namespace, and gns-sync's own namespace as deploy/base leaves it: the writer's inventory lives
// there) for the integration tests that sync against the simulated clusters.
import type { SimFleet } from '../../../local/sim/index.ts';
import { KAFKA_LABELS } from '../../unit/functions/fakes.ts';

/** Creates `kafka-headless` in cluster/namespace and returns its uid. */
export function createSimTarget(fleet: SimFleet, cluster: string, namespace: string): string {
  const sim = fleet.cluster(cluster);
  sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  sim.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gns-sync' } });
  const svc = sim.apply({
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kafka-headless', namespace, annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': JSON.stringify(KAFKA_LABELS) } },
    spec: { clusterIP: 'None', ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'tcp-client' }] },
  });
  return svc.metadata.uid ?? '';
}
