// The agent's container entry point. Environment:
//   GNS_SYNC_CLUSTER      this cluster's name (as in the config)
//   GNS_SYNC_NAMESPACES   its member namespaces, comma-separated
//   GNS_SYNC_EVENT_BUS    the EventBridge bus name or ARN
//   HEALTH_PORT           /healthz and /metrics (default 8080)
//   POD_NAMESPACE         the Lease namespace (default: the service account's namespace)
//   GNS_SYNC_SNAPSHOT_INTERVAL_MS  periodic snapshots (default 600000)
// The AWS region and credentials come from the SDK's default chain; the Kubernetes client is
// the in-cluster one. Bad input: one line on stderr and exit code 2.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KubeConfig } from '@kubernetes/client-node';
import { eventBridgeBus } from '../shared/adapters/eventbridge/bus.ts';
import { ClusterNameSchema, NamespaceNameSchema } from '../shared/schemas/events.ts';
import { DEFAULT_INSTALLATION, isInstallationName } from '../shared/core/installation.ts';
import { startAgent } from './agent.ts';
import { jsonLogger } from './logger.ts';

const SA_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export interface AgentEnv {
  readonly cluster: string;
  readonly namespaces: readonly string[];
  readonly eventBus: string;
  readonly healthPort: number;
  readonly leaseNamespace: string;
  readonly snapshotIntervalMs: number;
  /** GNS_SYNC_INSTALLATION (default `default`): names the agents' Lease. */
  readonly installation: string;
}

/** Validates the environment; throws an Error with one line naming the variable. */
export function parseAgentEnv(env: NodeJS.ProcessEnv, readServiceAccountNamespace: () => string | undefined): AgentEnv {
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (value === undefined || value === '') throw new Error(`${name} is required`);
    return value;
  };
  const cluster = required('GNS_SYNC_CLUSTER');
  const clusterCheck = ClusterNameSchema.safeParse(cluster);
  if (!clusterCheck.success) throw new Error(`GNS_SYNC_CLUSTER=${JSON.stringify(cluster)}: ${clusterCheck.error.issues[0]?.message ?? 'invalid'}`);
  const namespaces = required('GNS_SYNC_NAMESPACES').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (namespaces.length === 0) throw new Error('GNS_SYNC_NAMESPACES must list at least one namespace (comma-separated)');
  for (const ns of namespaces) {
    if (!NamespaceNameSchema.safeParse(ns).success) throw new Error(`GNS_SYNC_NAMESPACES: ${JSON.stringify(ns)} is not a namespace name (a DNS-1123 label)`);
  }
  const eventBus = required('GNS_SYNC_EVENT_BUS');
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]?.trim();
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) throw new Error(`${name}=${JSON.stringify(raw)} must be an integer from ${min} to ${max}`);
    return value;
  };
  const healthPort = integer('HEALTH_PORT', 8080, 1, 65535);
  const snapshotIntervalMs = integer('GNS_SYNC_SNAPSHOT_INTERVAL_MS', 600_000, 0, 86_400_000);
  const leaseNamespace = env.POD_NAMESPACE?.trim() || readServiceAccountNamespace()?.trim();
  if (leaseNamespace === undefined || leaseNamespace === '') throw new Error(`POD_NAMESPACE is not set and ${SA_NAMESPACE} is unreadable: set POD_NAMESPACE (the Lease's namespace)`);
  if (!NamespaceNameSchema.safeParse(leaseNamespace).success) throw new Error(`POD_NAMESPACE=${JSON.stringify(leaseNamespace)} is not a namespace name`);
  const installation = env.GNS_SYNC_INSTALLATION?.trim() || DEFAULT_INSTALLATION;
  if (!isInstallationName(installation)) throw new Error(`GNS_SYNC_INSTALLATION=${JSON.stringify(installation)} is not an installation name (a DNS-1123 label of at most 40 characters)`);
  return { cluster, namespaces, eventBus, healthPort, leaseNamespace, snapshotIntervalMs, installation };
}

async function main(): Promise<void> {
  let env: AgentEnv;
  try {
    env = parseAgentEnv(process.env, () => {
      try {
        return readFileSync(SA_NAMESPACE, 'utf8');
      } catch {
        return undefined;
      }
    });
  } catch (error) {
    process.stderr.write(`gns-sync agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromCluster();
  const logger = jsonLogger({ cluster: env.cluster });
  const agent = await startAgent({
    cluster: env.cluster,
    namespaces: env.namespaces,
    kubeConfig,
    bus: eventBridgeBus({ client: new EventBridgeClient({}), eventBusName: env.eventBus }),
    leaseNamespace: env.leaseNamespace,
    installation: env.installation,
    healthPort: env.healthPort,
    snapshotIntervalMs: env.snapshotIntervalMs,
    logger,
  });
  const shutdown = (signal: string): void => {
    logger.info('shutting down', { signal });
    agent.stop().then(() => process.exit(0), (error: unknown) => {
      logger.error('shutdown failed', { error: String(error) });
      process.exit(1);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`gns-sync agent: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
