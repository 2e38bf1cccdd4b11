// `gns-sync sim --istio`: what an Istio multi-network installation leaves in a cluster that
// gns-sync and `gns-sync trace` read — the networking.istio.io CustomResourceDefinitions
// (Istio 1.27.9's own), istio-system labelled with the cluster's network, the east-west
// gateway Service (LoadBalancer, labelled topology.istio.io/network, port tls 15443), and the
// AUTO_PASSTHROUGH Gateway of Istio's samples/multicluster/expose-services.yaml.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { packageRoot } from '../../package-root.ts';
import type { Registry } from '../api/registry.ts';
import { findResource } from '../api/resources.ts';
import { customResourceByKind } from '../api/crd.ts';

/** Shipped in the npm package (package.json `files`): found from the package root, source tree or bundle alike. */
export const CRD_FILE = 'local/sim/istio/crds-1.27.9.yaml';
let crdCache: readonly unknown[] | undefined;

/** The Istio CustomResourceDefinitions the sim installs (parsed once per process). */
export function istioCrds(): readonly unknown[] {
  crdCache ??= parseAllDocuments(readFileSync(join(packageRoot(), CRD_FILE), 'utf8')).map((d) => d.toJS() as unknown).filter((d) => d !== null);
  return crdCache;
}

export const EAST_WEST_GATEWAY = { namespace: 'istio-system', name: 'istio-eastwestgateway' } as const;
export const NETWORK_LABEL = 'topology.istio.io/network';

export function installIstio(registry: Registry, network: string): void {
  const crds = findResource('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  for (const crd of istioCrds()) registry.create(crds, undefined, crd);
  registry.create(findResource('', 'v1', 'namespaces')!, undefined, { metadata: { name: 'istio-system', labels: { [NETWORK_LABEL]: network } } });
  const selector = { app: 'istio-eastwestgateway', istio: 'eastwestgateway', [NETWORK_LABEL]: network };
  registry.create(findResource('', 'v1', 'services')!, EAST_WEST_GATEWAY.namespace, {
    metadata: { name: EAST_WEST_GATEWAY.name, labels: { ...selector, 'istio.io/rev': 'default' } },
    spec: {
      type: 'LoadBalancer',
      selector,
      ports: [
        { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
        { name: 'tls', port: 15443, targetPort: 15443, protocol: 'TCP' },
        { name: 'tls-istiod', port: 15012, targetPort: 15012, protocol: 'TCP' },
        { name: 'tls-webhook', port: 15017, targetPort: 15017, protocol: 'TCP' },
      ],
    },
  });
  registry.create(customResourceByKind(registry.store, 'networking.istio.io/v1', 'Gateway')!, EAST_WEST_GATEWAY.namespace, {
    metadata: { name: 'cross-network-gateway' },
    spec: { selector: { istio: 'eastwestgateway' }, servers: [{ port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts: ['*.local'] }] },
  });
}
