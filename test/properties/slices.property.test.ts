// Properties (b) and (c): desired slices are deterministic (same input, byte-identical
// output, whatever the order of the sources) and never hold more than 100 endpoints; and
// planning again after applying a plan yields no operation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { desiredSlices } from '../../shared/core/desired.ts';
import { contentKey, isOwned, planSlices, sameContent } from '../../shared/core/plan.ts';
import type { SlicePlan } from '../../shared/core/plan.ts';
import type { Slice } from '../../shared/core/types.ts';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, MAX_ENDPOINTS_PER_SLICE } from '../../shared/core/types.ts';
import { deepFreeze } from '../unit/core/factories.ts';
import { inputArb } from './arbitraries.ts';

/** A pure stand-in for the API server: applies a plan to the listed slices. */
function applyPlan(existing: readonly Slice[], plan: SlicePlan): Slice[] {
  const byName = new Map(existing.map((s) => [s.name as string, s]));
  for (const s of plan.delete) {
    const current = byName.get(s.name as string);
    if (current === undefined || !isOwned(current)) throw new Error(`plan deletes ${s.name}, which is missing or not ours`);
    byName.delete(s.name as string);
  }
  for (const s of plan.update) {
    const current = byName.get(s.name as string);
    if (current === undefined || !isOwned(current)) throw new Error(`plan updates ${s.name}, which is missing or not ours`);
    if (current.resourceVersion !== s.resourceVersion) throw new Error(`plan updates ${s.name} at a stale resourceVersion`);
    if (current.addressType !== s.addressType) throw new Error(`plan changes the immutable addressType of ${s.name}`);
    byName.set(s.name as string, { ...s, resourceVersion: `${Number(current.resourceVersion) + 1}` });
  }
  for (const s of plan.create) {
    if (s.name === undefined || byName.has(s.name)) throw new Error(`plan creates ${s.name}, which exists (would be a 409)`);
    byName.set(s.name, { ...s, resourceVersion: '1' });
  }
  return [...byName.values()];
}

const sorted = (keys: string[]) => keys.sort();

describe('desired slices properties', () => {
  it('are deterministic and never hold more than 100 endpoints', () => {
    fc.assert(
      fc.property(inputArb, fc.array(fc.nat(), { maxLength: 260 }), (input, order) => {
        const a = desiredSlices(input);
        const shuffledSources = input.sources.map((s, i) => ({ s, k: order[i] ?? 0 })).sort((x, y) => x.k - y.k).map((x) => x.s);
        const b = desiredSlices({ ...input, sources: shuffledSources });
        expect(JSON.stringify(b)).toBe(JSON.stringify(a));
        for (const slice of a.slices) {
          expect(slice.endpoints.length).toBeGreaterThan(0);
          expect(slice.endpoints.length).toBeLessThanOrEqual(MAX_ENDPOINTS_PER_SLICE);
          for (const e of slice.endpoints) {
            expect(e.addresses).toHaveLength(1);
            expect((e.addresses[0] as string).includes(':')).toBe(slice.addressType === 'IPv6');
          }
        }
        // A pod is published at most once per address family.
        const seen = a.slices.flatMap((s) => s.endpoints.map((e) => `${s.addressType}|${e.addresses[0]}`));
        expect(new Set(seen).size).toBe(seen.length);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('plan properties', () => {
  it('planning again after applying a plan yields no operation, and never touches what is not ours', () => {
    const theirs: Slice = deepFreeze({
      name: 'kafka-headless-manual',
      namespace: 'ns-two',
      labels: { [LABEL_SERVICE_NAME]: 'kafka-headless', [LABEL_MANAGED_BY]: 'someone-else' },
      ownerReferences: [],
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.9.9.9'], conditions: { ready: true, serving: true, terminating: false } }],
      ports: [],
      resourceVersion: '5',
    });
    fc.assert(
      fc.property(inputArb, inputArb, fc.boolean(), (before, after, withTheirs) => {
        // The cluster holds what an earlier plan wrote (for other state), maybe beside a slice we do not own.
        const initial = deepFreeze(applyPlan(withTheirs ? [theirs] : [], planSlices(desiredSlices(before).slices, withTheirs ? [theirs] : [])));
        const desired = desiredSlices(after).slices;
        const plan = planSlices(desired, initial);
        const next = deepFreeze(applyPlan(initial, plan));
        expect(planSlices(desired, next)).toEqual({ create: [], update: [], delete: [] });
        expect(sorted(next.filter(isOwned).map(contentKey))).toEqual(sorted(desired.map(contentKey)));
        if (withTheirs) expect(next).toContainEqual(theirs);
        // The structural comparison the plan uses agrees with the serialized content.
        for (const d of desired.slice(0, 3)) {
          for (const e of initial.slice(0, 3)) expect(sameContent(d, e)).toBe(contentKey(d) === contentKey(e));
        }
        // Minimal: every owned slice is reused before any is created.
        const ownedBefore = initial.filter(isOwned);
        for (const created of plan.create) expect(plan.delete.filter((d) => d.addressType === created.addressType)).toEqual([]);
        expect(plan.update.length + plan.delete.length).toBeLessThanOrEqual(ownedBefore.length);
      }),
      { numRuns: 1000 },
    );
  });
});
