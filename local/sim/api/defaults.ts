// Defaulting on create and update, as the API server's defaulters do for the fields users see
// in `kubectl get -o yaml` (protocols, policies, phases).
import type { KubeObject } from './objects.ts';
import { isPlainObject, microTimestamp, timestamp } from './objects.ts';
import type { ResourceDef } from './resources.ts';
import { defaultBinding, defaultSecret } from './auth/validation.ts';

type Obj = Record<string, unknown>;

function obj(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (isPlainObject(v)) return v;
  const fresh: Obj = {};
  parent[key] = fresh;
  return fresh;
}

function defaultContainers(spec: Obj): void {
  for (const list of ['containers', 'initContainers']) {
    const cs = spec[list];
    if (!Array.isArray(cs)) continue;
    for (const c of cs) {
      if (!isPlainObject(c)) continue;
      c.imagePullPolicy ??= typeof c.image === 'string' && (c.image.endsWith(':latest') || !c.image.includes(':')) ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
      if (Array.isArray(c.ports)) for (const p of c.ports) if (isPlainObject(p)) p.protocol ??= 'TCP';
    }
  }
}

/** SetDefaults_PodSpec; for a pod (not a template) also what admission adds: service account, priority, tolerations. */
export function defaultPodSpec(spec: Obj, pod: boolean): void {
  defaultContainers(spec);
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  spec.enableServiceLinks ??= true;
  if (!pod) return;
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount ??= spec.serviceAccountName;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  spec.tolerations ??= [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ];
}

/** metav1.MicroTime fields keep microseconds; metav1.Time fields keep seconds (as the server serializes them). */
function normalizeTime(parent: Obj, key: string, micro: boolean): void {
  const v = parent[key];
  if (typeof v !== 'string' || v === '') return;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return;
  parent[key] = micro ? microTimestamp(ms) : timestamp(ms);
}

/** Fills defaults in place on a fresh copy (never on a stored object). */
export function applyDefaults(def: ResourceDef, o: KubeObject): void {
  switch (def.plural) {
    case 'namespaces': {
      const spec = obj(o, 'spec');
      spec.finalizers ??= ['kubernetes'];
      const status = obj(o, 'status');
      status.phase ??= 'Active';
      o.metadata.labels = { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name ?? '' };
      break;
    }
    case 'pods': {
      defaultPodSpec(obj(o, 'spec'), true);
      const status = obj(o, 'status');
      status.phase ??= 'Pending';
      status.qosClass ??= 'BestEffort';
      break;
    }
    case 'services': {
      const spec = obj(o, 'spec');
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      spec.internalTrafficPolicy ??= 'Cluster';
      spec.ipFamilyPolicy ??= 'SingleStack';
      spec.ipFamilies ??= ['IPv4'];
      // An empty map is not stored (protobuf omits it): `selector: {}` reads back as no selector.
      if (isPlainObject(spec.selector) && Object.keys(spec.selector).length === 0) delete spec.selector;
      if (Array.isArray(spec.ports)) {
        for (const p of spec.ports) {
          if (!isPlainObject(p)) continue;
          p.protocol ??= 'TCP';
          p.targetPort ??= p.port;
        }
      }
      obj(o, 'status').loadBalancer ??= {};
      break;
    }
    case 'statefulsets': {
      const spec = obj(o, 'spec');
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.revisionHistoryLimit ??= 10;
      spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
      spec.persistentVolumeClaimRetentionPolicy ??= { whenDeleted: 'Retain', whenScaled: 'Retain' };
      spec.minReadySeconds ??= 0;
      const template = obj(spec, 'template');
      obj(template, 'metadata');
      defaultPodSpec(obj(template, 'spec'), false);
      obj(o, 'status').replicas ??= 0;
      break;
    }
    case 'endpointslices': {
      if (Array.isArray(o.ports)) {
        for (const p of o.ports) if (isPlainObject(p)) p.protocol ??= 'TCP';
      }
      if (Array.isArray(o.endpoints)) {
        for (const e of o.endpoints) if (isPlainObject(e)) e.conditions ??= {};
      }
      o.endpoints ??= null;
      break;
    }
    case 'leases': {
      const spec = obj(o, 'spec');
      normalizeTime(spec, 'acquireTime', true);
      normalizeTime(spec, 'renewTime', true);
      break;
    }
    case 'secrets':
      defaultSecret(o);
      break;
    case 'rolebindings':
    case 'clusterrolebindings':
      defaultBinding(o);
      break;
    case 'events': {
      normalizeTime(o, 'eventTime', true);
      for (const k of ['firstTimestamp', 'lastTimestamp', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp']) normalizeTime(o, k, false);
      if (o.apiVersion === 'v1') {
        o.count ??= 1;
        o.type ??= 'Normal';
      }
      break;
    }
  }
}
