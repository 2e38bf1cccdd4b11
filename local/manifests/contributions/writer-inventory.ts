// The inventory (shared/core/inventory.ts, docs/adr/0018-inventory.md): the sync and reconcile
// functions record, in one ConfigMap of gns-sync's own namespace, the namespaces where this
// installation has written objects, so the reconcile finds leftovers without a cluster-wide list.
import { DEFAULT_INSTALLATION } from '../../../shared/core/installation.ts';
import { inventoryName } from '../../../shared/core/inventory.ts';
import type { Contribution } from '../contribution.ts';

export const writerInventory: Contribution = {
  name: 'writer-inventory',
  grants: ({ config }) => [
    {
      who: 'writer',
      where: 'own',
      apiGroup: '',
      resources: ['configmaps'],
      resourceNames: [inventoryName(config.installation ?? DEFAULT_INSTALLATION)],
      verbs: ['get', 'update'],
      why: 'its inventory: the namespaces where it wrote objects, recorded before the first write there (the reconcile lists only those)',
    },
    {
      who: 'writer',
      where: 'own',
      apiGroup: '',
      resources: ['configmaps'],
      verbs: ['create'],
      why: 'the inventory is created at the first write; create cannot be limited by name, granted only in the own namespace (it cannot change existing ConfigMaps)',
    },
  ],
};
