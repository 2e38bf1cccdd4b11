// A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, Kubernetes ≥ 1.30) and its
// binding: the API server refuses the writer's creates, updates and deletes of EndpointSlices
// (and, with routing: istio, ServiceEntries) that are not labelled as this installation's, so a
// stolen writer credential cannot rewrite or delete the slices of the cluster's other Services
// (RBAC grants per namespace and resource; only admission sees labels). An update must find the
// object ours before and leave it ours after (no taking over a foreign slice by relabelling it).
// Unlabelled slices of gns-sync belong to the default installation (docs/adr/0015): the default
// installation's policy accepts them, so its first sync can add the label.
// The CEL is evaluated in tests by a small interpreter of the subset used here
// (test/security/admission-policy.test.ts).
import { DEFAULT_INSTALLATION, LABEL_INSTALLATION, perInstallationName } from '../../../shared/core/installation.ts';
import { LABEL_ROUTING_MANAGED_BY } from '../../../shared/core/routing/types.ts';
import { LABEL_MANAGED_BY, MANAGED_BY } from '../../../shared/core/types.ts';
import type { Contribution, KubeObject, RenderContext } from '../contribution.ts';
import { OWN_NAMESPACE } from '../contribution.ts';

/** The usernames the writer acts as: its ServiceAccount (token), or an EKS access entry's `--username gns-sync-writer`. */
export const WRITER_USERNAMES = [`system:serviceaccount:${OWN_NAMESPACE}:gns-sync-writer`, 'gns-sync-writer'] as const;

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** CEL: whether `obj` (`object` or `oldObject`) carries the managed-by label and this installation's. */
export function ownedExpression(obj: 'object' | 'oldObject', installation: string): string {
  const labels = `${obj}.metadata.labels`;
  const inst = quote(LABEL_INSTALLATION);
  const ofInstallation = installation === DEFAULT_INSTALLATION
    ? `(!(${inst} in ${labels}) || ${labels}[${inst}] == ${quote(installation)})`
    : `(${inst} in ${labels} && ${labels}[${inst}] == ${quote(installation)})`;
  return `${obj} != null && has(${obj}.metadata.labels) && variables.managedBy in ${labels} && ${labels}[variables.managedBy] == ${quote(MANAGED_BY)} && ${ofInstallation}`;
}

export const admissionPolicyName = (installation: string): string => perInstallationName('gns-sync-writer-owns-only', installation);

export function admissionObjects(ctx: RenderContext): KubeObject[] {
  const installation = ctx.config.installation ?? DEFAULT_INSTALLATION;
  const name = admissionPolicyName(installation);
  const routing = ctx.config.routing === 'istio';
  const what = routing ? 'EndpointSlices and ServiceEntries' : 'EndpointSlices';
  const labels = { 'app.kubernetes.io/name': 'gns-sync-writer', 'app.kubernetes.io/part-of': 'gns-sync' };
  const operations = ['CREATE', 'UPDATE', 'DELETE'];
  const policy: KubeObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name, labels },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          { apiGroups: ['discovery.k8s.io'], apiVersions: ['v1'], operations, resources: ['endpointslices'] },
          ...(routing ? [{ apiGroups: ['networking.istio.io'], apiVersions: ['*'], operations, resources: ['serviceentries'] }] : []),
        ],
      },
      matchConditions: [{ name: 'the-gns-sync-writer', expression: `request.userInfo.username in [${WRITER_USERNAMES.map(quote).join(', ')}]` }],
      variables: [
        { name: 'managedBy', expression: `request.resource.resource == 'endpointslices' ? ${quote(LABEL_MANAGED_BY)} : ${quote(LABEL_ROUTING_MANAGED_BY)}` },
        { name: 'oldOwned', expression: ownedExpression('oldObject', installation) },
        { name: 'newOwned', expression: ownedExpression('object', installation) },
      ],
      validations: [
        {
          expression: "request.operation == 'CREATE' || variables.oldOwned",
          messageExpression: `'gns-sync-writer may update or delete only ${what} labelled ' + variables.managedBy + '=${MANAGED_BY} and ${LABEL_INSTALLATION}=${installation}: ' + request.namespace + '/' + request.name + ' is not'`,
          reason: 'Forbidden',
        },
        {
          expression: "request.operation == 'DELETE' || variables.newOwned",
          messageExpression: `'gns-sync-writer may create or update only ${what} labelled ' + variables.managedBy + '=${MANAGED_BY} and ${LABEL_INSTALLATION}=${installation}'`,
          reason: 'Forbidden',
        },
      ],
    },
  };
  const binding: KubeObject = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name, labels },
    spec: { policyName: name, validationActions: ['Deny'] },
  };
  return [policy, binding];
}

export const writerAdmission: Contribution = {
  name: 'writer-admission',
  objects: admissionObjects,
};
