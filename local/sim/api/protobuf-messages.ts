// Field numbers of the protobuf messages the simulated cluster decodes: the kinds kubectl's
// imperative commands post as application/vnd.kubernetes.protobuf (`kubectl create
// namespace|configmap|secret|serviceaccount|token|service|role|rolebinding|clusterrole|
// clusterrolebinding`, `kubectl auth can-i|whoami`) and autoscaling/v1 Scale. Taken from the
// `generated.proto` files of k8s.io/api and k8s.io/apimachinery v0.33.13 (Kubernetes 1.33):
// core/v1, rbac/v1, authentication/v1, authorization/v1, autoscaling/v1, meta/v1.

/** A scalar, a nested message, or a map whose entries are `{1: key, 2: value}`. */
export type FieldType = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'time' | 'intstr' | Message | { readonly mapOf: 'string' | 'bytes' };

export interface FieldSpec {
  readonly json: string;
  readonly type: FieldType;
  readonly repeated?: boolean;
  /**
   * A Go pointer (`*bool`, `*int64`, ...) or a field whose zero means something (Scale's
   * replicas): a zero on the wire is kept. Other zero scalars are what Go's generated code
   * writes for unset fields, and the JSON the server would store omits them.
   */
  readonly pointer?: boolean;
}

export type Message = { readonly [field: number]: FieldSpec };

const f = (json: string, type: FieldType, extra: Partial<FieldSpec> = {}): FieldSpec => ({ json, type, ...extra });
const strings = (json: string): FieldSpec => f(json, 'string', { repeated: true });

const ownerReference: Message = { 1: f('kind', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: f('controller', 'bool', { pointer: true }), 7: f('blockOwnerDeletion', 'bool', { pointer: true }) };

const objectMeta: Message = {
  1: f('name', 'string'), 2: f('generateName', 'string'), 3: f('namespace', 'string'), 5: f('uid', 'string'),
  6: f('resourceVersion', 'string'), 7: f('generation', 'int64'), 8: f('creationTimestamp', 'time'), 9: f('deletionTimestamp', 'time'),
  10: f('deletionGracePeriodSeconds', 'int64', { pointer: true }), 11: f('labels', { mapOf: 'string' }), 12: f('annotations', { mapOf: 'string' }),
  13: f('ownerReferences', ownerReference, { repeated: true }), 14: strings('finalizers'),
};

const labelSelectorRequirement: Message = { 1: f('key', 'string'), 2: f('operator', 'string'), 3: strings('values') };
const labelSelector: Message = { 1: f('matchLabels', { mapOf: 'string' }), 2: f('matchExpressions', labelSelectorRequirement, { repeated: true }) };

const servicePort: Message = { 1: f('name', 'string'), 2: f('protocol', 'string'), 3: f('port', 'int32'), 4: f('targetPort', 'intstr'), 5: f('nodePort', 'int32'), 6: f('appProtocol', 'string', { pointer: true }) };
const serviceSpec: Message = {
  1: f('ports', servicePort, { repeated: true }), 2: f('selector', { mapOf: 'string' }), 3: f('clusterIP', 'string'), 4: f('type', 'string'),
  5: strings('externalIPs'), 7: f('sessionAffinity', 'string'), 8: f('loadBalancerIP', 'string'), 9: strings('loadBalancerSourceRanges'),
  10: f('externalName', 'string'), 11: f('externalTrafficPolicy', 'string'), 12: f('healthCheckNodePort', 'int32'),
  13: f('publishNotReadyAddresses', 'bool'), 17: f('ipFamilyPolicy', 'string', { pointer: true }), 18: strings('clusterIPs'), 19: strings('ipFamilies'),
  20: f('allocateLoadBalancerNodePorts', 'bool', { pointer: true }), 21: f('loadBalancerClass', 'string', { pointer: true }),
  22: f('internalTrafficPolicy', 'string', { pointer: true }), 23: f('trafficDistribution', 'string', { pointer: true }),
};

const objectReference: Message = { 1: f('kind', 'string'), 2: f('namespace', 'string'), 3: f('name', 'string'), 4: f('uid', 'string'), 5: f('apiVersion', 'string'), 6: f('resourceVersion', 'string'), 7: f('fieldPath', 'string') };
const policyRule: Message = { 1: strings('verbs'), 2: strings('apiGroups'), 3: strings('resources'), 4: strings('resourceNames'), 5: strings('nonResourceURLs') };
const subject: Message = { 1: f('kind', 'string'), 2: f('apiGroup', 'string'), 3: f('name', 'string'), 4: f('namespace', 'string') };
const roleRef: Message = { 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') };
const binding: Message = { 1: f('metadata', objectMeta), 2: f('subjects', subject, { repeated: true }), 3: f('roleRef', roleRef) };
const selectorRequirements = (json: string): FieldSpec => f(json, { 1: f('rawSelector', 'string'), 2: f('requirements', labelSelectorRequirement, { repeated: true }) });
const resourceAttributes: Message = {
  1: f('namespace', 'string'), 2: f('verb', 'string'), 3: f('group', 'string'), 4: f('version', 'string'), 5: f('resource', 'string'),
  6: f('subresource', 'string'), 7: f('name', 'string'), 8: selectorRequirements('fieldSelector'), 9: selectorRequirements('labelSelector'),
};
const selfSubjectReview: Message = { 1: f('metadata', objectMeta) };

/** Top-level messages by `apiVersion kind` (the envelope's TypeMeta). */
export const MESSAGES: Readonly<Record<string, Message>> = {
  'v1 Namespace': { 1: f('metadata', objectMeta), 2: f('spec', { 1: strings('finalizers') }) },
  'v1 ConfigMap': { 1: f('metadata', objectMeta), 2: f('data', { mapOf: 'string' }), 3: f('binaryData', { mapOf: 'bytes' }), 4: f('immutable', 'bool', { pointer: true }) },
  'v1 Secret': { 1: f('metadata', objectMeta), 2: f('data', { mapOf: 'bytes' }), 3: f('type', 'string'), 4: f('stringData', { mapOf: 'string' }), 5: f('immutable', 'bool', { pointer: true }) },
  'v1 ServiceAccount': {
    1: f('metadata', objectMeta), 2: f('secrets', objectReference, { repeated: true }), 3: f('imagePullSecrets', { 1: f('name', 'string') }, { repeated: true }),
    4: f('automountServiceAccountToken', 'bool', { pointer: true }),
  },
  'v1 Service': { 1: f('metadata', objectMeta), 2: f('spec', serviceSpec) },
  'authentication.k8s.io/v1 TokenRequest': {
    1: f('metadata', objectMeta),
    2: f('spec', { 1: strings('audiences'), 3: f('boundObjectRef', { 1: f('kind', 'string'), 2: f('apiVersion', 'string'), 3: f('name', 'string'), 4: f('uid', 'string') }), 4: f('expirationSeconds', 'int64', { pointer: true }) }),
  },
  'authentication.k8s.io/v1 SelfSubjectReview': selfSubjectReview,
  'authentication.k8s.io/v1beta1 SelfSubjectReview': selfSubjectReview,
  'authorization.k8s.io/v1 SelfSubjectAccessReview': {
    1: f('metadata', objectMeta),
    2: f('spec', { 1: f('resourceAttributes', resourceAttributes), 2: f('nonResourceAttributes', { 1: f('path', 'string'), 2: f('verb', 'string') }) }),
  },
  // `kubectl auth can-i --list`: SelfSubjectRulesReviewSpec {namespace 1}.
  'authorization.k8s.io/v1 SelfSubjectRulesReview': { 1: f('metadata', objectMeta), 2: f('spec', { 1: f('namespace', 'string') }) },
  'rbac.authorization.k8s.io/v1 Role': { 1: f('metadata', objectMeta), 2: f('rules', policyRule, { repeated: true }) },
  'rbac.authorization.k8s.io/v1 ClusterRole': {
    1: f('metadata', objectMeta), 2: f('rules', policyRule, { repeated: true }),
    3: f('aggregationRule', { 1: f('clusterRoleSelectors', labelSelector, { repeated: true }) }),
  },
  'rbac.authorization.k8s.io/v1 RoleBinding': binding,
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding': binding,
  'autoscaling/v1 Scale': { 1: f('metadata', objectMeta), 2: f('spec', { 1: f('replicas', 'int32', { pointer: true }) }) },
};

/**
 * Top-level fields Go's encoding/json writes even when empty (struct fields: `omitempty` does
 * not drop a struct), e.g. a Namespace's `spec: {}`.
 */
export const ALWAYS_SHOWN = new Set(['metadata', 'spec']);
