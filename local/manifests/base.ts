// The shared base of every cluster's overlay, deploy/base: the namespace, the ServiceAccounts,
// the agent's Deployment. No RBAC: that is rendered from the contributions.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { packageRoot } from '../package-root.ts';
import type { KubeObject } from './contribution.ts';

export const baseDir = (): string => join(packageRoot(), 'deploy', 'base');

/** The base's objects, in its kustomization's order, with the agent image set to `image`. */
export function baseObjects(image: string): KubeObject[] {
  const dir = baseDir();
  const kustomization = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
  const objects = kustomization.resources.flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as KubeObject | null).filter((o) => o !== null));
  return objects.map((o) => (o.kind === 'Deployment' ? withImage(o, image) : o));
}

function withImage(deployment: KubeObject, image: string): KubeObject {
  const spec = deployment.spec as { template: { spec: { containers: { name: string; image: string }[] } } };
  const containers = spec.template.spec.containers.map((c) => (c.image === 'gns-sync-agent' ? { ...c, image } : c));
  return { ...deployment, spec: { ...spec, template: { ...spec.template, spec: { ...spec.template.spec, containers } } } };
}
