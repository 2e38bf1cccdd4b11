// The cloud reads the same config file as the local runner (shared/config), validated by the same
// schema. The functions receive it as JSON in GNS_SYNC_CONFIG (JSON is YAML, so they parse it with
// the same `parseConfig`); the stacks use its cluster list for credentials and publishers.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig } from '../shared/config/load.ts';
import type { Config } from '../shared/config/schema.ts';
import { LAMBDA_ENV_LIMIT_BYTES } from './naming.ts';

export interface CloudConfig {
  readonly config: Config;
  /** The config document as compact JSON, for GNS_SYNC_CONFIG. */
  readonly json: string;
  readonly clusters: readonly { readonly name: string; readonly awsAccountId?: string; readonly eks?: { readonly name: string; readonly region: string } }[];
}

/** Room left in the 4 KB Lambda environment for the other variables (names, URLs, ARNs). */
const CONFIG_ENV_BUDGET = LAMBDA_ENV_LIMIT_BYTES - 1024;

export class CloudConfigError extends Error {
  override readonly name = 'CloudConfigError';
}

/** Loads and validates the config (throws the shared ConfigError on a bad file). */
export function loadCloudConfig(path: string): CloudConfig {
  const config = loadConfig(path);
  const json = JSON.stringify(parse(readFileSync(path, 'utf8')));
  if (Buffer.byteLength(json) > CONFIG_ENV_BUDGET) {
    throw new CloudConfigError(`${path}: the config is ${Buffer.byteLength(json)} bytes as JSON; the functions receive it in GNS_SYNC_CONFIG, where at most ${CONFIG_ENV_BUDGET} bytes fit (Lambda's 4 KB environment). Shorten it (drop defaults and comments) or split the deployment.`);
  }
  const clusters = config.clusters.map((c) => ({ name: c.name, ...(c.awsAccountId ? { awsAccountId: c.awsAccountId } : {}), ...(c.eks ? { eks: c.eks } : {}) }));
  return { config, json, clusters };
}
