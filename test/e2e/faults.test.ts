// Faults end to end: every bus event delivered 3 times in shuffled order; one target cluster
// unreachable or answering 500s while the other keeps converging.
import { afterEach, describe, expect, it } from 'vitest';
import { kafkaPodIps } from '../../local/demo/checks.ts';
import { startWorld, waitFor, type World } from './harness.ts';

let world: World | undefined;
afterEach(async () => { await world?.stop(); world = undefined; });

describe('at-least-once, out-of-order delivery', () => {
  it('every bus event delivered 3 times, shuffled: the same final slices (a fault-free reconcile has nothing to write)', async () => {
    world = await startWorld();
    const w = world;
    const first = await w.converged(3);
    await w.runtime.idle();
    const { entries, deliveries } = { ...w.runtime.bus.counters };
    Object.assign(w.runtime.bus.faults, { copies: 3, shuffle: true, maxDelayMs: 50 });
    await w.kube.delete('clusterOne', 'v1', 'Pod', 'ns-one', 'kafka-1');
    await w.kube.scale('clusterOne', 'ns-one', 'kafka', 5);
    await waitFor('kafka-1 recreated', async () => ((await kafkaPodIps(w.kube)).size === 5 ? true : undefined));
    const five = await w.converged(5);
    for (const [pod, vip] of first.vips) expect(five.vips.get(pod)).toBe(vip);

    // The final slices are exactly what a fresh, fault-free sync computes from the stored state.
    Object.assign(w.runtime.bus.faults, { copies: 1, shuffle: false, maxDelayMs: 0 });
    await w.runtime.idle();
    expect(w.runtime.bus.counters.entries).toBeGreaterThan(entries);
    expect(w.runtime.bus.counters.deliveries - deliveries).toBe(3 * (w.runtime.bus.counters.entries - entries));
    const writes = w.sliceWrites();
    await w.runtime.reconcile();
    await w.runtime.idle();
    expect(w.sliceWrites()).toBe(writes);
    expect(w.runtime.deadLetters.ingest.list()).toEqual([]);
  });
});

describe('one target cluster down', () => {
  it.each([
    ['unreachable', (w: World) => { w.fleet.cluster('clusterTwo').faults.down = true; }, (w: World) => { w.fleet.cluster('clusterTwo').faults.down = false; }],
    ['answering 500s', (w: World) => { w.fleet.cluster('clusterTwo').faults.rate500 = 1; }, (w: World) => { w.fleet.cluster('clusterTwo').faults.rate500 = 0; }],
  ])('%s: the other target keeps converging; when it returns, it converges too', async (_, breakIt, fixIt) => {
    world = await startWorld({ runtime: { reconcileIntervalMs: 500 } });
    const w = world;
    const first = await w.converged(3);
    breakIt(w);
    const old = (await kafkaPodIps(w.kube)).get('kafka-0');
    await w.kube.delete('clusterOne', 'v1', 'Pod', 'ns-one', 'kafka-0');
    await w.kube.scale('clusterOne', 'ns-one', 'kafka', 4);
    // clusterOne/ns-two follows while clusterTwo is broken.
    await waitFor('clusterOne/ns-two follows kafka-0 and kafka-3', async () => {
      const ips = await kafkaPodIps(w.kube);
      const now = ips.get('kafka-0');
      if (!now || now === old || !ips.get('kafka-3')) return undefined;
      const [slice] = await w.slices('clusterOne', 'ns-two');
      const published = new Map((slice?.endpoints ?? []).map((e) => [e.hostname, e.addresses[0]]));
      return published.get('kafka-0') === now && published.get('kafka-3') === ips.get('kafka-3') ? true : undefined;
    });
    await waitFor('a failed sync of the broken cluster\'s target', () => (w.lines.some((l) => l.startsWith('sync clusterTwo/ns-one/kafka-headless') && l.includes('failed')) ? true : undefined));
    fixIt(w);
    const four = await w.converged(4);
    for (const [pod, vip] of first.vips) expect(four.vips.get(pod)).toBe(vip);
  });
});
