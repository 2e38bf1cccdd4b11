// Event contract v1 is still accepted (an agent not yet upgraded, events in the archive):
// each v1 fixture parses and is held as its v2 kind, with no observation time and the pods'
// controller unknown (absent). v2 requires both; v1 may carry neither.
import { describe, expect, it } from 'vitest';
import { emptyNamespaceState, mergeEvent, visiblePods } from '../../shared/core/merge.ts';
import { DETAIL_TYPES, LEGACY_DETAIL_TYPES } from '../../shared/schemas/events.ts';
import { parseBusEvent } from '../../shared/schemas/parse.ts';
import { deepFreeze, EVENT_FIXTURES, jsonFiles, readJson } from './helpers.ts';
import { join } from 'node:path';

const V1 = join(EVENT_FIXTURES, 'v1');
const v1Files = jsonFiles(V1);

describe('contract v1 (legacy)', () => {
  it('fixtures cover every v1 detail-type', () => {
    expect(new Set(v1Files.map((f) => readJson(V1, f)['detail-type']))).toEqual(new Set(Object.values(LEGACY_DETAIL_TYPES)));
  });

  it.each(v1Files)('%s parses and is held as the v2 kind, detail unchanged (no observedAt, controller unknown)', (file) => {
    const fixture = deepFreeze(readJson(V1, file));
    const result = parseBusEvent(fixture);
    if (!result.ok) throw new Error(result.reason);
    const v2Type = String(fixture['detail-type']).replace(/\.v1$/, '.v2');
    expect(result.event.type).toBe(v2Type);
    expect(Object.values(DETAIL_TYPES)).toContain(result.event.type);
    expect(result.event.detail).toEqual(fixture.detail);
    expect('observedAt' in result.event.detail).toBe(false);
  });

  it('a v1 pod merges with its controller unknown; the v2 pod of the same name states it', () => {
    const v1 = parseBusEvent(readJson(V1, 'pod-upsert.json'));
    const v2 = parseBusEvent(readJson(EVENT_FIXTURES, 'pod-upsert.json'));
    if (!v1.ok || !v2.ok) throw new Error('fixtures must parse');
    const [fromV1] = visiblePods(mergeEvent(emptyNamespaceState(), v1.event));
    const [fromV2] = visiblePods(mergeEvent(emptyNamespaceState(), v2.event));
    expect(fromV1?.controller).toBeUndefined();
    expect(fromV2?.controller).toEqual({ kind: 'StatefulSet', name: 'kafka' });
  });
});

describe('contract v2 requires what v1 lacks, and v1 refuses what only v2 has', () => {
  const v2 = readJson(EVENT_FIXTURES, 'pod-upsert.json');
  const v1 = readJson(V1, 'pod-upsert.json');
  const detail = (e: Record<string, unknown>) => e.detail as Record<string, unknown> & { pod: Record<string, unknown> };

  it.each([
    ['v2 without observedAt', { ...v2, detail: { ...detail(v2), observedAt: undefined } }, 'detail.observedAt'],
    ['v2 with a fractional observedAt', { ...v2, detail: { ...detail(v2), observedAt: 1.5 } }, 'detail.observedAt'],
    ['v2 pod without controller', { ...v2, detail: { ...detail(v2), pod: { ...detail(v2).pod, controller: undefined } } }, 'detail.pod.controller'],
    ['v2 pod with a controller missing its name', { ...v2, detail: { ...detail(v2), pod: { ...detail(v2).pod, controller: { kind: 'StatefulSet' } } } }, 'detail.pod.controller.name'],
    ['v1 with observedAt', { ...v1, detail: { ...detail(v1), observedAt: 1 } }, 'observedAt'],
    ['v1 pod with a controller', { ...v1, detail: { ...detail(v1), pod: { ...detail(v1).pod, controller: null } } }, 'controller'],
  ])('%s is refused, naming the field', (_name, event, field) => {
    const result = parseBusEvent(JSON.parse(JSON.stringify(event)));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(field);
  });

  it('a v2 pod without a controller says so with null, and parses', () => {
    const result = parseBusEvent({ ...v2, detail: { ...detail(v2), pod: { ...detail(v2).pod, controller: null } } });
    expect(result.ok && result.event.type === DETAIL_TYPES.podUpsert && result.event.detail.pod.controller).toBe(null);
  });
});
