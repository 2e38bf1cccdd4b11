// The event contract between agents and functions (docs/design.md §5): versioned zod schemas.
// Agents serialize with these types; functions parse with these schemas. One source of truth.
import * as z from 'zod'; // the namespace import lets esbuild drop what is unused (`{ z }` keeps all of zod: ADR 10)

/** HLC timestamp: 15 digits of milliseconds, a dot, 6 digits of counter (docs/adr/0002). */
export const HlcSchema = z.string().regex(/^\d{15}\.\d{6}$/, 'must be an HLC timestamp like 001764366000123.000004');

/** A Kubernetes label value (and so a cluster name): ≤ 63 of [A-Za-z0-9-_.], alphanumeric at both ends. */
export const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** A DNS-1123 label (namespace names, pod hostnames). */
export const DNS1123_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A DNS-1123 subdomain (pod names). */
export const DNS1123_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const ClusterNameSchema = z.string().min(1, 'must not be empty').max(63, 'must be at most 63 characters').regex(LABEL_VALUE_RE, 'must be a Kubernetes label value (letters, digits, -, _, .)');
export const NamespaceNameSchema = z.string().min(1, 'must not be empty').max(63, 'must be at most 63 characters').regex(DNS1123_LABEL_RE, 'must be a DNS-1123 label (lower case letters, digits, -)');
const ObjectNameSchema = z.string().min(1).max(253).regex(DNS1123_SUBDOMAIN_RE, 'must be a DNS-1123 subdomain');
const UidSchema = z.string().min(1).max(128);
const ProtocolSchema = z.enum(['TCP', 'UDP', 'SCTP']);
const PORT_RANGE = 'must be a port number from 1 to 65535';
const PortNumberSchema = z.number().int(PORT_RANGE).min(1, PORT_RANGE).max(65535, PORT_RANGE);
const LabelsSchema = z.record(z.string().min(1).max(317), z.string().max(63));

export const ContainerPortSchema = z.strictObject({
  name: z.string().min(1).max(15).optional(),
  containerPort: PortNumberSchema,
  protocol: ProtocolSchema,
});

const podRecordFields = {
  name: ObjectNameSchema,
  uid: UidSchema,
  labels: LabelsSchema,
  ips: z.array(z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' })).max(2),
  hostname: z.string().max(253).optional(),
  ready: z.boolean(),
  terminating: z.boolean(),
  ports: z.array(ContainerPortSchema).max(256),
  nodeName: z.string().max(253).optional(),
};

/** A pod's controller: its ownerReference with `controller: true` (kind and name). */
export const PodControllerSchema = z.strictObject({
  kind: z.string().min(1).max(63),
  name: ObjectNameSchema,
});

/** A v1 pod record: no controller (a v1 agent did not say; the pod's owner is unknown). */
export const PodRecordSchemaV1 = z.strictObject(podRecordFields);
/** A v2 pod record: `controller` is always stated, `null` when the pod has none. */
export const PodRecordSchemaV2 = z.strictObject({ ...podRecordFields, controller: PodControllerSchema.nullable() });
/** A pod record as the functions hold it: `controller` absent means unknown (from a v1 event). */
export const PodRecordSchema = z.strictObject({ ...podRecordFields, controller: PodControllerSchema.nullable().optional() });

export const ServicePortSchema = z.strictObject({
  name: z.string().max(63).optional(),
  port: PortNumberSchema,
  protocol: ProtocolSchema,
  targetPort: z.union([PortNumberSchema, z.string().min(1).max(15)]).optional(),
  appProtocol: z.string().max(253).optional(),
});

/** The longest selector annotation value published (characters). */
export const MAX_ANNOTATION_CHARS = 64 * 1024;
/** The most ports of a Service published. */
export const MAX_SERVICE_PORTS = 256;

export const ServiceRecordSchema = z.strictObject({
  name: ObjectNameSchema,
  uid: UidSchema,
  annotations: z.record(z.string(), z.string().max(MAX_ANNOTATION_CHARS)),
  clusterIP: z.string().max(64).optional(),
  selector: LabelsSchema.optional(),
  publishNotReadyAddresses: z.boolean(),
  ports: z.array(ServicePortSchema).max(MAX_SERVICE_PORTS),
  ipFamilies: z.array(z.enum(['IPv4', 'IPv6'])).max(2).optional(),
  /** Why the agent could not publish the Service as it is (annotations and ports then left out). */
  problem: z.string().min(1).max(1024).optional(),
});

/** Every event names its cluster and namespace and carries the agent's version of the change. */
const scopeV1 = {
  cluster: ClusterNameSchema,
  namespace: NamespaceNameSchema,
  v: HlcSchema,
};
/** When the agent observed the change (a snapshot: when its list was taken), ms since the epoch. */
const ObservedAtSchema = z.number().int('must be whole milliseconds since the epoch').min(0).max(Number.MAX_SAFE_INTEGER);
/** v2 adds the observation time (docs/adr/0002-event-ordering.md, "Contract versions"). */
const scopeV2 = { ...scopeV1, observedAt: ObservedAtSchema };
/** As the functions hold an event: `observedAt` is absent from a v1 event. */
const scope = { ...scopeV1, observedAt: ObservedAtSchema.optional() };

/** A versioned record inside a snapshot: its own last-change version (≤ the snapshot's `v`). */
const Versioned = <T extends z.ZodType>(record: T) => z.strictObject({ v: HlcSchema, record });

/** What every snapshot carries besides its scope and its pods. */
const snapshotFields = {
  /** Identifies the snapshot; its parts share it. */
  snapshotId: z.string().min(1).max(64),
  part: z.number().int().min(1),
  parts: z.number().int().min(1).max(1000),
  /** Every key (`pod/<name>`, `service/<name>`) present in the namespace at `v`, in every part. */
  keys: z.array(z.string().regex(/^(pod|service)\/[a-z0-9.-]+$/)),
  services: z.array(Versioned(ServiceRecordSchema)),
};
interface SnapshotShape {
  readonly v: string;
  readonly part: number;
  readonly parts: number;
  readonly pods: readonly { readonly v: string }[];
  readonly services: readonly { readonly v: string }[];
}
const partWithinParts: [(s: SnapshotShape) => boolean, { message: string; path: string[] }] = [
  (s) => s.part <= s.parts,
  { message: 'part must not exceed parts', path: ['part'] },
];
const recordsNotNewer: [(s: SnapshotShape) => boolean, { message: string; path: string[] }] = [
  (s) => [...s.pods, ...s.services].every((e) => e.v <= s.v),
  { message: "a record's version must not be newer than its snapshot", path: ['v'] },
];

// The wire schemas, one per detail type and version: what the parser accepts.
export const PodUpsertV1 = z.strictObject({ ...scopeV1, pod: PodRecordSchemaV1 });
export const PodDeleteV1 = z.strictObject({ ...scopeV1, name: ObjectNameSchema, uid: UidSchema });
export const ServiceUpsertV1 = z.strictObject({ ...scopeV1, service: ServiceRecordSchema });
export const ServiceDeleteV1 = z.strictObject({ ...scopeV1, name: ObjectNameSchema, uid: UidSchema });
export const NamespaceSnapshotV1 = z.strictObject({ ...scopeV1, ...snapshotFields, pods: z.array(Versioned(PodRecordSchemaV1)) }).refine(...partWithinParts).refine(...recordsNotNewer);
export const PodUpsertV2 = z.strictObject({ ...scopeV2, pod: PodRecordSchemaV2 });
/**
 * Optional in v2 (docs/adr/0019-a-restart-keeps-its-routing.md): `true` when the pod's
 * StatefulSet still wants its ordinal, so the deletion is a restart and the pod returns under
 * the same name. Absent (or false): not returning — a scale-down, an unknown controller, a v1
 * agent, any doubt.
 */
const ReturningSchema = z.boolean().optional();
export const PodDeleteV2 = z.strictObject({ ...scopeV2, name: ObjectNameSchema, uid: UidSchema, returning: ReturningSchema });
export const ServiceUpsertV2 = z.strictObject({ ...scopeV2, service: ServiceRecordSchema });
export const ServiceDeleteV2 = z.strictObject({ ...scopeV2, name: ObjectNameSchema, uid: UidSchema });
export const NamespaceSnapshotV2 = z.strictObject({ ...scopeV2, ...snapshotFields, pods: z.array(Versioned(PodRecordSchemaV2)) }).refine(...partWithinParts).refine(...recordsNotNewer);

// The events as the functions hold them (either version, upgraded): what the store merges.
const PodUpsertSchema = z.strictObject({ ...scope, pod: PodRecordSchema });
const PodDeleteSchema = z.strictObject({ ...scope, name: ObjectNameSchema, uid: UidSchema, returning: ReturningSchema });
const ServiceUpsertSchema = z.strictObject({ ...scope, service: ServiceRecordSchema });
const ServiceDeleteSchema = z.strictObject({ ...scope, name: ObjectNameSchema, uid: UidSchema });
const NamespaceSnapshotSchema = z.strictObject({ ...scope, ...snapshotFields, pods: z.array(Versioned(PodRecordSchema)) }).refine(...partWithinParts).refine(...recordsNotNewer);

/** The detail types agents publish (v2), also the `type` of every event the functions hold. */
export const DETAIL_TYPES = {
  podUpsert: 'gns-sync.pod.upsert.v2',
  podDelete: 'gns-sync.pod.delete.v2',
  serviceUpsert: 'gns-sync.service.upsert.v2',
  serviceDelete: 'gns-sync.service.delete.v2',
  snapshot: 'gns-sync.namespace.snapshot.v2',
} as const;

/** The v1 detail types: still accepted (an agent not yet upgraded, the archive), upgraded on parse. */
export const LEGACY_DETAIL_TYPES = {
  podUpsert: 'gns-sync.pod.upsert.v1',
  podDelete: 'gns-sync.pod.delete.v1',
  serviceUpsert: 'gns-sync.service.upsert.v1',
  serviceDelete: 'gns-sync.service.delete.v1',
  snapshot: 'gns-sync.namespace.snapshot.v1',
} as const;

export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];
export type LegacyDetailType = (typeof LEGACY_DETAIL_TYPES)[keyof typeof LEGACY_DETAIL_TYPES];

/** Every detail type the bus carries and the ingest accepts (rules, bus policy, parser). */
export const ACCEPTED_DETAIL_TYPES: readonly string[] = [...Object.values(DETAIL_TYPES), ...Object.values(LEGACY_DETAIL_TYPES)];

/** Every detail type an agent may publish (v2, and v1 of agents not yet upgraded), sorted: bus policy, agent roles. */
export const agentDetailTypes = (): string[] => [...new Set(ACCEPTED_DETAIL_TYPES)].sort();

/** The schema of each event kind as the functions hold it (the store validates with these). */
export const DETAIL_SCHEMAS = {
  [DETAIL_TYPES.podUpsert]: PodUpsertSchema,
  [DETAIL_TYPES.podDelete]: PodDeleteSchema,
  [DETAIL_TYPES.serviceUpsert]: ServiceUpsertSchema,
  [DETAIL_TYPES.serviceDelete]: ServiceDeleteSchema,
  [DETAIL_TYPES.snapshot]: NamespaceSnapshotSchema,
} as const;

/** The wire schema of each accepted detail type, and the kind (v2 type) it is held as. */
export const WIRE_SCHEMAS: Readonly<Record<string, { readonly schema: z.ZodType; readonly type: DetailType }>> = {
  [DETAIL_TYPES.podUpsert]: { schema: PodUpsertV2, type: DETAIL_TYPES.podUpsert },
  [DETAIL_TYPES.podDelete]: { schema: PodDeleteV2, type: DETAIL_TYPES.podDelete },
  [DETAIL_TYPES.serviceUpsert]: { schema: ServiceUpsertV2, type: DETAIL_TYPES.serviceUpsert },
  [DETAIL_TYPES.serviceDelete]: { schema: ServiceDeleteV2, type: DETAIL_TYPES.serviceDelete },
  [DETAIL_TYPES.snapshot]: { schema: NamespaceSnapshotV2, type: DETAIL_TYPES.snapshot },
  [LEGACY_DETAIL_TYPES.podUpsert]: { schema: PodUpsertV1, type: DETAIL_TYPES.podUpsert },
  [LEGACY_DETAIL_TYPES.podDelete]: { schema: PodDeleteV1, type: DETAIL_TYPES.podDelete },
  [LEGACY_DETAIL_TYPES.serviceUpsert]: { schema: ServiceUpsertV1, type: DETAIL_TYPES.serviceUpsert },
  [LEGACY_DETAIL_TYPES.serviceDelete]: { schema: ServiceDeleteV1, type: DETAIL_TYPES.serviceDelete },
  [LEGACY_DETAIL_TYPES.snapshot]: { schema: NamespaceSnapshotV1, type: DETAIL_TYPES.snapshot },
};

/** Every agent publishes with the source `gns-sync.io/cluster/<cluster name>`. */
export const SOURCE_PREFIX = 'gns-sync.io/cluster/';
export const sourceOf = (cluster: string): string => `${SOURCE_PREFIX}${cluster}`;

export type PodUpsert = z.infer<typeof PodUpsertSchema>;
export type PodDelete = z.infer<typeof PodDeleteSchema>;
export type ServiceUpsert = z.infer<typeof ServiceUpsertSchema>;
export type ServiceDelete = z.infer<typeof ServiceDeleteSchema>;
export type NamespaceSnapshot = z.infer<typeof NamespaceSnapshotSchema>;

/** A validated event, as the core merges it. */
export type GnsEvent =
  | { readonly type: typeof DETAIL_TYPES.podUpsert; readonly detail: PodUpsert }
  | { readonly type: typeof DETAIL_TYPES.podDelete; readonly detail: PodDelete }
  | { readonly type: typeof DETAIL_TYPES.serviceUpsert; readonly detail: ServiceUpsert }
  | { readonly type: typeof DETAIL_TYPES.serviceDelete; readonly detail: ServiceDelete }
  | { readonly type: typeof DETAIL_TYPES.snapshot; readonly detail: NamespaceSnapshot };

/** The EventBridge envelope as a rule target receives it (docs/design.md §5). */
export const EventBridgeEnvelopeSchema = z.looseObject({
  version: z.string().optional(),
  id: z.string().min(1),
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  account: z.string().optional(),
  time: z.string().optional(),
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: z.unknown(),
  'replay-name': z.string().optional(),
});
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelopeSchema>;
