// The structural-schema checks of the simulated API server's custom resources: pruning and
// validation as apiextensions does them, table-driven, plus the real Istio 1.27.9 schemas.
import { describe, expect, it } from 'vitest';
import type { Schema } from '../../../local/sim/api/crd-schema.ts';
import { prune, prunedPaths, schemaErrors } from '../../../local/sim/api/crd-schema.ts';
import { istioCrds } from '../../../local/sim/istio/install.ts';

const ports: Schema = {
  type: 'object',
  required: ['hosts'],
  properties: {
    hosts: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    resolution: { type: 'string', enum: ['NONE', 'STATIC'] },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    target: { 'x-kubernetes-int-or-string': true },
    name: { type: 'string', maxLength: 3, pattern: '^[a-z]+$' },
    weight: { type: 'number', nullable: true },
    labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 1 },
    free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
    lb: { type: 'object', oneOf: [{ not: { anyOf: [{ required: ['simple'] }, { required: ['hash'] }] } }, { required: ['simple'] }, { required: ['hash'] }], properties: { simple: { type: 'string' }, hash: { type: 'string' } } },
  },
};

const fields = (value: unknown): string[] => schemaErrors(ports, value, 'spec').map((e) => `${e.field}: ${e.body}`);

describe('structural schema validation', () => {
  it.each([
    ['valid', { hosts: ['a'], resolution: 'STATIC', port: 80, target: 'http', name: 'abc', weight: null, labels: { a: 'b' }, lb: { simple: 'x' } }, []],
    ['int-or-string as a number', { hosts: [], target: 8080 }, []],
    ['missing required', {}, ['spec.hosts: Required value']],
    ['wrong type', { hosts: 'a' }, ['spec.hosts: Invalid value: "string": spec.hosts in body must be of type array: "string"']],
    ['item type', { hosts: [1] }, ['spec.hosts[0]: Invalid value: "integer": spec.hosts[0] in body must be of type string: "integer"']],
    ['enum', { hosts: [], resolution: 'DNS' }, ['spec.resolution: Unsupported value: "DNS": supported values: "NONE", "STATIC"']],
    ['maximum', { hosts: [], port: 70000 }, ['spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535']],
    ['integer, not number', { hosts: [], port: 1.5 }, ['spec.port: Invalid value: "number": spec.port in body must be of type integer: "number"']],
    ['int-or-string, a boolean', { hosts: [], target: true }, ['spec.target: Invalid value: "boolean": spec.target in body must be of type integer,string: "boolean"']],
    ['maxItems', { hosts: ['a', 'b', 'c'] }, ['spec.hosts: Too many: 3: must have at most 2 items']],
    ['maxLength and pattern', { hosts: [], name: 'ABCD' }, ['spec.name: Too long: may not be more than 3 bytes', "spec.name: Invalid value: \"ABCD\": spec.name in body should match '^[a-z]+$'"]],
    ['null where not nullable', { hosts: [], port: null }, ['spec.port: Invalid value: "null": spec.port in body must be of type integer: "null"']],
    ['additionalProperties schema', { hosts: [], labels: { a: 1 } }, ['spec.labels.a: Invalid value: "integer": spec.labels.a in body must be of type string: "integer"']],
    ['maxProperties', { hosts: [], labels: { a: 'x', b: 'y' } }, ['spec.labels: Too many: 2: must have at most 1 items']],
    ['oneOf: both alternatives', { hosts: [], lb: { simple: 'x', hash: 'y' } }, ['spec.lb: Invalid value: "object": spec.lb in body must validate one and only one schema (oneOf). Found 2 valid alternatives']],
  ])('%s', (_name, value, expected) => {
    expect(fields(value)).toEqual(expected);
  });

  it('prunes fields the schema does not name, keeps preserved ones, never the root metadata', () => {
    const obj = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', extra: 1 }, spec: { hosts: [], bogus: 1, free: { anything: { deep: true } }, labels: { k: 'v' } }, other: 2 };
    const root: Schema = { type: 'object', properties: { spec: ports } };
    prune(root, obj);
    expect(obj).toEqual({ apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n', extra: 1 }, spec: { hosts: [], free: { anything: { deep: true } }, labels: { k: 'v' } } });
  });
});

describe("Istio 1.27.9's own ServiceEntry schema", () => {
  const crd = istioCrds().find((c) => (c as { metadata: { name: string } }).metadata.name === 'serviceentries.networking.istio.io') as { spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  const schema = crd.spec.versions.find((v) => v.name === 'v1')!.schema.openAPIV3Schema;
  const se = (spec: unknown): unknown => ({ apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'x' }, spec });

  it('accepts a per-pod ServiceEntry with a gateway-network endpoint', () => {
    expect(schemaErrors(schema, se({ hosts: ['kafka-0.kafka-headless.ns-one.svc.cluster.local'], addresses: ['240.241.0.5'], ports: [{ number: 9092, name: 'tcp-kafka', protocol: 'TCP' }], location: 'MESH_INTERNAL', resolution: 'STATIC', endpoints: [{ network: 'west', labels: { 'security.istio.io/tlsMode': 'istio' } }], exportTo: ['*'] }), '')).toEqual([]);
  });

  // The 1..65535 port range is a CEL rule (x-kubernetes-validations), which the sim does not evaluate.
  it('rejects a missing hosts, an unknown resolution and a port number that is not an integer', () => {
    const errors = schemaErrors(schema, se({ resolution: 'SOMETIMES', ports: [{ number: '9092', name: 'p' }] }), '').map((e) => e.field);
    expect(errors).toEqual(expect.arrayContaining(['spec.hosts', 'spec.resolution', 'spec.ports[0].number']));
  });
});

describe('pruned paths (what fieldValidation Strict refuses and Warn reports)', () => {
  it('names each field pruning would remove, sorted, with array indexes, leaving the value as it was', () => {
    const schema: Schema = { type: 'object', properties: { spec: { type: 'object', properties: { list: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } };
    const value = { apiVersion: 'x/v1', kind: 'X', metadata: { name: 'n' }, zzz: 1, spec: { list: [{ a: 'ok', b: 1 }, { c: 2 }], free: { anything: true }, other: 1 } };
    const copy = JSON.parse(JSON.stringify(value)) as unknown;
    expect(prunedPaths(schema, value)).toEqual(['spec.list[0].b', 'spec.list[1].c', 'spec.other', 'zzz']);
    expect(value).toEqual(copy);
    prune(schema, value);
    expect(prunedPaths(schema, value)).toEqual([]);
  });
});
