// Names the deployment promises to operators and to the functions.

/** Target cluster credentials (a kubeconfig YAML) live in Secrets Manager under this name. */
export const clusterSecretName = (cluster: string): string => `gns-sync/clusters/${cluster}`;

/** The environment variables the functions read (functions/<name>/deps.ts). */
export const ENV = {
  tableName: 'TABLE_NAME',
  syncQueueUrl: 'SYNC_QUEUE_URL',
  ingestDlqUrl: 'INGEST_DLQ_URL',
  syncDlqUrl: 'SYNC_DLQ_URL',
  config: 'GNS_SYNC_CONFIG',
  account: 'GNS_SYNC_ACCOUNT',
} as const;

/** Lambda caps all environment variables of a function at 4 KB together. */
export const LAMBDA_ENV_LIMIT_BYTES = 4 * 1024;
