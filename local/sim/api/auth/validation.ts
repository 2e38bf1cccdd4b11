// Defaulting and validation of Secrets and RBAC bindings, as Kubernetes v1.32 does it for what
// kubectl and gns-sync's manifests send (pkg/apis/core/validation ValidateSecret,
// pkg/apis/rbac/validation, pkg/apis/rbac/v1/defaults.go; `stringData` merged into `data` as the
// Secret REST strategy does).
import type { KubeObject } from '../objects.ts';
import { isPlainObject, jsonEqual } from '../objects.ts';
import type { FieldError } from '../status.ts';
import { fieldErr } from '../status.ts';
import { SERVICE_ACCOUNT_TOKEN_TYPE } from './authenticate.ts';
import { RBAC_GROUP } from './resources.ts';

export const SA_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SA_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export function defaultSecret(o: KubeObject): void {
  o.type ??= 'Opaque';
  if (isPlainObject(o.stringData)) {
    const data = isPlainObject(o.data) ? o.data : {};
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    o.data = data;
  }
  delete o.stringData;
}

export function secretErrors(o: KubeObject, old?: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  if (old && old.type !== o.type) out.push(fieldErr.immutable('type', o.type));
  if (o.type === SERVICE_ACCOUNT_TOKEN_TYPE && !o.metadata.annotations?.[SA_NAME_ANNOTATION]) out.push(fieldErr.required(`metadata.annotations[${SA_NAME_ANNOTATION}]`));
  if (isPlainObject(o.data)) {
    for (const [k, v] of Object.entries(o.data)) {
      if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) out.push(fieldErr.invalid(`data[${k}]`, v, 'illegal base64 data'));
    }
  }
  return out;
}

/** SetDefaults_Subject: User and Group subjects in rbac.authorization.k8s.io, ServiceAccounts in the core group. */
export function defaultBinding(o: KubeObject): void {
  if (!Array.isArray(o.subjects)) return;
  for (const s of o.subjects) {
    if (isPlainObject(s) && s.apiGroup === undefined) s.apiGroup = s.kind === 'ServiceAccount' ? '' : RBAC_GROUP;
  }
}

export function bindingErrors(o: KubeObject, clusterScoped: boolean, old?: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const ref = isPlainObject(o.roleRef) ? o.roleRef : {};
  if (old && !jsonEqual(old.roleRef, o.roleRef)) out.push(fieldErr.invalid('roleRef', o.roleRef, 'cannot change roleRef'));
  const kinds = clusterScoped ? ['ClusterRole'] : ['Role', 'ClusterRole'];
  if (!kinds.includes(String(ref.kind ?? ''))) out.push(fieldErr.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (ref.apiGroup !== RBAC_GROUP) out.push(fieldErr.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  if (typeof ref.name !== 'string' || ref.name === '') out.push(fieldErr.required('roleRef.name'));
  (Array.isArray(o.subjects) ? o.subjects : []).forEach((s, i) => {
    const sub = isPlainObject(s) ? s : {};
    if (typeof sub.name !== 'string' || sub.name === '') out.push(fieldErr.required(`subjects[${i}].name`));
    if (sub.kind === 'ServiceAccount') {
      if (sub.apiGroup !== '') out.push(fieldErr.notSupported(`subjects[${i}].apiGroup`, sub.apiGroup, ['']));
      if (clusterScoped && (typeof sub.namespace !== 'string' || sub.namespace === '')) out.push(fieldErr.required(`subjects[${i}].namespace`));
    } else if (sub.kind === 'User' || sub.kind === 'Group') {
      if (sub.apiGroup !== RBAC_GROUP) out.push(fieldErr.notSupported(`subjects[${i}].apiGroup`, sub.apiGroup ?? '', [RBAC_GROUP]));
    } else out.push(fieldErr.notSupported(`subjects[${i}].kind`, sub.kind ?? '', ['ServiceAccount', 'User', 'Group']));
  });
  return out;
}

/** RBAC objects' names are path segments (ValidatePathSegmentName): `system:discovery` is valid. */
export function pathSegmentNameErrors(name: string): FieldError[] {
  if (name === '.' || name === '..') return [fieldErr.invalid('metadata.name', name, `may not be '${name}'`)];
  return ['/', '%'].filter((c) => name.includes(c)).map((c) => fieldErr.invalid('metadata.name', name, `may not contain '${c}'`));
}
