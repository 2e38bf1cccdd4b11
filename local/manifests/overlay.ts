// A rendered cluster as a kustomize overlay: kustomization.yaml over the shared base
// (deploy/base: namespace, ServiceAccounts, the agent's Deployment), the RBAC of each identity,
// one file per contribution with objects. Text only; the command writes the files.
import { Document, isMap, isSeq, stringify } from 'yaml';
import { OWN_NAMESPACE } from './contribution.ts';
import { AGENT_CONFIGMAP } from './render.ts';
import type { Rendered, RenderedCluster } from './render.ts';

/** `name[:tag]` → kustomize's image override (a `:` in a registry's host:port is not a tag). */
export function splitImage(image: string): { newName: string; newTag?: string } {
  const colon = image.lastIndexOf(':');
  if (colon <= image.lastIndexOf('/')) return { newName: image };
  return { newName: image.slice(0, colon), newTag: image.slice(colon + 1) };
}

const comment = (lines: readonly string[]): string => lines.map((l) => `# ${l}`.trimEnd()).join('\n');

/** One object as a YAML document, its RBAC rules commented with their reasons. */
function documentOf(r: Rendered): string {
  const doc = new Document(r.object);
  const rules = doc.get('rules', true);
  if (isSeq(rules)) {
    rules.items.forEach((item, i) => {
      if (!isMap(item)) return;
      const note = r.ruleNotes[i];
      if (note !== undefined) item.commentBefore = ` ${note}`;
      for (const pair of item.items) if (isSeq(pair.value)) pair.value.flow = true;
    });
  }
  return doc.toString({ lineWidth: 0 });
}

const stream = (header: readonly string[], docs: readonly string[]): string => `${comment(header)}\n${docs.join('---\n')}`;

/**
 * The overlay's files, name → content. `basePath` is the base directory relative to the
 * overlay's (`../../base` in this repository).
 */
export function overlayFiles(rendered: RenderedCluster, basePath: string): Map<string, string> {
  const { ctx } = rendered;
  const name = ctx.cluster.name;
  const files = new Map<string, string>();
  const rbacFile = (who: 'agent' | 'writer', header: string[]) => {
    const docs = rendered.rbac[who].map(documentOf);
    if (docs.length > 0) files.set(`${who}-rbac.yaml`, stream(header, docs));
  };
  rbacFile('agent', [
    `The agent's access in cluster ${name}, rendered by \`gns-sync manifests\` (do not edit: change the`,
    'config or local/manifests/contributions/ and render again). Read pods and Services of the member',
    `namespaces (${ctx.members.join(', ') || 'none'}) and get their StatefulSets; its Lease in ${OWN_NAMESPACE}. It records no Events.`,
  ]);
  rbacFile('writer', [
    `What the sync and reconcile functions may do in cluster ${name} (as gns-sync-writer), rendered by`,
    '`gns-sync manifests`. When a namespace leaves its GNS, keep its gns-sync-writer Role and RoleBinding',
    '(kubectl apply -k does not delete them) until the reconcile logs it "clean", then delete them',
    '(docs/deploy.md). No cluster-wide grant: leftovers are found through the inventory ConfigMap.',
  ]);
  const extra = [...rendered.objects.entries()];
  for (const [contribution, objects] of extra) {
    files.set(`${contribution}.yaml`, stream([`Objects of ${contribution} in cluster ${name}, rendered by \`gns-sync manifests\`.`], objects.map((o) => documentOf({ object: o, ruleNotes: [] }))));
  }
  const resources = [basePath, ...[...files.keys()]];
  const image = splitImage(ctx.settings.image);
  const literals = rendered.agentEnv.map((e) => `${e.why === undefined ? '' : `      # ${e.why[0]?.toUpperCase()}${e.why.slice(1)}.\n`}      - ${stringify(`${e.name}=${e.value}`).trim()}`);
  files.set('kustomization.yaml', [
    comment([
      `gns-sync in cluster ${name}: the agent and the functions' access. Rendered by`,
      `  gns-sync manifests --config <config> --cluster ${name} --out <this directory>`,
      `Apply: kubectl apply -k <this directory>`,
    ]),
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...resources.map((r) => `  - ${r}`),
    'configMapGenerator:',
    `  - name: ${AGENT_CONFIGMAP}`,
    `    namespace: ${OWN_NAMESPACE}`,
    '    literals:',
    ...literals,
    'images:',
    '  - name: gns-sync-agent',
    '    # The image built from agent/Dockerfile, pushed to your registry (e.g. ECR).',
    `    newName: ${image.newName}`,
    ...(image.newTag === undefined ? [] : [`    newTag: ${stringify(image.newTag).trim()}`]),
    '# IRSA instead of EKS Pod Identity: uncomment with a role trusted by this cluster\'s OIDC provider.',
    '# patches:',
    '#   - target: { kind: ServiceAccount, name: gns-sync-agent }',
    '#     patch: |-',
    '#       - op: replace',
    '#         path: /metadata/annotations/eks.amazonaws.com~1role-arn',
    `#         value: arn:aws:iam::111122223333:role/gns-sync-agent-${name}`,
    '',
  ].join('\n'));
  return files;
}
