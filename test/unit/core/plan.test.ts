import { describe, expect, it } from 'vitest';
import { desiredSlices } from '../../../shared/core/desired.ts';
import { contentKey, isOwned, planSlices, sameContent, sliceName } from '../../../shared/core/plan.ts';
import type { Endpoint, Slice } from '../../../shared/core/types.ts';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from '../../../shared/core/types.ts';
import { deepFreeze, existing, pod, SELECTOR, service, source, TARGET } from './factories.ts';

function desired(n: number, opts: { ip?: (i: number) => string; ready?: boolean } = {}): readonly Slice[] {
  const sources = Array.from({ length: n }, (_, i) =>
    source('clusterOne', 'ns-one', pod(`kafka-${String(i).padStart(3, '0')}`, { ips: [opts.ip?.(i) ?? `10.0.${i >> 8}.${i & 255}`], ready: opts.ready ?? true })),
  );
  return deepFreeze(
    desiredSlices({ target: TARGET, service: service(), selector: SELECTOR, sources, networks: new Map(), vips: new Map(), vipFamily: 4 }).slices,
  );
}
const names = (slices: readonly Slice[]) => slices.map((s) => s.name);
const unowned = (s: Slice, name: string): Slice => ({ ...existing(s, name), labels: { [LABEL_SERVICE_NAME]: 'kafka-headless', [LABEL_MANAGED_BY]: 'endpointslice-controller.k8s.io' } });

describe('planSlices', () => {
  it('creates with deterministic names when nothing exists', () => {
    const d = desired(150);
    const plan = planSlices(d, []);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toHaveLength(2);
    expect(plan.create.map((s) => s.endpoints.length)).toEqual([100, 50]);
    for (const s of plan.create) expect(s.name).toMatch(/^kafka-headless-gns-[0-9a-f]{10}$/);
    expect(names(planSlices(d, []).create)).toEqual(names(plan.create));
    expect(new Set(names(plan.create)).size).toBe(2);
  });

  it('identical content: no operation, whatever the names', () => {
    const d = desired(150);
    const current = deepFreeze([existing(d[1] as Slice, 'zzz', '7'), existing(d[0] as Slice, 'aaa', '8')]);
    expect(planSlices(d, current)).toEqual({ create: [], update: [], delete: [] });
  });

  it('ignores fields that do not matter (other labels, annotations, extra API fields)', () => {
    const d = desired(3);
    const withExtras = {
      ...existing(d[0] as Slice, 'x'),
      labels: { ...(d[0] as Slice).labels, team: 'a' },
      annotations: { note: 'x' },
      endpoints: (d[0] as Slice).endpoints.map((e) => ({ ...e, zone: 'eu-1a', hints: {} }) as Endpoint),
    };
    expect(planSlices(d, [withExtras])).toEqual({ create: [], update: [], delete: [] });
  });

  it('a changed endpoint updates the slice in place, keeping other labels and annotations', () => {
    const before = desired(3);
    const after = desired(3, { ready: false });
    const current = { ...existing(before[0] as Slice, 'kafka-headless-abc', '42'), labels: { ...(before[0] as Slice).labels, team: 'a' }, annotations: { note: 'x' } };
    const plan = planSlices(after, [current]);
    expect(plan.create).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.update).toHaveLength(1);
    expect(plan.update[0]).toMatchObject({ name: 'kafka-headless-abc', resourceVersion: '42', labels: { team: 'a' }, annotations: { note: 'x' } });
    expect(plan.update[0]?.endpoints).toEqual((after[0] as Slice).endpoints);
  });

  it.each([
    ['endpoints', (s: Slice): Slice => ({ ...s, endpoints: s.endpoints.slice(1) })],
    ['ports', (s: Slice): Slice => ({ ...s, ports: [] })],
    ['our labels', (s: Slice): Slice => ({ ...s, labels: { ...s.labels, 'gns-sync.io/gns': 'other' } })],
    ['owner references', (s: Slice): Slice => ({ ...s, ownerReferences: [] })],
  ])('a difference in %s is an update', (_, change) => {
    const d = desired(3);
    const plan = planSlices(d, [existing(change(d[0] as Slice), 'x')]);
    expect(plan.update.map((s) => s.name)).toEqual(['x']);
    expect(plan.create).toEqual([]);
  });

  it('a different addressType is never an update: create and delete', () => {
    const d = desired(2);
    const v6 = { ...existing(d[0] as Slice, 'old-v6'), addressType: 'IPv6' as const };
    const plan = planSlices(d, [v6]);
    expect(plan.update).toEqual([]);
    expect(plan.create).toHaveLength(1);
    expect(names(plan.delete)).toEqual(['old-v6']);
  });

  it('never touches a slice without our managed-by label', () => {
    const d = desired(2);
    const theirs = unowned(desired(5, { ready: false })[0] as Slice, 'kafka-headless-xyz');
    const plan = planSlices(d, [theirs]);
    expect(plan.update).toEqual([]);
    expect(plan.delete).toEqual([]);
    expect(plan.create).toHaveLength(1);
    expect(isOwned(theirs)).toBe(false);
    expect(planSlices([], [theirs])).toEqual({ create: [], update: [], delete: [] });
  });

  it('deletes owned slices no longer needed; nothing desired deletes all of ours', () => {
    const d = desired(150);
    const current = [existing(d[0] as Slice, 'a'), existing(d[1] as Slice, 'b')];
    expect(names(planSlices([], current).delete)).toEqual(['a', 'b']);
    const plan = planSlices(desired(50), current);
    expect(plan.update.length + plan.delete.length).toBe(2);
    expect(plan.create).toEqual([]);
  });

  it('reuses the slice under the slot name first (a create whose response was lost)', () => {
    const d = desired(2);
    const [created] = planSlices(d, []).create;
    const stale = { ...(created as Slice), endpoints: [], resourceVersion: '3' };
    const other = existing({ ...(d[0] as Slice), endpoints: [] }, 'a-older');
    const plan = planSlices(d, [other, stale]);
    expect(names(plan.update)).toEqual([created?.name]);
    expect(names(plan.delete)).toEqual(['a-older']);
  });

  it('picks another deterministic name when the slot name is taken by a slice it does not own', () => {
    const d = desired(2);
    const slot = planSlices(d, []).create[0]?.name as string;
    const plan = planSlices(d, [unowned(d[0] as Slice, slot)]);
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]?.name).not.toBe(slot);
    expect(plan.create[0]?.name).toMatch(/^kafka-headless-gns-[0-9a-f]{10}$/);
  });

  it('contentKey ignores resourceVersion and names', () => {
    const [s] = desired(1);
    expect(contentKey(existing(s as Slice, 'a', '1'))).toBe(contentKey(s as Slice));
  });
});

describe('sliceName', () => {
  it('is a DNS-1123 subdomain of at most 253 characters', () => {
    const long = `${'a'.repeat(250)}-`;
    const name = sliceName(long, 'IPv4', '[]', 0);
    expect(name.length).toBeLessThanOrEqual(253);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });

  it('differs by slot and by attempt, and is stable', () => {
    expect(sliceName('s', 'IPv4', '[]', 0)).toBe(sliceName('s', 'IPv4', '[]', 0));
    const all = new Set([sliceName('s', 'IPv4', '[]', 0), sliceName('s', 'IPv4', '[]', 1), sliceName('s', 'IPv6', '[]', 0), sliceName('s', 'IPv4', '[]', 0, 1)]);
    expect(all.size).toBe(4);
  });
});

describe('sameContent', () => {
  it('agrees with contentKey on single-field differences', () => {
    const [s] = desired(3);
    const base = s as Slice;
    const e0 = base.endpoints[0] as Endpoint;
    const variants: Slice[] = [
      base,
      { ...base, addressType: 'IPv6' },
      { ...base, endpoints: [{ ...e0, hostname: 'other' }, ...base.endpoints.slice(1)] },
      { ...base, endpoints: [{ ...e0, nodeName: undefined }, ...base.endpoints.slice(1)] },
      { ...base, endpoints: [{ ...e0, targetRef: undefined }, ...base.endpoints.slice(1)] },
      { ...base, endpoints: [{ ...e0, conditions: { ...e0.conditions, serving: false } }, ...base.endpoints.slice(1)] },
      { ...base, endpoints: [{ ...e0, addresses: ['10.9.9.9'] }, ...base.endpoints.slice(1)] },
      { ...base, ports: [{ name: 'client', port: 1, protocol: 'TCP' }] },
      { ...base, ports: [{ name: 'client', port: 9092, protocol: 'TCP', appProtocol: 'kafka' }] },
      { ...base, ownerReferences: [{ ...(base.ownerReferences[0] as Slice['ownerReferences'][number]), uid: 'x' }] },
      { ...base, labels: { ...base.labels, [LABEL_SERVICE_NAME]: 'x' } },
      { ...base, labels: { ...base.labels, unrelated: 'x' }, annotations: { a: 'b' }, name: 'n', resourceVersion: '9' },
    ];
    for (const a of variants) for (const b of variants) expect(sameContent(a, b)).toBe(contentKey(a) === contentKey(b));
    expect(variants.filter((x) => sameContent(x, base))).toHaveLength(2);
  });
});
