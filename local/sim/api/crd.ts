// Custom resources: the resources a cluster's CustomResourceDefinitions define, served like
// built-in kinds (one ResourceDef per served version, all versions sharing one storage, shown
// as the version asked for: conversion strategy None), and admission of custom objects
// (pruning and structural-schema validation) and of the definitions themselves.
import type { Schema } from './crd-schema.ts';
import { prune, schemaErrors } from './crd-schema.ts';
import type { KubeObject } from './objects.ts';
import { isPlainObject } from './objects.ts';
import type { ResourceDef } from './resources.ts';
import { apiVersionOf, findResource } from './resources.ts';
import type { FieldError } from './status.ts';
import { fieldErr } from './status.ts';
import type { ObjectStore } from './store.ts';
import { dns1035LabelErrors, dns1123SubdomainErrors } from './validation.ts';

export const CRD_STORAGE = 'customresourcedefinitions.apiextensions.k8s.io';

export interface PrinterColumn {
  readonly name: string;
  readonly type: string;
  readonly jsonPath: string;
  readonly description?: string;
  readonly priority?: number;
  readonly format?: string;
}

interface CustomInfo {
  readonly schema: Schema;
  readonly columns: readonly PrinterColumn[];
}

const infos = new WeakMap<ResourceDef, CustomInfo>();
const catalogs = new WeakMap<ObjectStore, { signature: string; defs: readonly ResourceDef[] }>();

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (isPlainObject(v) ? v : {});
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function defsOf(crd: KubeObject): ResourceDef[] {
  const spec = o(crd.spec);
  const names = o(spec.names);
  const group = String(spec.group ?? '');
  const plural = String(names.plural ?? '');
  const out: ResourceDef[] = [];
  for (const v of Array.isArray(spec.versions) ? spec.versions.map(o) : []) {
    if (v.served !== true) continue;
    const subresources = isPlainObject(o(v.subresources).status) ? (['status'] as const) : ([] as const);
    const def: ResourceDef = {
      group,
      version: String(v.name ?? ''),
      plural,
      singular: String(names.singular ?? String(names.kind ?? '').toLowerCase()),
      kind: String(names.kind ?? ''),
      namespaced: spec.scope !== 'Cluster',
      shortNames: strings(names.shortNames),
      categories: strings(names.categories),
      subresources,
      storage: `${plural}.${group}`,
      hasStatus: subresources.length > 0,
    };
    const columns = (Array.isArray(v.additionalPrinterColumns) ? v.additionalPrinterColumns.map(o) : [])
      .filter((c) => typeof c.name === 'string' && typeof c.jsonPath === 'string') as unknown as PrinterColumn[];
    infos.set(def, { schema: o(o(v.schema).openAPIV3Schema) as Schema, columns });
    out.push(def);
  }
  return out;
}

/** The custom resources a cluster serves now (CustomResourceDefinitions not being deleted). */
export function customResources(store: ObjectStore): readonly ResourceDef[] {
  const crds = [...store.bucket(CRD_STORAGE).values()].filter((c) => !c.metadata.deletionTimestamp);
  const signature = crds.map((c) => `${c.metadata.name}@${c.metadata.resourceVersion}`).join(',');
  const cached = catalogs.get(store);
  if (cached && cached.signature === signature) return cached.defs;
  const defs = crds.flatMap(defsOf);
  catalogs.set(store, { signature, defs });
  return defs;
}

export function isCustomDef(def: ResourceDef): boolean {
  return infos.has(def);
}

export function findCustomResource(store: ObjectStore, group: string, version: string, plural: string): ResourceDef | undefined {
  return customResources(store).find((d) => d.group === group && d.version === version && d.plural === plural);
}

export function customResourceByKind(store: ObjectStore, apiVersion: string, kind: string): ResourceDef | undefined {
  return customResources(store).find((d) => apiVersionOf(d) === apiVersion && d.kind === kind);
}

export function printerColumns(def: ResourceDef): readonly PrinterColumn[] | undefined {
  return infos.get(def)?.columns;
}

/** The openAPIV3Schema a custom resource's version is served with. */
export function customSchema(def: ResourceDef): Schema | undefined {
  return infos.get(def)?.schema;
}

/** A stored custom object as the version `def` serves (same fields: conversion None). */
export function presentCustom(def: ResourceDef, stored: KubeObject): KubeObject {
  const apiVersion = apiVersionOf(def);
  return stored.apiVersion === apiVersion ? stored : { ...stored, apiVersion };
}

/**
 * Admission for custom objects and definitions: prunes unknown fields of a custom object
 * (in place, before it is stored) and returns what its schema rejects; for a
 * CustomResourceDefinition, what makes it unservable. Other kinds: nothing.
 */
export function customErrors(def: ResourceDef, obj: KubeObject): FieldError[] {
  if (def.storage === CRD_STORAGE) return definitionErrors(obj);
  const info = infos.get(def);
  if (!info) return [];
  prune(info.schema, obj);
  return schemaErrors(info.schema, obj, '');
}

function definitionErrors(crd: KubeObject): FieldError[] {
  const spec = o(crd.spec);
  const names = o(spec.names);
  const out: FieldError[] = [];
  const group = typeof spec.group === 'string' ? spec.group : '';
  const plural = typeof names.plural === 'string' ? names.plural : '';
  if (group === '') out.push(fieldErr.required('spec.group'));
  else {
    out.push(...dns1123SubdomainErrors('spec.group', group));
    if (!group.includes('.')) out.push(fieldErr.invalid('spec.group', group, 'should be a domain with at least one dot'));
    if (findResource(group, 'v1', plural) || group === 'apiextensions.k8s.io') out.push(fieldErr.invalid('spec.group', group, 'is a built-in group of this server'));
  }
  if (plural === '') out.push(fieldErr.required('spec.names.plural'));
  else out.push(...dns1035LabelErrors('spec.names.plural', plural).map((e) => ({ ...e, field: 'spec.names.plural' })));
  if (typeof names.kind !== 'string' || names.kind === '') out.push(fieldErr.required('spec.names.kind'));
  if (plural !== '' && group !== '' && crd.metadata.name !== `${plural}.${group}`) {
    out.push(fieldErr.invalid('metadata.name', crd.metadata.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') out.push(fieldErr.notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions = Array.isArray(spec.versions) ? spec.versions.map(o) : [];
  if (versions.length === 0) out.push(fieldErr.required('spec.versions', 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage === true).length !== 1) out.push(fieldErr.invalid('spec.versions', versions.length, 'must have exactly one version marked as storage version'));
  versions.forEach((v, i) => {
    if (typeof v.name !== 'string' || v.name === '') out.push(fieldErr.required(`spec.versions[${i}].name`));
    const root = o(o(v.schema).openAPIV3Schema);
    if (!isPlainObject(o(v.schema).openAPIV3Schema)) out.push(fieldErr.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
    else if (root.type !== 'object') out.push(fieldErr.invalid(`spec.versions[${i}].schema.openAPIV3Schema.type`, root.type ?? '', 'must be object at the root'));
  });
  return out;
}
