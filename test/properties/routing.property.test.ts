// Properties of the routing core (docs/adr/0013-routing-through-istio.md) over generated
// states: applying a plan and planning again yields nothing; client entries exist exactly
// for the VIP endpoints of the slices, and every one has a gateway entry with the same host.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredSlices } from '../../shared/core/desired.ts';
import { desiredClientEntries, desiredGatewayEntries } from '../../shared/core/routing/entries.ts';
import { planEntries, planWrites } from '../../shared/core/routing/plan.ts';
import { routedPods } from '../../shared/core/routing/routed.ts';
import type { ServiceEntry } from '../../shared/core/routing/types.ts';
import { deepFreeze } from '../unit/core/factories.ts';
import { inputArb } from './arbitraries.ts';

const key = (e: ServiceEntry) => `${e.cluster}/${e.namespace}/${e.name}`;

function apply(existing: readonly ServiceEntry[], desired: readonly ServiceEntry[]): ServiceEntry[] {
  const plan = planEntries(desired, existing);
  const out = new Map(existing.map((e) => [key(e), e]));
  for (const e of plan.delete) out.delete(key(e));
  for (const e of [...plan.update, ...plan.create]) out.set(key(e), { ...e, resourceVersion: 'x' });
  return [...out.values()];
}

describe('routing entries (properties)', () => {
  it('plan, apply, plan again: zero writes; client entries are exactly the VIP endpoints; each has a same-host gateway entry', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        deepFreeze(input);
        const routed = routedPods(input);
        const client = desiredClientEntries({ target: input.target, serviceUid: input.service.uid, configCluster: input.target.cluster, routed });
        const vipsPublished = new Set(desiredSlices(input).slices.flatMap((s) => s.endpoints.flatMap((e) => e.addresses)).filter((a) => [...input.vips.values()].includes(a)));
        const tcp = routed.filter((r) => r.ports.length > 0).map((r) => r.vip);
        expect(new Set(client.map((e) => e.spec.addresses?.[0]))).toEqual(new Set(tcp));
        for (const vip of tcp) expect(vipsPublished.has(vip!)).toBe(true);
        const gateway = routed.flatMap((r) => desiredGatewayEntries({ gns: input.target.gns, sourceCluster: r.identity.cluster, routed, places: [{ cluster: 'gw', namespace: 'istio-system' }] }));
        const gatewayHosts = new Set(gateway.map((e) => e.spec.hosts[0]));
        for (const e of client) expect(gatewayHosts.has(e.spec.hosts[0])).toBe(true);
        const all = [...client, ...gateway];
        const once = apply([], all);
        expect(planWrites(planEntries(all, once))).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});
