// Whether a deleted pod returns under the same name (docs/adr/0019-a-restart-keeps-its-routing.md):
// its controller is a StatefulSet that still wants its ordinal. A restart (`kubectl delete pod`,
// an eviction, a rolling update) deletes a pod whose ordinal the StatefulSet still wants, and
// the controller creates it again; a scale-down lowers `spec.replicas` before the controller
// deletes the pod, so the agent sees the lower count. Any doubt — no StatefulSet, another
// object of that name, one being deleted, the read failing or slow — means not returning: the
// deletion is published as it always was.
import { AppsV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { controllerReference } from './project.ts';

/** What the decision needs of a StatefulSet. */
export interface StatefulSetView {
  readonly uid?: string;
  /** spec.replicas (Kubernetes defaults it to 1). */
  readonly replicas: number;
  /** spec.ordinals.start (default 0, KEP-3335). */
  readonly ordinalsStart: number;
  /** metadata.deletionTimestamp is set. */
  readonly deleting: boolean;
}

/** Reads one StatefulSet; undefined when it does not exist. Throws on any other failure. */
export type StatefulSetReader = (namespace: string, name: string) => Promise<StatefulSetView | undefined>;

/** The deleted pod as the decision sees it: its name and its controller ownerReference. */
export interface DeletedPod {
  readonly name: string;
  readonly controller?: { readonly kind: string; readonly name: string; readonly uid?: string } | null;
}

/** The ordinal of pod `<sts>-<ordinal>` of StatefulSet `sts` (decimal, no leading zero), else undefined. */
export function ordinalOf(statefulSet: string, pod: string): number | undefined {
  const prefix = `${statefulSet}-`;
  if (!pod.startsWith(prefix)) return undefined;
  const rest = pod.slice(prefix.length);
  return /^(0|[1-9]\d{0,8})$/.test(rest) ? Number(rest) : undefined;
}

/** Pure: whether `sts` (the pod's controller, as read) still wants the pod's ordinal. */
export function wantsOrdinal(pod: DeletedPod, sts: StatefulSetView | undefined): boolean {
  const controller = pod.controller;
  if (!controller || controller.kind !== 'StatefulSet' || sts === undefined || sts.deleting) return false;
  // Another StatefulSet of the same name (deleted and recreated) does not bring this pod back.
  if (controller.uid !== undefined && controller.uid !== '' && sts.uid !== undefined && sts.uid !== controller.uid) return false;
  const ordinal = ordinalOf(controller.name, pod.name);
  if (ordinal === undefined) return false;
  return ordinal >= sts.ordinalsStart && ordinal < sts.ordinalsStart + sts.replicas;
}

/** The deleted pod's name and controller, from the object the informer delivered. */
export function deletedPodOf(pod: V1Pod): DeletedPod {
  const owner = controllerReference(pod);
  return {
    name: pod.metadata?.name ?? '',
    controller: owner === undefined ? null : { kind: owner.kind, name: owner.name, ...(owner.uid ? { uid: owner.uid } : {}) },
  };
}

export function statefulSetView(sts: V1StatefulSet): StatefulSetView {
  const replicas = sts.spec?.replicas;
  const start = sts.spec?.ordinals?.start;
  return {
    ...(sts.metadata?.uid ? { uid: sts.metadata.uid } : {}),
    replicas: typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0 ? replicas : 1,
    ordinalsStart: typeof start === 'number' && Number.isInteger(start) && start >= 0 ? start : 0,
    deleting: sts.metadata?.deletionTimestamp !== undefined && sts.metadata.deletionTimestamp !== null,
  };
}

const statusOf = (error: unknown): number | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
};

/** GET apps/v1 statefulsets/NAME in the namespace (the agent's `get` on statefulsets). */
export function kubeStatefulSetReader(kubeConfig: KubeConfig): StatefulSetReader {
  const api = kubeConfig.makeApiClient(AppsV1Api);
  return async (namespace, name) => {
    try {
      return statefulSetView(await api.readNamespacedStatefulSet({ name, namespace }));
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  };
}

/** How long the agent waits for the StatefulSet before publishing the deletion as not returning. */
export const RETURNING_READ_TIMEOUT_MS = 2_000;

/**
 * Whether the deleted pod returns: reads its StatefulSet (only when a StatefulSet controls it).
 * Never throws: a failed or slow read is `false` (`onError` hears why).
 */
export async function isReturning(
  read: StatefulSetReader,
  namespace: string,
  pod: DeletedPod,
  onError: (error: unknown) => void = () => {},
  timeoutMs = RETURNING_READ_TIMEOUT_MS,
): Promise<boolean> {
  const controller = pod.controller;
  if (!controller || controller.kind !== 'StatefulSet' || ordinalOf(controller.name, pod.name) === undefined) return false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reading StatefulSet ${namespace}/${controller.name} took over ${timeoutMs} ms`)), timeoutMs);
    });
    return wantsOrdinal(pod, await Promise.race([read(namespace, controller.name), timeout]));
  } catch (error) {
    onError(error);
    return false;
  } finally {
    clearTimeout(timer);
  }
}
