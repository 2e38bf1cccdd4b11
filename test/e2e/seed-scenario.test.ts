// docs/design.md §1, every bullet, end to end: simulated clusters, agents, bus, queues, functions, dynalite.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaPodIps } from '../../local/demo/checks.ts';
import { DEMO_CONFIG, podHostname } from '../../local/demo/scenario.ts';
import { startWorld, waitFor, type World } from './harness.ts';

let world: World;
beforeAll(async () => { world = await startWorld(); });
afterAll(async () => { await world?.stop(); });

describe('the seed scenario (docs/design.md §1)', () => {
  let vips: ReadonlyMap<string, string>;

  it('publishes pod IPs in clusterOne/ns-two and VIPs in clusterTwo/ns-one, with hostnames and named ports', async () => {
    const converged = await world.converged(3);
    vips = converged.vips;
    const ips = await kafkaPodIps(world.kube);
    for (const [pod, ip] of ips) expect(converged.podIps.get(pod)).toBe(ip);
    expect(new Set(vips.values()).size).toBe(3);

    const [same] = await world.slices('clusterOne', 'ns-two');
    expect(same?.metadata?.labels).toMatchObject({
      'kubernetes.io/service-name': 'kafka-headless', 'endpointslice.kubernetes.io/managed-by': 'gns-sync.io', 'gns-sync.io/gns': 'kafka-gns',
    });
    expect(same?.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Service', name: 'kafka-headless', controller: true });
    expect(same?.ports?.map((p) => [p.name, p.port, p.protocol]).sort()).toEqual([['tcp-client', 9092, 'TCP'], ['tcp-internal', 9093, 'TCP']]);
    expect(same?.endpoints?.map((e) => e.hostname).sort()).toEqual(['kafka-0', 'kafka-1', 'kafka-2']);
    expect(same?.endpoints?.every((e) => e.targetRef?.kind === 'Pod')).toBe(true);

    const [remote] = await world.slices('clusterTwo', 'ns-one');
    expect(remote?.endpoints?.map((e) => [e.hostname, e.addresses[0]]).sort()).toEqual([...vips].sort());
    expect(remote?.endpoints?.some((e) => e.targetRef !== undefined)).toBe(false);
    expect(remote?.ports?.map((p) => p.port).sort()).toEqual([9092, 9093]);
  });

  it('a converged world costs no writes: a reconcile writes nothing to the clusters', async () => {
    await world.runtime.idle();
    const before = world.sliceWrites();
    await world.runtime.reconcile();
    await world.runtime.idle();
    expect(world.sliceWrites()).toBe(before);
  });

  it('kafka-1 restarted: the new pod IP is followed in ns-two, its VIP unchanged', async () => {
    const old = (await kafkaPodIps(world.kube)).get('kafka-1');
    await world.kube.delete('clusterOne', 'v1', 'Pod', 'ns-one', 'kafka-1');
    const after = await waitFor('kafka-1 back with a new IP, published', async () => {
      const ip = (await kafkaPodIps(world.kube)).get('kafka-1');
      if (!ip || ip === old) return undefined;
      const c = await world.converged(3, 100).catch(() => undefined);
      return c?.podIps.get('kafka-1') === ip ? c : undefined;
    });
    expect(after.vips).toEqual(vips);
  });

  it('scaling to 5 adds 2 endpoints (2 new VIPs) everywhere; back to 2 removes them', async () => {
    await world.kube.scale('clusterOne', 'ns-one', 'kafka', 5);
    const five = await world.converged(5);
    for (const [pod, vip] of vips) expect(five.vips.get(pod)).toBe(vip);
    expect(new Set(five.vips.values()).size).toBe(5);

    await world.kube.scale('clusterOne', 'ns-one', 'kafka', 2);
    const two = await world.converged(2);
    expect(two.vips).toEqual(new Map([...vips].filter(([pod]) => pod === 'kafka-0' || pod === 'kafka-1')));
    // The scaled-down pods leave DNS as soon as they are Terminating (not ready); their endpoints
    // (terminating: true) leave the slice once the pods are gone.
    const remote = await waitFor('the remote slice holds 2 endpoints', async () => {
      const [slice] = await world.slices('clusterTwo', 'ns-one');
      return slice?.endpoints?.length === 2 ? slice : undefined;
    });
    expect(remote.endpoints?.map((e) => e.hostname).sort()).toEqual(['kafka-0', 'kafka-1']);
  });

  it('deleting a target Service removes its slices; the other target is untouched', async () => {
    await world.kube.delete('clusterTwo', 'v1', 'Service', 'ns-one', 'kafka-headless');
    await waitFor('the slices of clusterTwo/ns-one/kafka-headless are gone', async () => ((await world.slices('clusterTwo', 'ns-one')).length === 0 ? true : undefined));
    expect(world.fleet.cluster('clusterTwo').resolve(podHostname(0, 'ns-one'))).toEqual([]);
    expect(await world.slices('clusterOne', 'ns-two')).toHaveLength(1);
  });

  it('removing a member from the GNS (config change + restart) removes what gns-sync wrote there', async () => {
    const config = {
      ...DEMO_CONFIG,
      globalNamespaces: [{ name: 'kafka-gns', members: DEMO_CONFIG.globalNamespaces[0]!.members.filter((m) => m.namespace !== 'ns-two') }],
    };
    const runtime = await world.restart({ config });
    await runtime.reconcile();
    await waitFor('our slices in the removed member clusterOne/ns-two are gone', async () => ((await world.slices('clusterOne', 'ns-two')).length === 0 ? true : undefined));
    expect(world.fleet.cluster('clusterOne').resolve(podHostname(0, 'ns-two'))).toEqual([]);
  });
});
