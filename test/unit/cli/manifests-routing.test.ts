// The writer's RBAC for routing: istio (docs/adr/0013-routing-through-istio.md), rendered by
// `gns-sync manifests`: ServiceEntry verbs only in the namespaces they are written, only in
// Istio config clusters; gateway discovery reads everywhere; nothing with routing: none.
import { describe, expect, it } from 'vitest';
import { manifestSettings } from '../../../local/cli/commands/manifests.ts';
import type { KubeObject } from '../../../local/manifests/contribution.ts';
import { rbacObjects, renderCluster } from '../../../local/manifests/render.ts';
import { parseConfig } from '../../../shared/config/load.ts';

const TEXT = `
clusters: [{ name: a }, { name: b }, { name: remote, istioConfigCluster: a }]
globalNamespaces:
  - name: kafka
    members: [{ cluster: a, namespace: ns-one }, { cluster: b, namespace: ns-one }, { cluster: remote, namespace: apps }]
routing: istio
`;

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };
type Role = KubeObject & { rules: Rule[] };

function istioRules(config: ReturnType<typeof parseConfig>, cluster: string): string[] {
  const objects = rbacObjects(renderCluster(config, cluster, manifestSettings())) as Role[];
  return objects
    .filter((o) => (o.kind === 'Role' || o.kind === 'ClusterRole') && o.metadata.name === 'gns-sync-writer')
    .flatMap((o) => o.rules.filter((r) => r.apiGroups.includes('networking.istio.io') || r.resources.includes('services') || r.resources.includes('namespaces'))
      .map((r) => `${o.kind}/${o.metadata.name}@${o.metadata.namespace ?? '-'}: ${r.apiGroups.join(',')}/${r.resources.join(',')} ${r.verbs.join(',')}${r.resourceNames ? ` ${r.resourceNames.join(',')}` : ''}`))
    .sort();
}

describe('manifests: routing grants', () => {
  it("a config cluster: ServiceEntries in its (and its remotes') member namespaces and in istio-system, no cluster-wide ServiceEntry list, gateway discovery", () => {
    expect(istioRules(parseConfig(TEXT, 'test'), 'a')).toEqual([
      'ClusterRole/gns-sync-writer@-: /namespaces get istio-system',
      'ClusterRole/gns-sync-writer@-: /services list',
      'Role/gns-sync-writer@apps: networking.istio.io/serviceentries list,create,update,delete',
      'Role/gns-sync-writer@istio-system: networking.istio.io/serviceentries list,create,update,delete',
      'Role/gns-sync-writer@ns-one: networking.istio.io/serviceentries list,create,update,delete',
    ]);
  });

  it('a config cluster: the inventory ConfigMap the ServiceEntry writers record their namespaces in (docs/adr/0018)', () => {
    const objects = rbacObjects(renderCluster(parseConfig(TEXT, 'test'), 'a', manifestSettings())) as Role[];
    const configMaps = objects.filter((o) => o.kind === 'Role' && o.metadata.name === 'gns-sync-writer')
      .flatMap((o) => o.rules.filter((r) => r.resources.includes('configmaps')).map((r) => `${o.metadata.namespace}: ${r.verbs.join(',')}${r.resourceNames ? ` ${r.resourceNames.join(',')}` : ''}`)).sort();
    expect(configMaps).toEqual(['gns-sync: create', 'gns-sync: get,update gns-sync-inventory']);
  });

  it('a remote (primary-remote): no ServiceEntry grant at all, only gateway discovery', () => {
    expect(istioRules(parseConfig(TEXT, 'test'), 'remote')).toEqual([
      'ClusterRole/gns-sync-writer@-: /namespaces get istio-system',
      'ClusterRole/gns-sync-writer@-: /services list',
    ]);
  });

  it('routing: none: nothing about Istio', () => {
    expect(istioRules(parseConfig(TEXT.replace('routing: istio', 'routing: none'), 'test'), 'a')).toEqual([]);
  });
});
