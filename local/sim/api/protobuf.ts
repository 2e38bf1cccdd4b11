// Just enough of the Kubernetes protobuf encoding to read what kubectl's typed clients send
// (`kubectl create namespace|configmap|service` post protobuf bodies): the `k8s\0` envelope
// (runtime.Unknown) and the messages of Namespace, ConfigMap and Service (field numbers of
// k8s.io/api/core/v1/generated.proto). Anything else gets 415.
import { ApiError } from './status.ts';

type Fields = Map<number, (Buffer | bigint)[]>;

function readVarint(buf: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const byte = buf[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
  }
}

function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, next] = readVarint(buf, pos);
    pos = next;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let value: Buffer | bigint;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [len, p] = readVarint(buf, pos);
      value = buf.subarray(p, p + Number(len));
      pos = p + Number(len);
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const strs = (f: Fields, n: number): string[] => (f.get(n) ?? []).filter(Buffer.isBuffer).map((b) => b.toString('utf8'));
const msg = (f: Fields, n: number): Fields | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? fields(v) : undefined;
};

function map(f: Fields, n: number, asBase64 = false): Record<string, string> | undefined {
  const entries = (f.get(n) ?? []).filter(Buffer.isBuffer);
  if (entries.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const e of entries) {
    const kv = fields(e);
    const raw = kv.get(2)?.[0];
    out[str(kv, 1) ?? ''] = Buffer.isBuffer(raw) ? (asBase64 ? raw.toString('base64') : raw.toString('utf8')) : '';
  }
  return out;
}

function objectMeta(f: Fields | undefined): Record<string, unknown> {
  if (!f) return {};
  const out: Record<string, unknown> = {};
  const name = str(f, 1);
  if (name) out.name = name;
  const generateName = str(f, 2);
  if (generateName) out.generateName = generateName;
  const namespace = str(f, 3);
  if (namespace) out.namespace = namespace;
  const rv = str(f, 6);
  if (rv) out.resourceVersion = rv;
  const labels = map(f, 11);
  if (labels) out.labels = labels;
  const annotations = map(f, 12);
  if (annotations) out.annotations = annotations;
  const finalizers = strs(f, 14);
  if (finalizers.length) out.finalizers = finalizers;
  return out;
}

const int = (f: Fields, n: number): number | undefined => {
  const v = f.get(n)?.[0];
  return typeof v === 'bigint' ? Number(BigInt.asIntN(32, v)) : undefined;
};
const bool = (f: Fields, n: number): boolean | undefined => {
  const v = f.get(n)?.[0];
  return typeof v === 'bigint' ? v === 1n : undefined;
};

/** intstr.IntOrString: type 0 = intVal (2), 1 = strVal (3). */
function intOrString(f: Fields | undefined): number | string | undefined {
  if (!f) return undefined;
  return int(f, 1) === 1 ? (str(f, 3) ?? '') : (int(f, 2) ?? 0);
}

/** ServiceSpec: ports 1, selector 2, clusterIP 3, type 4, sessionAffinity 7, externalName 10, publishNotReadyAddresses 13, ipFamilyPolicy 17, clusterIPs 18, ipFamilies 19, internalTrafficPolicy 22. */
function serviceSpec(f: Fields | undefined): Record<string, unknown> {
  if (!f) return {};
  const out: Record<string, unknown> = {};
  const ports = (f.get(1) ?? []).filter(Buffer.isBuffer).map((b) => {
    const p = fields(b);
    const port: Record<string, unknown> = {};
    for (const [key, n] of [['name', 1], ['protocol', 2], ['appProtocol', 6]] as const) if (str(p, n) !== undefined) port[key] = str(p, n);
    if (int(p, 3) !== undefined) port.port = int(p, 3);
    const target = intOrString(msg(p, 4));
    if (target !== undefined) port.targetPort = target;
    if (int(p, 5) !== undefined) port.nodePort = int(p, 5);
    return port;
  });
  if (ports.length) out.ports = ports;
  const selector = map(f, 2);
  if (selector) out.selector = selector;
  for (const [key, n] of [['clusterIP', 3], ['type', 4], ['sessionAffinity', 7], ['externalName', 10], ['ipFamilyPolicy', 17], ['internalTrafficPolicy', 22]] as const) {
    if (str(f, n) !== undefined) out[key] = str(f, n);
  }
  for (const [key, n] of [['clusterIPs', 18], ['ipFamilies', 19]] as const) if (strs(f, n).length) out[key] = strs(f, n);
  if (bool(f, 13) !== undefined) out.publishNotReadyAddresses = bool(f, 13);
  return out;
}

/** Decodes a protobuf request body into the JSON object it stands for. */
export function decodeProtobufObject(body: Buffer): unknown {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') {
    throw new ApiError(400, 'BadRequest', 'the protobuf body does not start with the Kubernetes envelope "k8s\\0"');
  }
  let unknown: Fields;
  try {
    unknown = fields(body.subarray(4));
  } catch (error) {
    throw new ApiError(400, 'BadRequest', `the protobuf body could not be decoded: ${(error as Error).message}`, undefined, { cause: error });
  }
  const typeMeta = msg(unknown, 1);
  const apiVersion = typeMeta ? str(typeMeta, 1) : undefined;
  const kind = typeMeta ? str(typeMeta, 2) : undefined;
  const raw = unknown.get(2)?.[0];
  if (!Buffer.isBuffer(raw)) throw new ApiError(400, 'BadRequest', 'the protobuf envelope carries no object');
  const o = fields(raw);
  if (apiVersion === 'v1' && kind === 'Namespace') {
    const spec = msg(o, 2);
    const finalizers = spec ? strs(spec, 1) : [];
    return { apiVersion, kind, metadata: objectMeta(msg(o, 1)), spec: finalizers.length ? { finalizers } : {} };
  }
  if (apiVersion === 'v1' && kind === 'ConfigMap') {
    const data = map(o, 2);
    const binaryData = map(o, 3, true);
    const immutable = o.get(4)?.[0];
    return { apiVersion, kind, metadata: objectMeta(msg(o, 1)), ...(data ? { data } : {}), ...(binaryData ? { binaryData } : {}), ...(immutable !== undefined ? { immutable: immutable === 1n } : {}) };
  }
  if (apiVersion === 'v1' && kind === 'Service') {
    return { apiVersion, kind, metadata: objectMeta(msg(o, 1)), spec: serviceSpec(msg(o, 2)) };
  }
  throw new ApiError(415, 'UnsupportedMediaType', `the simulated cluster reads protobuf bodies only for Namespaces, ConfigMaps and Services (got ${String(kind)} in ${String(apiVersion)}); send application/json (kubectl apply -f does)`);
}
