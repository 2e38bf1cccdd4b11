// Validation as current Kubernetes does it for what the simulator serves: object names,
// labels, and the fields of Services, Pods, StatefulSets and (in full) EndpointSlices.
// Messages and field paths are apimachinery's, so a 422 reads like a real server's.
import { checkIp, endpointIpProblem } from '../ip.ts';
import type { KubeObject } from './objects.ts';
import { isPlainObject, membersEqual } from './objects.ts';
import type { ResourceDef } from './resources.ts';
import type { FieldError } from './status.ts';
import { fieldErr } from './status.ts';
import { endpointHintErrors, servicePortPairErrors, statefulSetUpdateErrors } from './validation-more.ts';
import { bindingErrors, pathSegmentNameErrors, secretErrors } from './auth/validation.ts';
import { RBAC_GROUP } from './auth/resources.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const MSG = {
  dns1123Label: "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
  dns1123Subdomain: "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  dns1035Label: "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  qualifiedName: "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  labelValue: "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
};

export function dns1123LabelErrors(field: string, value: string): FieldError[] {
  const out: FieldError[] = [];
  if (value.length > 63) out.push(fieldErr.invalid(field, value, 'must be no more than 63 characters'));
  if (!DNS1123_LABEL.test(value)) out.push(fieldErr.invalid(field, value, MSG.dns1123Label));
  return out;
}

export function dns1123SubdomainErrors(field: string, value: string): FieldError[] {
  const out: FieldError[] = [];
  if (value.length > 253) out.push(fieldErr.invalid(field, value, 'must be no more than 253 characters'));
  if (!DNS1123_SUBDOMAIN.test(value)) out.push(fieldErr.invalid(field, value, MSG.dns1123Subdomain));
  return out;
}

export function dns1035LabelErrors(field: string, value: string): FieldError[] {
  const out: FieldError[] = [];
  if (value.length > 63) out.push(fieldErr.invalid(field, value, 'must be no more than 63 characters'));
  if (!DNS1035_LABEL.test(value)) out.push(fieldErr.invalid(field, value, MSG.dns1035Label));
  return out;
}

/** IsQualifiedName: `[prefix/]name`, prefix a DNS-1123 subdomain. */
export function qualifiedNameProblems(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) out.push('prefix part must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN.test(prefix)) out.push(`prefix part ${MSG.dns1123Subdomain}`);
    }
  } else if (parts.length > 2) {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) out.push(MSG.qualifiedName);
  return out;
}

export function labelErrors(field: string, labels: unknown): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isPlainObject(labels)) return [fieldErr.invalid(field, labels, 'must be a map of string keys to string values')];
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const p of qualifiedNameProblems(k)) out.push(fieldErr.invalid(field, k, p));
    if (typeof v !== 'string') {
      out.push(fieldErr.invalid(`${field}`, v, 'must be a string'));
      continue;
    }
    if (v.length > 63) out.push(fieldErr.invalid(field, v, 'must be no more than 63 characters'));
    if (!LABEL_VALUE.test(v)) out.push(fieldErr.invalid(field, v, MSG.labelValue));
  }
  return out;
}

function annotationErrors(annotations: unknown): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isPlainObject(annotations)) return [fieldErr.invalid('metadata.annotations', annotations, 'must be a map of string keys to string values')];
  const out: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    for (const p of qualifiedNameProblems(k.toLowerCase())) out.push(fieldErr.invalid('metadata.annotations', k, p));
    total += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (total > 256 * 1024) out.push({ type: 'FieldValueTooLong', field: 'metadata.annotations', body: `Too long: may not be more than 262144 bytes` });
  return out;
}

type NameRule = 'label' | 'subdomain' | 'dns1035' | 'path';
const NAME_RULES: Readonly<Record<string, NameRule>> = {
  namespaces: 'label', services: 'dns1035', nodes: 'subdomain', pods: 'subdomain', configmaps: 'subdomain',
  statefulsets: 'label', endpointslices: 'subdomain', leases: 'subdomain', events: 'subdomain',
};

export function nameErrors(def: ResourceDef, name: string): FieldError[] {
  if (def.group === RBAC_GROUP) return pathSegmentNameErrors(name);
  const rule = NAME_RULES[def.plural] ?? 'subdomain';
  if (rule === 'label') return dns1123LabelErrors('metadata.name', name);
  if (rule === 'dns1035') return dns1035LabelErrors('metadata.name', name);
  return dns1123SubdomainErrors('metadata.name', name);
}

/** Metadata checks common to every object (name given, labels, annotations, owner references). */
export function metadataErrors(def: ResourceDef, obj: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const name = obj.metadata.name;
  if (!name) out.push(fieldErr.required('metadata.name', 'name or generateName is required'));
  else out.push(...nameErrors(def, name));
  out.push(...labelErrors('metadata.labels', obj.metadata.labels));
  out.push(...annotationErrors(obj.metadata.annotations));
  (obj.metadata.ownerReferences ?? []).forEach((ref, i) => {
    const f = `metadata.ownerReferences[${i}]`;
    if (!ref || !ref.apiVersion) out.push(fieldErr.invalid(`${f}.apiVersion`, ref?.apiVersion ?? '', 'version must not be empty'));
    if (!ref || !ref.kind) out.push(fieldErr.invalid(`${f}.kind`, ref?.kind ?? '', 'kind must not be empty'));
    if (!ref || !ref.name) out.push(fieldErr.invalid(`${f}.name`, ref?.name ?? '', 'name must not be empty'));
    if (!ref || !ref.uid) out.push(fieldErr.invalid(`${f}.uid`, ref?.uid ?? '', 'uid must not be empty'));
  });
  if ((obj.metadata.ownerReferences ?? []).filter((r) => r?.controller).length > 1) {
    out.push(fieldErr.invalid('metadata.ownerReferences', obj.metadata.ownerReferences, 'Only one reference can have Controller set to true'));
  }
  return out;
}

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

function portNumberErrors(field: string, port: unknown, allowZero = false): FieldError[] {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    return [fieldErr.invalid(field, port, `must be between ${allowZero ? 0 : 1} and 65535, inclusive`)];
  }
  return [];
}

export function endpointSliceErrors(obj: KubeObject, old?: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const addressType = obj.addressType;
  if (addressType === undefined || addressType === '') out.push(fieldErr.required('addressType'));
  else if (!['IPv4', 'IPv6', 'FQDN'].includes(String(addressType))) out.push(fieldErr.notSupported('addressType', addressType, ['FQDN', 'IPv4', 'IPv6']));
  if (old && old.addressType !== addressType) out.push(fieldErr.immutable('addressType', addressType));

  const endpoints = obj.endpoints;
  if (endpoints !== undefined && endpoints !== null && !Array.isArray(endpoints)) out.push(fieldErr.invalid('endpoints', endpoints, 'must be a list'));
  const eps = Array.isArray(endpoints) ? endpoints : [];
  if (eps.length > 1000) {
    out.push(fieldErr.tooMany('endpoints', eps.length, 1000));
  } else {
    eps.forEach((ep: unknown, i) => {
      const f = `endpoints[${i}]`;
      if (!isPlainObject(ep)) {
        out.push(fieldErr.invalid(f, ep, 'must be an object'));
        return;
      }
      const addrs = Array.isArray(ep.addresses) ? ep.addresses : [];
      if (addrs.length === 0) out.push(fieldErr.required(`${f}.addresses`, 'must contain at least 1 address'));
      else if (addrs.length > 100) out.push(fieldErr.tooMany(`${f}.addresses`, addrs.length, 100));
      addrs.forEach((a: unknown, j) => {
        const af = `${f}.addresses[${j}]`;
        const text = typeof a === 'string' ? a : String(a);
        if (addressType === 'IPv4' || addressType === 'IPv6') {
          const problem = checkIp(text, addressType === 'IPv4' ? 4 : 6) ?? endpointIpProblem(text);
          if (problem) out.push(fieldErr.invalid(af, text, problem));
        } else if (addressType === 'FQDN') {
          out.push(...dns1123SubdomainErrors(af, text));
        }
      });
      if (ep.hostname !== undefined && ep.hostname !== null) out.push(...dns1123LabelErrors(`${f}.hostname`, String(ep.hostname)));
      if (ep.nodeName !== undefined && ep.nodeName !== null) out.push(...dns1123SubdomainErrors(`${f}.nodeName`, String(ep.nodeName)));
      if (ep.zone !== undefined && ep.zone !== null && typeof ep.zone !== 'string') out.push(fieldErr.invalid(`${f}.zone`, ep.zone, 'must be a string'));
      if (ep.conditions !== undefined && ep.conditions !== null) {
        if (!isPlainObject(ep.conditions)) out.push(fieldErr.invalid(`${f}.conditions`, ep.conditions, 'must be an object'));
        else for (const c of ['ready', 'serving', 'terminating']) {
          const v = ep.conditions[c];
          if (v !== undefined && v !== null && typeof v !== 'boolean') out.push(fieldErr.invalid(`${f}.conditions.${c}`, v, 'must be a boolean'));
        }
      }
    });
  }

  const ports = Array.isArray(obj.ports) ? obj.ports : [];
  if (ports.length > 20000) out.push(fieldErr.tooMany('ports', ports.length, 20000));
  const names = new Set<string>();
  ports.forEach((p: unknown, i) => {
    const f = `ports[${i}]`;
    if (!isPlainObject(p)) {
      out.push(fieldErr.invalid(f, p, 'must be an object'));
      return;
    }
    const name = typeof p.name === 'string' ? p.name : '';
    if (name !== '') out.push(...dns1123LabelErrors(`${f}.name`, name));
    if (names.has(name)) out.push(fieldErr.duplicate(`${f}.name`, name));
    names.add(name);
    if (p.protocol === undefined || p.protocol === null) out.push(fieldErr.required(`${f}.protocol`));
    else if (!PROTOCOLS.includes(String(p.protocol))) out.push(fieldErr.notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    if (p.port !== undefined && p.port !== null) out.push(...portNumberErrors(`${f}.port`, p.port, true));
    if (p.appProtocol !== undefined && p.appProtocol !== null) {
      for (const problem of qualifiedNameProblems(String(p.appProtocol))) out.push(fieldErr.invalid(`${f}.appProtocol`, p.appProtocol, problem));
    }
  });
  return out;
}

export function serviceErrors(obj: KubeObject, old?: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const type = spec.type ?? 'ClusterIP';
  const types = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
  if (!types.includes(String(type))) out.push(fieldErr.notSupported('spec.type', type, types));
  const headless = spec.clusterIP === 'None';
  const ports = Array.isArray(spec.ports) ? spec.ports : [];
  if (ports.length === 0 && !headless && type !== 'ExternalName') out.push(fieldErr.required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p: unknown, i) => {
    const f = `spec.ports[${i}]`;
    if (!isPlainObject(p)) {
      out.push(fieldErr.invalid(f, p, 'must be an object'));
      return;
    }
    const name = typeof p.name === 'string' ? p.name : '';
    if (ports.length > 1 && name === '') out.push(fieldErr.required(`${f}.name`));
    else if (name !== '') {
      out.push(...dns1123LabelErrors(`${f}.name`, name));
      if (names.has(name)) out.push(fieldErr.duplicate(`${f}.name`, name));
    }
    names.add(name);
    out.push(...portNumberErrors(`${f}.port`, p.port));
    if (p.protocol !== undefined && !PROTOCOLS.includes(String(p.protocol))) out.push(fieldErr.notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    if (typeof p.targetPort === 'number') out.push(...portNumberErrors(`${f}.targetPort`, p.targetPort));
    else if (typeof p.targetPort === 'string' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.targetPort) && !/^\d+$/.test(p.targetPort)) {
      out.push(fieldErr.invalid(`${f}.targetPort`, p.targetPort, 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'));
    }
  });
  if (spec.selector !== undefined && spec.selector !== null) out.push(...labelErrors('spec.selector', spec.selector));
  if (old) {
    const oldSpec = isPlainObject(old.spec) ? old.spec : {};
    if (oldSpec.clusterIP !== undefined && spec.clusterIP !== undefined && spec.clusterIP !== '' && oldSpec.clusterIP !== spec.clusterIP) {
      out.push(fieldErr.immutable('spec.clusterIPs[0]', spec.clusterIP));
    }
  }
  return out;
}

const POD_SPEC_MUTABLE: ReadonlySet<string> = new Set(['containers', 'activeDeadlineSeconds', 'tolerations', 'terminationGracePeriodSeconds']);
const CONTAINER_MUTABLE: ReadonlySet<string> = new Set(['image']);

export function podErrors(obj: KubeObject, old?: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const containers = Array.isArray(spec.containers) ? spec.containers : [];
  if (containers.length === 0) out.push(fieldErr.required('spec.containers'));
  const names = new Set<string>();
  containers.forEach((c: unknown, i) => {
    const f = `spec.containers[${i}]`;
    if (!isPlainObject(c)) {
      out.push(fieldErr.invalid(f, c, 'must be an object'));
      return;
    }
    const name = typeof c.name === 'string' ? c.name : '';
    if (!name) out.push(fieldErr.required(`${f}.name`));
    else {
      out.push(...dns1123LabelErrors(`${f}.name`, name));
      if (names.has(name)) out.push(fieldErr.duplicate(`${f}.name`, name));
      names.add(name);
    }
    if (!c.image) out.push(fieldErr.required(`${f}.image`));
    (Array.isArray(c.ports) ? c.ports : []).forEach((p: unknown, j) => {
      const pf = `${f}.ports[${j}]`;
      if (!isPlainObject(p)) return;
      out.push(...portNumberErrors(`${pf}.containerPort`, p.containerPort));
      if (p.name !== undefined && (typeof p.name !== 'string' || p.name.length > 15 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(p.name) || !/[a-z]/.test(p.name))) {
        out.push(fieldErr.invalid(`${pf}.name`, p.name, 'must be no more than 15 characters, contain only alpha-numeric characters (a-z, 0-9), and hyphens (-), contain at least one letter (a-z)'));
      }
      if (p.protocol !== undefined && !PROTOCOLS.includes(String(p.protocol))) out.push(fieldErr.notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
    });
  });
  if (spec.hostname !== undefined) out.push(...dns1123LabelErrors('spec.hostname', String(spec.hostname)));
  if (spec.subdomain !== undefined) out.push(...dns1123LabelErrors('spec.subdomain', String(spec.subdomain)));
  if (old) {
    // Pod updates may not change the spec beyond a few fields (images, tolerations, ...).
    const oldSpec = isPlainObject(old.spec) ? old.spec : {};
    const cs = Array.isArray(spec.containers) ? spec.containers : [];
    const oldCs = Array.isArray(oldSpec.containers) ? oldSpec.containers : [];
    const containersSame = cs.length === oldCs.length && cs.every((c, i) => isPlainObject(c) && isPlainObject(oldCs[i]) && membersEqual(c, oldCs[i] as Record<string, unknown>, CONTAINER_MUTABLE));
    if (!containersSame || !membersEqual(spec, oldSpec, POD_SPEC_MUTABLE)) {
      out.push(fieldErr.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)'));
    }
  }
  return out;
}

export function statefulSetErrors(obj: KubeObject): FieldError[] {
  const out: FieldError[] = [];
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const replicas = spec.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)) {
    out.push(fieldErr.invalid('spec.replicas', replicas, 'must be greater than or equal to 0'));
  }
  const selector = spec.selector;
  if (!isPlainObject(selector)) out.push(fieldErr.required('spec.selector'));
  else {
    const matchLabels = isPlainObject(selector.matchLabels) ? selector.matchLabels : {};
    if (Object.keys(matchLabels).length === 0 && !Array.isArray(selector.matchExpressions)) {
      out.push(fieldErr.invalid('spec.selector', selector, 'empty selector is invalid for statefulset'));
    }
    out.push(...labelErrors('spec.selector.matchLabels', matchLabels));
    const template = isPlainObject(spec.template) ? spec.template : {};
    const tmeta = isPlainObject(template.metadata) ? template.metadata : {};
    const tlabels = isPlainObject(tmeta.labels) ? tmeta.labels : {};
    if (!Object.entries(matchLabels).every(([k, v]) => tlabels[k] === v)) {
      out.push(fieldErr.invalid('spec.template.metadata.labels', tlabels, '`selector` does not match template `labels`'));
    }
  }
  const template = isPlainObject(spec.template) ? spec.template : undefined;
  if (!template) out.push(fieldErr.required('spec.template'));
  else {
    const tspec = isPlainObject(template.spec) ? template.spec : {};
    if (!Array.isArray(tspec.containers) || tspec.containers.length === 0) out.push(fieldErr.required('spec.template.spec.containers'));
  }
  const policy = spec.podManagementPolicy;
  if (policy !== undefined && policy !== 'OrderedReady' && policy !== 'Parallel') out.push(fieldErr.notSupported('spec.podManagementPolicy', policy, ['OrderedReady', 'Parallel']));
  return out;
}

/** Kind-specific validation of a create (old undefined) or an update. */
export function kindErrors(def: ResourceDef, obj: KubeObject, old?: KubeObject): FieldError[] {
  switch (def.plural) {
    case 'endpointslices': return [...endpointSliceErrors(obj, old), ...endpointHintErrors(obj)];
    case 'services': return [...serviceErrors(obj, old), ...servicePortPairErrors(obj)];
    case 'pods': return podErrors(obj, old);
    case 'statefulsets': return [...statefulSetErrors(obj), ...(old ? statefulSetUpdateErrors(obj, old) : [])];
    case 'secrets': return secretErrors(obj, old);
    case 'rolebindings': case 'clusterrolebindings': return bindingErrors(obj, def.plural === 'clusterrolebindings', old);
    default: return [];
  }
}
