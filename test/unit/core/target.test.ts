import { describe, expect, it } from 'vitest';
import { matchesSelector, validateTarget } from '../../../shared/core/target.ts';
import type { TargetReason } from '../../../shared/core/target.ts';
import type { ServiceRecord } from '../../../shared/core/types.ts';
import { ANNOTATION_TSM } from '../../../shared/core/types.ts';
import { deepFreeze, service } from './factories.ts';

describe('validateTarget', () => {
  it('accepts a headless, selectorless Service with a valid annotation', () => {
    expect(validateTarget(deepFreeze(service()))).toEqual({ ok: true, selector: { app: 'kafka' } });
  });

  it('treats an empty spec.selector as no selector (as Kubernetes does)', () => {
    expect(validateTarget(service('s', { selector: {} }))).toMatchObject({ ok: true });
  });

  it.each<[string, Partial<ServiceRecord>, TargetReason, RegExp]>([
    ['a selector', { selector: { app: 'kafka' } }, 'has-selector', /has spec\.selector/],
    ['a cluster IP', { clusterIP: '10.96.0.10' }, 'not-headless', /clusterIP 10\.96\.0\.10/],
    ['no cluster IP', { clusterIP: undefined }, 'not-headless', /no clusterIP/],
    ['a bad annotation', { annotations: { [ANNOTATION_TSM]: '{"app":1}' } }, 'non-string-value', /must be a string/],
    ['no annotation', { annotations: {} }, 'missing', /no selector annotation/],
  ])('rejects a Service with %s', (_, overrides, reason, message) => {
    const r = validateTarget(deepFreeze(service('kafka-headless', overrides)));
    expect(r).toMatchObject({ ok: false, reason });
    expect(r.ok ? '' : r.message).toMatch(message);
  });
});

describe('matchesSelector', () => {
  it.each([
    [{ app: 'kafka', tier: 'x' }, { app: 'kafka' }, true],
    [{ app: 'kafka' }, { app: 'kafka', tier: 'x' }, false],
    [{ app: 'zoo' }, { app: 'kafka' }, false],
    [{}, { app: '' }, false],
    [{ app: '' }, { app: '' }, true],
  ])('%j matches %j: %s', (labels, selector, expected) => {
    expect(matchesSelector(deepFreeze(labels), deepFreeze(selector))).toBe(expected);
  });

  it('does not match inherited labels', () => {
    expect(matchesSelector(Object.create({ app: 'kafka' }) as Record<string, string>, { app: 'kafka' })).toBe(false);
  });
});
