// The reconcile finds leftover slices through each cluster's inventory, never a cluster-wide
// list (issue 11, finding 4; docs/adr/0018-inventory.md): it lists only member and inventoried
// namespaces, deletes the removed members' slices, forgets a namespace once it holds none (the
// log line the operator waits for), records member namespaces holding slices written before the
// inventory existed, and never forgets against an inventory that changed since it was read.
import { beforeEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../functions/reconcile/reconcile.ts';
import type { ReconcileDeps } from '../../../functions/reconcile/reconcile.ts';
import type { Log } from '../../../functions/log.ts';
import { KIND_ENDPOINTSLICES, KIND_SERVICEENTRIES } from '../../../shared/core/inventory.ts';
import type { Slice } from '../../../shared/core/types.ts';
import { FakeClock, FakeClusters, FakeQueue, FakeStore, FakeVips, topology, seedScenario } from './fakes.ts';

const ourSlice = (namespace: string, name: string, installation?: string): Slice => ({
  name, namespace,
  labels: {
    'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': 'kafka-gns',
    ...(installation === undefined ? {} : { 'gns-sync.io/installation': installation }),
  },
  ownerReferences: [], addressType: 'IPv4', endpoints: [], ports: [],
});

let clusters: FakeClusters;
let deps: ReconcileDeps;
let lines: { level: string; message: string; attributes?: Readonly<Record<string, unknown>> }[];
const clock = new FakeClock();

beforeEach(async () => {
  const store = new FakeStore();
  await store.put(...seedScenario(1));
  clusters = new FakeClusters();
  lines = [];
  const rec = (level: string): Log[keyof Log] => (message, attributes) => void lines.push({ level, message, ...(attributes ? { attributes } : {}) });
  deps = { topology: topology(), store, queue: new FakeQueue(), vips: new FakeVips(), clusters, log: { debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') } };
});

describe('the reconcile and the inventory', () => {
  it('lists only the member and inventoried namespaces, one namespaced list each (no cluster-wide list)', async () => {
    const one = clusters.cluster('clusterOne');
    one.inventory.kinds.set(KIND_ENDPOINTSLICES, new Set(['ns-removed']));
    await reconcile(deps, clock.now());
    expect(one.reads.filter((r) => r.startsWith('list managed')).sort()).toEqual(['list managed ns-one', 'list managed ns-removed', 'list managed ns-two']);
    expect(clusters.cluster('clusterTwo').reads.filter((r) => r.startsWith('list managed'))).toEqual(['list managed ns-one']);
  });

  it("deletes a removed member's slices, then forgets the namespace at the next run and says its grants may go", async () => {
    const one = clusters.cluster('clusterOne');
    one.seed(ourSlice('ns-removed', 'kafka-headless-gns-1'));
    expect(one.inventory.sliceNamespaces()).toEqual(['ns-removed']);
    const first = await reconcile(deps, clock.now());
    expect(first.orphanSlicesDeleted).toBe(1);
    expect(one.slices.size).toBe(0);
    // Listed holding a slice this run: still inventoried, and the operator is told to wait.
    expect(one.inventory.sliceNamespaces()).toEqual(['ns-removed']);
    expect(lines.find((l) => l.level === 'warn' && /still hold/.test(l.message))?.attributes).toMatchObject({ cluster: 'clusterOne', namespaces: ['ns-removed'] });
    lines.length = 0;
    await reconcile(deps, clock.now());
    expect(one.inventory.sliceNamespaces()).toEqual([]);
    expect(one.inventory.calls).toEqual([`forget ${KIND_ENDPOINTSLICES} ns-removed`]);
    expect(lines.find((l) => /namespaces clean/.test(l.message))).toMatchObject({ level: 'info', attributes: { cluster: 'clusterOne', namespaces: ['ns-removed'] } });
    expect(lines.find((l) => /namespaces clean/.test(l.message))?.message).toMatch(/grants there may go/);
  });

  it("a slice of ours in a namespace the inventory does not list is not found (what a cluster-wide list would have exposed)", async () => {
    const one = clusters.cluster('clusterOne');
    one.seed(ourSlice('ns-unlisted', 'kafka-headless-gns-1'));
    one.inventory.kinds.clear();
    const result = await reconcile(deps, clock.now());
    expect(result.orphanSlicesDeleted).toBe(0);
    expect(one.reads).not.toContain('list managed ns-unlisted');
  });

  it('never forgets a member namespace', async () => {
    const one = clusters.cluster('clusterOne');
    one.seed(ourSlice('ns-two', 'kafka-headless-gns-2'));
    await reconcile(deps, clock.now());
    await reconcile(deps, clock.now());
    expect(one.inventory.sliceNamespaces()).toEqual(['ns-two']);
    expect(one.inventory.calls).toEqual([]);
  });

  it('records a member namespace holding slices written before the inventory existed (upgrade)', async () => {
    const one = clusters.cluster('clusterOne');
    one.seed(ourSlice('ns-two', 'kafka-headless-gns-2'));
    one.inventory.kinds.clear();
    await reconcile(deps, clock.now());
    expect(one.inventory.sliceNamespaces()).toEqual(['ns-two']);
    expect(one.inventory.calls).toEqual([`record ${KIND_ENDPOINTSLICES} ns-two`]);
  });

  it('does not forget against an inventory changed since it was read (a writer recorded meanwhile); forgets at the next run', async () => {
    const one = clusters.cluster('clusterOne');
    one.inventory.kinds.set(KIND_ENDPOINTSLICES, new Set(['ns-removed']));
    const listManaged = one.listManagedSlices.bind(one);
    let raced = false;
    one.listManagedSlices = async (ns) => {
      if (!raced) {
        raced = true;
        await one.inventory.record(KIND_SERVICEENTRIES, 'ns-other'); // another writer, between read and forget
      }
      return listManaged(ns);
    };
    await reconcile(deps, clock.now());
    expect(one.inventory.sliceNamespaces()).toEqual(['ns-removed']);
    await reconcile(deps, clock.now());
    expect(one.inventory.sliceNamespaces()).toEqual([]);
    expect([...(one.inventory.kinds.get(KIND_SERVICEENTRIES) ?? [])]).toEqual(['ns-other']);
  });

  it("another installation's slices in an inventoried namespace are neither deleted nor counted", async () => {
    const one = clusters.cluster('clusterOne');
    one.seed(ourSlice('ns-removed', 'theirs', 'team-b'));
    const result = await reconcile(deps, clock.now());
    expect(result.orphanSlicesDeleted).toBe(0);
    expect(one.slices.has('ns-removed/theirs')).toBe(true);
    expect(one.inventory.sliceNamespaces()).toEqual([]); // ours: none there; forgotten
  });

  it('a failing inventory read fails that cluster only, and deletes nothing there', async () => {
    const one = clusters.cluster('clusterOne');
    one.seed(ourSlice('ns-removed', 'kafka-headless-gns-1'));
    one.inventory.read = async () => {
      throw new Error('403 configmaps is forbidden');
    };
    await expect(reconcile(deps, clock.now())).rejects.toThrow(/cluster clusterOne.*forbidden/);
    expect(one.slices.size).toBe(1);
  });
});
