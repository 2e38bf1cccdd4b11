// Every EndpointSlice gns-sync would write for the slice properties' generated states (both
// address families, missing and invalid hostnames, terminating and not-ready pods, named ports,
// up to 260 pods over several slices) is valid against the upstream Kubernetes schema, exactly
// as the adapter serializes it (toKubeSlice), for a create and for an update.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toKubeSlice } from '../../shared/adapters/kubernetes/slice-mapping.ts';
import { desiredSlices } from '../../shared/core/desired.ts';
import { upstreamProblem } from '../contract/upstream-schemas.ts';
import { inputArb } from './arbitraries.ts';

describe('written EndpointSlices against the upstream schema', () => {
  it('every desired slice, as written, validates with kubernetes-models', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        for (const slice of desiredSlices(input).slices) {
          expect(upstreamProblem(toKubeSlice(slice))).toBeUndefined();
          expect(upstreamProblem(toKubeSlice({ ...slice, name: `${slice.name ?? 'kafka-headless-gns-x'}`, resourceVersion: '7' }))).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('the check can fail: a slice with an endpoint address that is not a string is refused', () => {
    const [slice] = desiredSlices(fc.sample(inputArb.filter((i) => desiredSlices(i).slices.length > 0), { numRuns: 1, seed: 7 })[0]!).slices;
    const broken = toKubeSlice(slice!) as unknown as { endpoints: { addresses: unknown[] }[] };
    broken.endpoints[0]!.addresses = [42];
    expect(upstreamProblem(broken)).toMatch(/addresses\/0 must be string/);
    expect(upstreamProblem({ ...toKubeSlice(slice!), addressType: undefined })).toMatch(/addressType/);
  });
});
