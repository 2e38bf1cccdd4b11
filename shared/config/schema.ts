// The config file (issue 2): clusters, global namespaces, the VIP pool. A zod schema for the
// shape, then the cross-field rules (unique names, known clusters, one GNS per namespace, a
// usable pool), each reported as an issue on the field it is about.
import * as z from 'zod'; // the namespace import lets esbuild drop what is unused (`{ z }` keeps all of zod: ADR 10)
import { parseCidr, usableCount } from '../core/cidr.ts';
import { DEFAULT_INSTALLATION, INSTALLATION_RE, MAX_INSTALLATION_LENGTH } from '../core/installation.ts';
import type { ClusterInfo, GlobalNamespace } from '../core/types.ts';
import type { Topology } from '../ports.ts';
import { ClusterNameSchema, LABEL_VALUE_RE, NamespaceNameSchema } from '../schemas/events.ts';
import { cloudIdCollisions } from './cloud-ids.ts';
import { EksClusterSchema } from './eks.ts';
import type { EksCluster } from './eks.ts';
import { parseDuration } from './duration.ts';
import { ROUTING_MODES, parseGatewayAddress } from './routing.ts';
import type { RoutingMode } from './routing.ts';

/** Not Istio's auto-allocation range 240.240.0.0/16 (docs/adr/0013-routing-through-istio.md). */
export const DEFAULT_VIP_POOL = '241.0.0.0/16';
export const DEFAULT_VIP_RELEASE_AFTER = '1h';
/** A pool must have room for a few pods (network and broadcast addresses excluded). */
export const MIN_POOL_ADDRESSES = 4n;

/** A name that ends up in a label value (the GNS label, the network name). */
const LabelValueName = (what: string) =>
  z.string().min(1, `${what} must not be empty`).max(63, `${what} must be at most 63 characters`).regex(LABEL_VALUE_RE, `${what} must be a Kubernetes label value (letters, digits, -, _, .; alphanumeric at both ends)`);

const EAST_WEST_HINT = 'expected "ADDRESS:PORT", e.g. "203.0.113.10:15443" or "gw.example.com:15443"';

const DURATION_HINT = 'expected a duration like 90s, 30m, 1h, 1h30m or 2d';

export const ClusterFileSchema = z.strictObject({
  name: ClusterNameSchema,
  network: LabelValueName('a network name').optional(),
  context: z.string().min(1, 'a kubeconfig context name must not be empty').max(253).optional(),
  /** Cloud only: the AWS account the cluster's agent publishes from, when not the deployment's (infra/: bus policy). */
  awsAccountId: z.string({ error: 'expected a 12-digit AWS account id in quotes, like "123456789012"' }).regex(/^\d{12}$/, 'must be a 12-digit AWS account id in quotes, like "123456789012"').optional(),
  /** routing: istio — the network's east-west gateway, instead of discovering it (docs/adr/0013). */
  eastWestGateway: z.string({ error: EAST_WEST_HINT }).optional(),
  /** routing: istio — the cluster whose istiod reads this cluster's Istio config (default: itself). */
  istioConfigCluster: ClusterNameSchema.optional(),
  /** Cloud only: the cluster is EKS (./eks.ts): its name and region; the functions reach it with their role. */
  eks: EksClusterSchema.optional(),
});

export const MemberFileSchema = z.strictObject({
  cluster: ClusterNameSchema,
  namespace: NamespaceNameSchema,
});

export const GlobalNamespaceFileSchema = z.strictObject({
  name: LabelValueName('a global namespace name'),
  members: z.array(MemberFileSchema).min(1, 'a global namespace needs at least one member'),
});

/** The file as written (YAML or JSON), before defaults and cross-field rules. */
export const ConfigFileSchema = z.strictObject({
  /**
   * The installation's identity (docs/adr/0015-installation-identity.md): every object this
   * installation writes carries it, and it changes or deletes only objects carrying it.
   * Default `default` (which also owns the unlabelled slices of earlier versions).
   */
  installation: z
    .string({ error: 'expected an installation name like "default" or "team-a"' })
    .min(1, 'an installation name must not be empty')
    .max(MAX_INSTALLATION_LENGTH, `an installation name must be at most ${MAX_INSTALLATION_LENGTH} characters`)
    .regex(INSTALLATION_RE, 'an installation name must be a DNS-1123 label (lower case letters, digits, -)')
    .default(DEFAULT_INSTALLATION),
  clusters: z.array(ClusterFileSchema).min(1, 'list at least one cluster'),
  globalNamespaces: z.array(GlobalNamespaceFileSchema).default([]),
  vipPool: z.string({ error: 'expected a CIDR block like 240.240.0.0/16' }).default(DEFAULT_VIP_POOL),
  vipReleaseAfter: z.string({ error: DURATION_HINT }).default(DEFAULT_VIP_RELEASE_AFTER),
  routing: z.enum(ROUTING_MODES, { error: 'expected none or istio' }).default('none'),
});
export type ConfigFile = z.input<typeof ConfigFileSchema>;

export interface ClusterConfig extends ClusterInfo {
  /** The kubeconfig context that reaches the cluster (default: its name). */
  readonly context: string;
  /** The AWS account of the cluster's agent, when it is not the deployment account (cloud only). */
  readonly awsAccountId?: string;
  /** An EKS cluster: its name and region (cloud only; endpoint and CA come from eks:DescribeCluster). */
  readonly eks?: EksCluster;
}

/** The loaded config: the topology (shared/ports.ts) with defaults filled in. */
export interface Config extends Topology {
  readonly clusters: readonly ClusterConfig[];
  readonly globalNamespaces: readonly GlobalNamespace[];
  readonly vipPool: string;
  readonly vipReleaseAfterMs: number;
  readonly routing: RoutingMode;
}

type Issue = { readonly path: readonly (string | number)[]; readonly message: string };

/** The first-found problem of each cross-field rule, in the order a reader would fix them. */
function crossFieldIssues(file: z.output<typeof ConfigFileSchema>): Issue[] {
  const issues: Issue[] = [];
  const clusterAt = new Map<string, number>();
  file.clusters.forEach((c, i) => {
    const first = clusterAt.get(c.name);
    if (first !== undefined) issues.push({ path: ['clusters', i, 'name'], message: `duplicate cluster name "${c.name}" (also clusters[${first}])` });
    else clusterAt.set(c.name, i);
  });
  for (const collision of cloudIdCollisions(file.clusters.map((c) => c.name))) issues.push({ path: ['clusters', collision.index, 'name'], message: collision.message });
  const gnsAt = new Map<string, number>();
  const memberOf = new Map<string, { gns: number; member: number }>();
  file.globalNamespaces.forEach((g, gi) => {
    const first = gnsAt.get(g.name);
    if (first !== undefined) issues.push({ path: ['globalNamespaces', gi, 'name'], message: `duplicate global namespace name "${g.name}" (also globalNamespaces[${first}])` });
    else gnsAt.set(g.name, gi);
    g.members.forEach((m, mi) => {
      const path = ['globalNamespaces', gi, 'members', mi];
      if (!clusterAt.has(m.cluster)) {
        issues.push({ path: [...path, 'cluster'], message: `unknown cluster "${m.cluster}" (not listed under clusters)` });
      }
      const key = `${m.cluster}/${m.namespace}`;
      const seen = memberOf.get(key);
      if (seen === undefined) memberOf.set(key, { gns: gi, member: mi });
      else if (seen.gns === gi) issues.push({ path, message: `duplicate member ${key} (also members[${seen.member}])` });
      else {
        const other = file.globalNamespaces[seen.gns]?.name ?? '';
        issues.push({ path: [...path, 'namespace'], message: `${key} is already a member of global namespace "${other}" (globalNamespaces[${seen.gns}]); a namespace belongs to at most one` });
      }
    });
  });
  file.clusters.forEach((c, i) => {
    if (c.istioConfigCluster !== undefined && !clusterAt.has(c.istioConfigCluster)) {
      issues.push({ path: ['clusters', i, 'istioConfigCluster'], message: `unknown cluster "${c.istioConfigCluster}" (not listed under clusters)` });
    }
    if (c.eastWestGateway !== undefined) {
      const gw = parseGatewayAddress(c.eastWestGateway);
      if (!gw.ok) issues.push({ path: ['clusters', i, 'eastWestGateway'], message: gw.reason });
    }
  });
  const pool = poolProblem(file.vipPool);
  if (pool) issues.push({ path: ['vipPool'], message: pool });
  const duration = parseDuration(file.vipReleaseAfter);
  if (!duration.ok) issues.push({ path: ['vipReleaseAfter'], message: duration.reason });
  return issues;
}

function poolProblem(pool: string): string | undefined {
  try {
    const usable = usableCount(parseCidr(pool.trim()));
    if (usable < MIN_POOL_ADDRESSES) {
      return `"${pool}" has ${usable} usable address${usable === 1n ? '' : 'es'}; a VIP pool needs at least ${MIN_POOL_ADDRESSES}`;
    }
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function gatewayOf(text: string): { address: string; port: number } {
  const gw = parseGatewayAddress(text);
  if (!gw.ok) throw new Error(`unreachable: eastWestGateway was validated (${gw.reason})`);
  return { address: gw.address, port: gw.port };
}

/** Milliseconds of a duration the cross-field rules have already accepted. */
function durationMs(text: string): number {
  const d = parseDuration(text);
  if (!d.ok) throw new Error(`unreachable: vipReleaseAfter was validated (${d.reason})`);
  return d.ms;
}

/** The config schema: the file's shape and rules, producing a Config with defaults filled in. */
export const ConfigSchema = ConfigFileSchema.superRefine((file, ctx) => {
  for (const issue of crossFieldIssues(file)) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
}).transform((file): Config => ({
  installation: file.installation,
  clusters: file.clusters.map((c) => ({
    name: c.name,
    network: c.network ?? c.name,
    context: c.context ?? c.name,
    ...(c.istioConfigCluster !== undefined ? { istioConfigCluster: c.istioConfigCluster } : {}),
    ...(c.awsAccountId ? { awsAccountId: c.awsAccountId } : {}),
    ...(c.eastWestGateway !== undefined ? { eastWestGateway: gatewayOf(c.eastWestGateway) } : {}),
    ...(c.eks ? { eks: { ...c.eks } } : {}),
  })),
  globalNamespaces: file.globalNamespaces.map((g) => ({ name: g.name, members: g.members.map((m) => ({ cluster: m.cluster, namespace: m.namespace })) })),
  vipPool: file.vipPool.trim(),
  vipReleaseAfterMs: durationMs(file.vipReleaseAfter),
  routing: file.routing,
}));
