// The completeness rule's pure parts (docs/adr/0014-store-completeness.md): which members are
// complete, which snapshots count, and the slices an incomplete store may publish.
import { describe, expect, it } from 'vitest';
import { completenessOf, guardedSlices, snapshotCounts } from '../../../shared/core/completeness.ts';
import { planSlices } from '../../../shared/core/plan.ts';
import type { Endpoint, Slice } from '../../../shared/core/types.ts';
import { LABEL_GNS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MANAGED_BY } from '../../../shared/core/types.ts';
import { deepFreeze } from './factories.ts';

const ep = (hostname: string | undefined, address: string, ready = true): Endpoint => ({
  addresses: [address], ...(hostname === undefined ? {} : { hostname }), conditions: { ready, serving: ready, terminating: false },
});
const slice = (name: string | undefined, endpoints: Endpoint[], owned = true): Slice => ({
  ...(name === undefined ? {} : { name, resourceVersion: '1' }),
  namespace: 'ns',
  labels: { [LABEL_SERVICE_NAME]: 'kafka', [LABEL_GNS]: 'g', ...(owned ? { [LABEL_MANAGED_BY]: MANAGED_BY } : {}) },
  ownerReferences: [],
  addressType: 'IPv4',
  endpoints,
  ports: [{ name: 'tcp', port: 9092, protocol: 'TCP' }],
});

describe('completenessOf / snapshotCounts', () => {
  const view = deepFreeze({ id: 'i', since: 1_000, complete: new Set(['c1/a']) });
  it('a GNS is complete only when every member is; the missing ones are named in order', () => {
    expect(completenessOf(view, [{ cluster: 'c1', namespace: 'a' }])).toEqual({ complete: true, missing: [] });
    expect(completenessOf(view, [{ cluster: 'c2', namespace: 'b' }, { cluster: 'c1', namespace: 'a' }, { cluster: 'c1', namespace: 'z' }]))
      .toEqual({ complete: false, missing: [{ cluster: 'c2', namespace: 'b' }, { cluster: 'c1', namespace: 'z' }] });
    expect(completenessOf(view, [])).toEqual({ complete: true, missing: [] });
  });
  it('a snapshot counts when taken at or after the incarnation began', () => {
    expect(snapshotCounts(view, 999)).toBe(false);
    expect(snapshotCounts(view, 1_000)).toBe(true);
    expect(snapshotCounts(view, 5_000)).toBe(true);
  });
});

describe('guardedSlices: an incomplete store only adds names', () => {
  const existing = deepFreeze([
    slice('s1', [ep('kafka-0', '240.0.0.7'), ep('kafka-1', '240.0.0.9', false)]),
    slice('other', [ep('x', '1.1.1.1')], false),
  ]);

  it.each([
    ['a name the store lacks (pod not visible yet)', [slice(undefined, [ep('kafka-0', '240.0.0.7')])]],
    ['an address change (stale store)', [slice(undefined, [ep('kafka-0', '240.0.0.1'), ep('kafka-1', '240.0.0.2', true)])]],
    ['nothing desired at all (empty store)', []],
  ])('%s: every published endpoint stays, zero writes', (_, desired) => {
    const out = guardedSlices(deepFreeze(desired), existing);
    expect(planSlices(out, existing)).toEqual({ create: [], update: [], delete: [] });
  });

  it('new names are added in new slices; published ones untouched', () => {
    const desired = deepFreeze([slice(undefined, [ep('kafka-0', '240.0.0.1'), ep('kafka-2', '240.0.0.3')]), slice(undefined, [ep(undefined, '240.0.0.4')])]);
    const plan = planSlices(guardedSlices(desired, existing), existing);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create.flatMap((s) => s.endpoints.map((e) => `${e.hostname ?? '-'}=${e.addresses[0]}`))).toEqual(['kafka-2=240.0.0.3', '-=240.0.0.4']);
  });

  it("slices that are not gns-sync's are neither kept nor counted as published", () => {
    const out = guardedSlices(deepFreeze([slice(undefined, [ep('x', '1.1.1.1')])]), existing);
    expect(out.map((s) => s.name)).toEqual(['s1', undefined]);
  });
});
