// The event contract between agents and functions (DESIGN.md §5): versioned zod schemas.
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

export const PodRecordSchema = z.strictObject({
  name: ObjectNameSchema,
  uid: UidSchema,
  labels: LabelsSchema,
  ips: z.array(z.union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address' })).max(2),
  hostname: z.string().max(253).optional(),
  ready: z.boolean(),
  terminating: z.boolean(),
  ports: z.array(ContainerPortSchema).max(256),
  nodeName: z.string().max(253).optional(),
});

export const ServicePortSchema = z.strictObject({
  name: z.string().max(63).optional(),
  port: PortNumberSchema,
  protocol: ProtocolSchema,
  targetPort: z.union([PortNumberSchema, z.string().min(1).max(15)]).optional(),
  appProtocol: z.string().max(253).optional(),
});

export const ServiceRecordSchema = z.strictObject({
  name: ObjectNameSchema,
  uid: UidSchema,
  annotations: z.record(z.string(), z.string().max(64 * 1024)),
  clusterIP: z.string().max(64).optional(),
  selector: LabelsSchema.optional(),
  publishNotReadyAddresses: z.boolean(),
  ports: z.array(ServicePortSchema).max(256),
  ipFamilies: z.array(z.enum(['IPv4', 'IPv6'])).max(2).optional(),
});

/** Every event names its cluster and namespace and carries the agent's version of the change. */
const scope = {
  cluster: ClusterNameSchema,
  namespace: NamespaceNameSchema,
  v: HlcSchema,
};

export const PodUpsertV1 = z.strictObject({ ...scope, pod: PodRecordSchema });
export const PodDeleteV1 = z.strictObject({ ...scope, name: ObjectNameSchema, uid: UidSchema });
export const ServiceUpsertV1 = z.strictObject({ ...scope, service: ServiceRecordSchema });
export const ServiceDeleteV1 = z.strictObject({ ...scope, name: ObjectNameSchema, uid: UidSchema });

/** A versioned record inside a snapshot: its own last-change version (≤ the snapshot's `v`). */
const Versioned = <T extends z.ZodType>(record: T) => z.strictObject({ v: HlcSchema, record });

export const NamespaceSnapshotV1 = z
  .strictObject({
    ...scope,
    /** Identifies the snapshot; its parts share it. */
    snapshotId: z.string().min(1).max(64),
    part: z.number().int().min(1),
    parts: z.number().int().min(1).max(1000),
    /** Every key (`pod/<name>`, `service/<name>`) present in the namespace at `v`, in every part. */
    keys: z.array(z.string().regex(/^(pod|service)\/[a-z0-9.-]+$/)),
    pods: z.array(Versioned(PodRecordSchema)),
    services: z.array(Versioned(ServiceRecordSchema)),
  })
  .refine((s) => s.part <= s.parts, { message: 'part must not exceed parts', path: ['part'] })
  .refine((s) => [...s.pods, ...s.services].every((e) => e.v <= s.v), {
    message: "a record's version must not be newer than its snapshot",
    path: ['v'],
  });

export const DETAIL_TYPES = {
  podUpsert: 'gns-sync.pod.upsert.v1',
  podDelete: 'gns-sync.pod.delete.v1',
  serviceUpsert: 'gns-sync.service.upsert.v1',
  serviceDelete: 'gns-sync.service.delete.v1',
  snapshot: 'gns-sync.namespace.snapshot.v1',
} as const;

export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

export const DETAIL_SCHEMAS = {
  [DETAIL_TYPES.podUpsert]: PodUpsertV1,
  [DETAIL_TYPES.podDelete]: PodDeleteV1,
  [DETAIL_TYPES.serviceUpsert]: ServiceUpsertV1,
  [DETAIL_TYPES.serviceDelete]: ServiceDeleteV1,
  [DETAIL_TYPES.snapshot]: NamespaceSnapshotV1,
} as const;

/** Every agent publishes with the source `gns-sync.io/cluster/<cluster name>`. */
export const SOURCE_PREFIX = 'gns-sync.io/cluster/';
export const sourceOf = (cluster: string): string => `${SOURCE_PREFIX}${cluster}`;

export type PodUpsert = z.infer<typeof PodUpsertV1>;
export type PodDelete = z.infer<typeof PodDeleteV1>;
export type ServiceUpsert = z.infer<typeof ServiceUpsertV1>;
export type ServiceDelete = z.infer<typeof ServiceDeleteV1>;
export type NamespaceSnapshot = z.infer<typeof NamespaceSnapshotV1>;

/** A validated event, as the core merges it. */
export type GnsEvent =
  | { readonly type: typeof DETAIL_TYPES.podUpsert; readonly detail: PodUpsert }
  | { readonly type: typeof DETAIL_TYPES.podDelete; readonly detail: PodDelete }
  | { readonly type: typeof DETAIL_TYPES.serviceUpsert; readonly detail: ServiceUpsert }
  | { readonly type: typeof DETAIL_TYPES.serviceDelete; readonly detail: ServiceDelete }
  | { readonly type: typeof DETAIL_TYPES.snapshot; readonly detail: NamespaceSnapshot };

/** The EventBridge envelope as a rule target receives it (DESIGN.md §5). */
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
