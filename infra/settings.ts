// Deployment knobs of the cloud control plane, read from CDK context (cdk.json, or `-c key=value`).
// The topology itself (clusters, global namespaces, VIP pool) comes from the shared YAML config,
// exactly as the local runner reads it; these are only what differs between deployments.
import { z } from 'zod';

const PREFIX = 'gns-sync:';

/** Context values given with `-c` arrive as strings: accept both forms for numbers and flags. */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);

export const CloudSettingsSchema = z.strictObject({
  /** The gns-sync YAML config (topology), relative to the project root. */
  config: z.string().min(1).default('examples/kafka-gns.yaml'),
  /** Stack names are `<stackPrefix>-stateful` and `<stackPrefix>-stateless`. */
  stackPrefix: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,100}$/, 'must start with a letter; letters, digits and - only').default('GnsSync'),
  /** The event bus agents publish to. */
  busName: z.string().regex(/^[A-Za-z0-9._-]{1,256}$/, 'must be 1-256 of letters, digits, . _ -').default('gns-sync'),
  /** How long the archive keeps agent events for replays; 0 keeps them forever. */
  archiveRetentionDays: int(0, 36500).default(30),
  /** Every target is re-synced (drift repair) and expired VIPs released this often. */
  reconcileMinutes: int(1, 1440).default(5),
  /** Sync lag alarm: the oldest ingest or sync message older than this. */
  syncLagSeconds: int(10, 86400).default(60),
  /** Propagation alarm: p99 of agent observation → target written above this, for 3 minutes. */
  propagationP99Ms: int(100, 3_600_000).default(5_000),
  /** Optional e-mail subscribed to the alarm topic. */
  alarmEmail: z.email().optional(),
  /** Optional fixed environment; without it the stacks are environment-agnostic (synth needs no credentials). */
  account: z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id').optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like eu-west-1').optional(),
  /** Run cdk-nag's AwsSolutions checks during synth (errors fail the synth). */
  nag: flag.default(true),
});

export type CloudSettings = z.infer<typeof CloudSettingsSchema>;

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/**
 * Settings from a CDK context lookup: every `gns-sync:<key>` of the schema. Unknown
 * `gns-sync:` keys are rejected so a typo does not silently deploy the default.
 */
export function readSettings(context: Readonly<Record<string, unknown>>): CloudSettings {
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(PREFIX) && value !== undefined) raw[key.slice(PREFIX.length)] = value;
  }
  const result = CloudSettingsSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.length ? `${PREFIX}${issue.path.join('.')}` : 'context';
    const message = issue?.code === 'unrecognized_keys'
      ? `unknown setting(s) ${issue.keys.map((k) => `"${PREFIX}${k}"`).join(', ')}`
      : issue?.message ?? 'invalid';
    throw new SettingsError(`CDK context ${path}: ${message}; fix cdk.json or the -c option and synth again`, { cause: result.error });
  }
  return result.data;
}
