// What a piece of gns-sync needs in a cluster, as a contribution to that cluster's manifests
// (`gns-sync manifests`): RBAC grants for the agent or the functions' writer, objects to create,
// settings for the agent. Each concern is one file under contributions/, listed in
// contributions/index.ts; the renderer (render.ts) turns them all into Roles, ClusterRoles,
// bindings and files, so the RBAC of a cluster comes from nowhere else.
import type { ClusterConfig, Config } from '../../shared/config/schema.ts';

/** The installation's own namespace: the agent, its Lease, the writer's ServiceAccount. */
export const OWN_NAMESPACE = 'gns-sync';

/** Whose permission: the agent's ServiceAccount, or the sync/reconcile functions' writer. */
export type Who = 'agent' | 'writer';

/**
 * Where a grant applies: the installation's own namespace, each member namespace of the cluster
 * (one Role per namespace), cluster-wide (a ClusterRole), or one named namespace.
 */
export type Where = 'own' | 'member' | 'cluster' | { readonly namespace: string };

/** One RBAC rule for one identity, with the reason a reviewer reads beside it. */
export interface Grant {
  readonly who: Who;
  readonly where: Where;
  readonly apiGroup: string;
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  /** Limits the rule to these object names (RBAC cannot limit `create`, `list` or `watch` by name). */
  readonly resourceNames?: readonly string[];
  /** Why gns-sync needs it: rendered as a comment above the rule. */
  readonly why: string;
}

/** A Kubernetes object as rendered to YAML. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [key: string]: unknown };
  readonly [key: string]: unknown;
}

/** Deployment settings that are not in the config (`gns-sync manifests` options). */
export interface ManifestSettings {
  /** The EventBridge bus name (same account) or ARN (another account). */
  readonly eventBus: string;
  /** The region of the deployed stacks. */
  readonly region: string;
  /** The agent image, `name[:tag]`. */
  readonly image: string;
}

/** What a contribution sees: the config, the cluster being rendered, the settings. */
export interface RenderContext {
  readonly config: Config;
  readonly cluster: ClusterConfig;
  /** The cluster's member namespaces, sorted, each once. */
  readonly members: readonly string[];
  readonly settings: ManifestSettings;
}

/** One entry of the agent's ConfigMap (its environment), with an optional comment. */
export interface EnvEntry {
  readonly name: string;
  readonly value: string;
  readonly why?: string;
}

export interface Contribution {
  /** Names the contribution; its objects go to `<name>.yaml` in the overlay. */
  readonly name: string;
  readonly grants?: (ctx: RenderContext) => readonly Grant[];
  /** Objects beyond RBAC (e.g. an admission policy), in the order they are written. */
  readonly objects?: (ctx: RenderContext) => readonly KubeObject[];
  /** Entries of the agent's ConfigMap (its environment). */
  readonly agentEnv?: (ctx: RenderContext) => readonly EnvEntry[];
}
