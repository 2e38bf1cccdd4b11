// The seed's scenario (docs/design.md §1), as the demo and the e2e tests create it: the config,
// the namespaces, Kafka's 3-replica StatefulSet with its own headless Service in
// clusterOne/ns-one, and the selectorless headless Services of the seed's step 5 (verbatim)
// in clusterOne/ns-two and clusterTwo/ns-one.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../shared/config/load.ts';
import type { Config } from '../../shared/config/schema.ts';
import { packageRoot } from '../package-root.ts';

export const KAFKA_LABELS = {
  'app.kubernetes.io/component': 'kafka',
  'app.kubernetes.io/instance': 'kafka',
  'app.kubernetes.io/name': 'kafka',
} as const;

export const SEED_ANNOTATION = '{"app.kubernetes.io/component":"kafka","app.kubernetes.io/instance":"kafka","app.kubernetes.io/name":"kafka"}';

/**
 * The demo's config is the shipped example, `examples/kafka-gns.yaml` (one source of truth):
 * clusterOne and clusterTwo on two networks, so clusterOne/ns-two gets pod IPs and
 * clusterTwo/ns-one gets VIPs.
 */
export const DEMO_CONFIG_PATH = join(packageRoot(), 'examples', 'kafka-gns.yaml'); // also from the bundled CLI (dist/)
export const DEMO_CONFIG_YAML = readFileSync(DEMO_CONFIG_PATH, 'utf8');
export const DEMO_CONFIG: Config = parseConfig(DEMO_CONFIG_YAML, DEMO_CONFIG_PATH);

/**
 * What `gns-sync demo` runs: the example with `routing: istio` (its one changed line), on
 * simulated clusters started with `--istio` on the example's networks, so the VIPs route
 * (docs/adr/0013-routing-through-istio.md) and `gns-sync trace` follows them. The demo writes it
 * to its state directory (`config.yaml`) for `gns-sync trace --config`.
 */
export function routedConfigYaml(exampleYaml: string): string {
  const routed = exampleYaml.replace(/^routing: none\b.*$/m, 'routing: istio                # the demo: simulated clusters serve Istio\'s CRDs (sim --istio)');
  if (routed === exampleYaml) throw new Error('the demo expects a line `routing: none` in examples/kafka-gns.yaml, to route its VIPs through Istio');
  return routed;
}
export const DEMO_ROUTED_CONFIG_YAML = routedConfigYaml(DEMO_CONFIG_YAML);
export const DEMO_ROUTED_CONFIG: Config = parseConfig(DEMO_ROUTED_CONFIG_YAML, DEMO_CONFIG_PATH);

/** The namespaces of the seed's steps 1 and 2 (lower case: Kubernetes rejects `nsOne`). */
export const NAMESPACES: readonly { cluster: string; namespace: string }[] = [
  { cluster: 'clusterOne', namespace: 'ns-one' },
  { cluster: 'clusterOne', namespace: 'ns-two' },
  { cluster: 'clusterTwo', namespace: 'ns-one' },
];

/** Where the source runs (the seed's step 4: helm install kafka in clusterOne/nsOne). */
export const SOURCE = { cluster: 'clusterOne', namespace: 'ns-one' } as const;

/** The targets: the selectorless Services of step 5. */
export const TARGETS: readonly { cluster: string; namespace: string; name: string }[] = [
  { cluster: 'clusterOne', namespace: 'ns-two', name: 'kafka-headless' },
  { cluster: 'clusterTwo', namespace: 'ns-one', name: 'kafka-headless' },
];

export function kafkaHeadlessService(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kafka-headless', namespace, labels: { ...KAFKA_LABELS } },
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: { ...KAFKA_LABELS },
      ports: [
        { name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'kafka-client' },
        { name: 'tcp-internal', port: 9093, protocol: 'TCP', targetPort: 'kafka-internal' },
      ],
    },
  };
}

export function kafkaStatefulSet(namespace: string, replicas = 3): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'kafka', namespace, labels: { ...KAFKA_LABELS } },
    spec: {
      replicas,
      serviceName: 'kafka-headless',
      selector: { matchLabels: { ...KAFKA_LABELS } },
      template: {
        metadata: { labels: { ...KAFKA_LABELS } },
        spec: {
          containers: [{
            name: 'kafka',
            image: 'docker.io/bitnami/kafka:3.1.0-debian-10-r89',
            ports: [
              { name: 'kafka-client', containerPort: 9092, protocol: 'TCP' },
              { name: 'kafka-internal', containerPort: 9093, protocol: 'TCP' },
            ],
          }],
        },
      },
    },
  };
}

/** The seed's step 5, verbatim (with the namespace it is created in). */
export function selectorlessService(namespace: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': SEED_ANNOTATION },
      name: 'kafka-headless',
      namespace,
    },
    spec: {
      clusterIP: 'None',
      ports: [
        { name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'kafka-client' },
        { name: 'tcp-internal', port: 9093, protocol: 'TCP', targetPort: 'kafka-internal' },
      ],
    },
  };
}

/** The step 5 manifest as the user would paste it (YAML). */
export const SELECTORLESS_SERVICE_YAML = `apiVersion: v1
kind: Service
metadata:
  annotations:
    tsm.tanzu.vmware.com/endpoints.statefulset: '${SEED_ANNOTATION}'
  name: kafka-headless
spec:
  clusterIP: None
  ports:
  - name: tcp-client
    port: 9092
    protocol: TCP
    targetPort: kafka-client
  - name: tcp-internal
    port: 9093
    protocol: TCP
    targetPort: kafka-internal
`;

export const podHostname = (ordinal: number, namespace: string): string => `kafka-${ordinal}.kafka-headless.${namespace}.svc.cluster.local`;
