// Field validation of custom resources as apiextensions-apiserver v0.33 does it
// (pkg/apiserver/customresource_handler.go schemaCoercingDecoder, schema/pruning/algorithm.go):
// unknown fields of metadata, then the fields the structural schema prunes (sorted paths), are
// what fieldValidation Strict refuses and Warn reports; pruning itself happens on admission
// (crd.ts customErrors), and wrong types are the schema's 422s.
import { customSchema } from './crd.ts';
import { prunedPaths } from './crd-schema.ts';
import { isPlainObject } from './objects.ts';
import type { ResourceDef } from './resources.ts';
import type { Decoder } from './strict.ts';
import { decodeAs } from './strict.ts';

export function customDecoder(def: ResourceDef): Decoder | undefined {
  const schema = customSchema(def);
  if (!schema) return undefined;
  return {
    kind: def.kind,
    duplicatesFirst: true,
    decode(body, prune) {
      const meta = isPlainObject(body) && isPlainObject(body.metadata) ? decodeAs('V1ObjectMeta', body.metadata, prune).unknown.map((p) => `metadata.${p}`) : [];
      return { unknown: [...meta, ...prunedPaths(schema, body)] };
    },
  };
}
