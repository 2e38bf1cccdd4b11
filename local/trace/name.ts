// The name trace follows: a per-pod DNS name of a headless Service, as a client's resolver
// reads it (`kafka-0.kafka-headless.ns-one.svc.cluster.local`, or relative to the client's
// namespace: `kafka-0.kafka-headless`, `kafka-0.kafka-headless.ns-one`).

export interface PodName {
  /** The pod's hostname label (`kafka-0`). */
  readonly host: string;
  readonly service: string;
  readonly namespace: string;
  /** The fully qualified name (`….svc.cluster.local`). */
  readonly fqdn: string;
}

/** Bad input: trace exits 2 and reads nothing. */
export class TraceInputError extends Error {
  override readonly name = 'TraceInputError';
}

const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function parsePodName(name: string, clientNamespace: string | undefined): PodName {
  const labels = name.trim().toLowerCase().replace(/\.$/, '').split('.');
  for (const l of labels) if (!LABEL.test(l)) throw new TraceInputError(`"${name}" is not a DNS name: "${l}" is not a DNS-1123 label`);
  let namespace: string | undefined;
  let domain = 'cluster.local';
  if (labels.length >= 5 && labels[3] === 'svc') {
    namespace = labels[2];
    domain = labels.slice(4).join('.');
  } else if (labels.length === 4 && labels[3] === 'svc') namespace = labels[2];
  else if (labels.length === 3) namespace = labels[2];
  else if (labels.length === 2) namespace = clientNamespace;
  else throw new TraceInputError(`"${name}" is not a per-pod name of a headless Service: write HOST.SERVICE[.NAMESPACE[.svc.DOMAIN]], e.g. kafka-0.kafka-headless.ns-one.svc.cluster.local`);
  if (namespace === undefined) throw new TraceInputError(`"${name}" names no namespace: write HOST.SERVICE.NAMESPACE or give --namespace`);
  const [host, service] = labels as [string, string];
  return { host, service, namespace, fqdn: `${host}.${service}.${namespace}.svc.${domain}` };
}
