// Kubernetes protobuf request bodies (application/vnd.kubernetes.protobuf): the `k8s\0`
// envelope (runtime.Unknown: typeMeta 1, raw 2, as in apimachinery
// pkg/runtime/serializer/protobuf), then the object decoded from the field numbers in
// protobuf-messages.ts into the JSON the server would have received. Kinds without a message
// there are answered as docs/adr/0011-simulated-clusters.md says.
import type { FieldSpec, FieldType, Message } from './protobuf-messages.ts';
import { ALWAYS_SHOWN, MESSAGES } from './protobuf-messages.ts';
import type { ResourceDef } from './resources.ts';
import { apiVersionOf } from './resources.ts';
import { ApiError, badRequest } from './status.ts';

type Wire = Buffer | bigint;
type Fields = Map<number, Wire[]>;

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
    let value: Wire;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [len, p] = readVarint(buf, pos);
      if (p + Number(len) > buf.length) throw new Error('truncated length-delimited field');
      value = buf.subarray(p, p + Number(len));
      pos = p + Number(len);
    } else if (wire === 1 || wire === 5) {
      // fixed64/fixed32: no Kubernetes message the sim decodes uses them; skipped like unknown fields.
      value = buf.subarray(pos, pos + (wire === 1 ? 8 : 4));
      pos += wire === 1 ? 8 : 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field);
    if (list) list.push(value);
    else out.set(field, [value]);
  }
  return out;
}

const isEmpty = (v: unknown): boolean =>
  v === undefined || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);

function scalar(type: FieldType, w: Wire): unknown {
  if (type === 'string') return Buffer.isBuffer(w) ? w.toString('utf8') : undefined;
  if (type === 'bytes') return Buffer.isBuffer(w) ? w.toString('base64') : undefined;
  if (typeof w !== 'bigint') return undefined;
  if (type === 'bool') return w !== 0n;
  if (type === 'int32') return Number(BigInt.asIntN(32, w));
  return Number(BigInt.asIntN(64, w));
}

function value(spec: FieldSpec, w: Wire): unknown {
  const t = spec.type;
  if (typeof t === 'string') {
    if (t === 'time') {
      // metav1.Time {seconds 1, nanos 2}: RFC 3339 to the second, as its JSON form.
      if (!Buffer.isBuffer(w)) return undefined;
      const seconds = fields(w).get(1)?.[0];
      return typeof seconds === 'bigint' && seconds !== 0n ? new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z') : undefined;
    }
    if (t === 'intstr') {
      // intstr.IntOrString {type 1 (0 int, 1 string), intVal 2, strVal 3}.
      if (!Buffer.isBuffer(w)) return undefined;
      const o = fields(w);
      const kind = o.get(1)?.[0];
      return kind === 1n ? scalar('string', o.get(3)?.[0] ?? Buffer.alloc(0)) : Number(BigInt.asIntN(32, (o.get(2)?.[0] as bigint | undefined) ?? 0n));
    }
    return scalar(t, w);
  }
  if (!Buffer.isBuffer(w)) return undefined;
  if ('mapOf' in t) return undefined; // entries are gathered by decodeMessage
  return decodeMessage(t as Message, w, false);
}

function decodeMessage(message: Message, buf: Buffer, top: boolean): Record<string, unknown> {
  const raw = fields(buf);
  const out: Record<string, unknown> = {};
  for (const [no, wires] of raw) {
    const spec = message[no];
    if (!spec) continue; // unknown field numbers are skipped, as the generated Unmarshal does
    const t = spec.type;
    if (typeof t === 'object' && 'mapOf' in t) {
      const entries: Record<string, unknown> = {};
      for (const e of wires) {
        if (!Buffer.isBuffer(e)) continue;
        const kv = fields(e);
        entries[String(scalar('string', kv.get(1)?.[0] ?? Buffer.alloc(0)))] = scalar(t.mapOf, kv.get(2)?.[0] ?? Buffer.alloc(0));
      }
      if (Object.keys(entries).length > 0) out[spec.json] = entries;
      continue;
    }
    if (spec.repeated) {
      const items = wires.map((w) => value(spec, w)).filter((v) => v !== undefined);
      if (items.length > 0) out[spec.json] = items;
      continue;
    }
    const v = value(spec, wires[wires.length - 1]!);
    if (spec.pointer ? v !== undefined : !isEmpty(v)) out[spec.json] = v;
  }
  if (top) {
    for (const spec of Object.values(message)) if (ALWAYS_SHOWN.has(spec.json) && out[spec.json] === undefined) out[spec.json] = {};
  }
  return out;
}

/** What a real server answers for a custom resource's protobuf body (apiextensions serves JSON and YAML only). */
function customResourceRefusal(): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml');
}

/**
 * Decodes a protobuf request body for `def` into the JSON object it stands for. `custom`:
 * `def` is a custom resource (a real server answers 415: CRDs have no protobuf form).
 */
export function decodeProtobufObject(body: Buffer, def?: ResourceDef, custom = false): unknown {
  if (custom) throw customResourceRefusal();
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') {
    throw badRequest('provided object is not a Kubernetes protobuf message: the body does not start with the envelope "k8s\\0"');
  }
  let apiVersion: string | undefined;
  let kind: string | undefined;
  let raw: Wire | undefined;
  try {
    const unknown = fields(body.subarray(4));
    const typeMeta = unknown.get(1)?.[0];
    if (Buffer.isBuffer(typeMeta)) {
      const tm = fields(typeMeta);
      apiVersion = scalar('string', tm.get(1)?.[0] ?? Buffer.alloc(0)) as string;
      kind = scalar('string', tm.get(2)?.[0] ?? Buffer.alloc(0)) as string;
    }
    raw = unknown.get(2)?.[0];
  } catch (error) {
    throw new ApiError(400, 'BadRequest', `the protobuf body could not be decoded: ${(error as Error).message}`, undefined, { cause: error });
  }
  const message = MESSAGES[`${apiVersion} ${kind}`];
  if (!message) {
    const target = def ? `${def.kind} (${apiVersionOf(def)})` : 'this resource';
    throw new ApiError(415, 'UnsupportedMediaType', `the simulated cluster decodes protobuf bodies only for ${Object.keys(MESSAGES).map((k) => k.split(' ')[1]).filter((k, i, a) => a.indexOf(k) === i).join(', ')} (got ${String(kind)} in ${String(apiVersion)} for ${target}); send application/json (kubectl apply -f does)`);
  }
  if (!Buffer.isBuffer(raw)) throw badRequest('the protobuf envelope carries no object');
  try {
    return { apiVersion, kind, ...decodeMessage(message, raw, true) };
  } catch (error) {
    throw new ApiError(400, 'BadRequest', `${kind} in version "${apiVersion}" cannot be handled as a ${def?.kind ?? kind}: ${(error as Error).message}`, undefined, { cause: error });
  }
}
