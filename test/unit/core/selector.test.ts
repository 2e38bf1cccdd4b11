import { describe, expect, it } from 'vitest';
import { isLabelKey, isLabelValue, parseSelectorAnnotation } from '../../../shared/core/selector.ts';
import type { SelectorReason } from '../../../shared/core/selector.ts';
import { ANNOTATION_GNS_SYNC, ANNOTATION_TSM } from '../../../shared/core/types.ts';
import { deepFreeze } from './factories.ts';

const SEED = '{"app.kubernetes.io/component":"kafka","app.kubernetes.io/instance":"kafka","app.kubernetes.io/name":"kafka"}';

describe('parseSelectorAnnotation', () => {
  it('reads the seed annotation (TSM key)', () => {
    expect(parseSelectorAnnotation(deepFreeze({ [ANNOTATION_TSM]: SEED }))).toEqual({
      ok: true,
      key: ANNOTATION_TSM,
      selector: { 'app.kubernetes.io/component': 'kafka', 'app.kubernetes.io/instance': 'kafka', 'app.kubernetes.io/name': 'kafka' },
    });
  });

  it('reads the gns-sync key', () => {
    expect(parseSelectorAnnotation({ [ANNOTATION_GNS_SYNC]: '{"app":"kafka"}' })).toEqual({ ok: true, key: ANNOTATION_GNS_SYNC, selector: { app: 'kafka' } });
  });

  it('accepts both keys when they select the same labels (the TSM key is reported)', () => {
    const r = parseSelectorAnnotation({ [ANNOTATION_TSM]: '{"a":"1","b":"2"}', [ANNOTATION_GNS_SYNC]: '{"b":"2", "a":"1"}' });
    expect(r).toEqual({ ok: true, key: ANNOTATION_TSM, selector: { a: '1', b: '2' } });
  });

  it('accepts an empty label value (valid in Kubernetes)', () => {
    expect(parseSelectorAnnotation({ [ANNOTATION_TSM]: '{"a":""}' })).toMatchObject({ ok: true, selector: { a: '' } });
  });

  it.each<[string, Record<string, string>, SelectorReason, RegExp]>([
    ['no annotation', { other: 'x' }, 'missing', /no selector annotation/],
    ['bad JSON', { [ANNOTATION_TSM]: '{app: kafka}' }, 'bad-json', /is not valid JSON/],
    ['empty string', { [ANNOTATION_TSM]: '' }, 'bad-json', /is not valid JSON/],
    ['an array', { [ANNOTATION_TSM]: '["app"]' }, 'not-object', /got an array/],
    ['null', { [ANNOTATION_TSM]: 'null' }, 'not-object', /got null/],
    ['a string', { [ANNOTATION_TSM]: '"app=kafka"' }, 'not-object', /got a string/],
    ['a number value', { [ANNOTATION_TSM]: '{"app":1}' }, 'non-string-value', /label "app" must be a string, got 1/],
    ['a null value', { [ANNOTATION_TSM]: '{"app":null}' }, 'non-string-value', /got null/],
    ['an object value', { [ANNOTATION_TSM]: '{"app":{"x":"y"}}' }, 'non-string-value', /must be a string/],
    ['empty object', { [ANNOTATION_TSM]: '{}' }, 'empty', /would match every pod/],
    ['bad key', { [ANNOTATION_TSM]: '{"bad key":"x"}' }, 'bad-label-key', /"bad key" is not a valid label key/],
    ['bad key prefix', { [ANNOTATION_TSM]: '{"Example.com/a":"x"}' }, 'bad-label-key', /not a valid label key/],
    ['empty key', { [ANNOTATION_TSM]: '{"":"x"}' }, 'bad-label-key', /not a valid label key/],
    ['bad value', { [ANNOTATION_TSM]: '{"app":"-kafka"}' }, 'bad-label-value', /"-kafka" \(label "app"\) is not a valid label value/],
    ['long value', { [ANNOTATION_TSM]: JSON.stringify({ app: 'a'.repeat(64) }) }, 'bad-label-value', /not a valid label value/],
    ['different keys', { [ANNOTATION_TSM]: '{"app":"a"}', [ANNOTATION_GNS_SYNC]: '{"app":"b"}' }, 'conflicting-keys', /select different labels/],
    ['bad gns-sync key beside a good TSM key', { [ANNOTATION_TSM]: '{"app":"a"}', [ANNOTATION_GNS_SYNC]: '{' }, 'bad-json', /gns-sync\.io\/endpoints\.statefulset is not valid JSON/],
    ['bad TSM key beside a good gns-sync key', { [ANNOTATION_TSM]: '[]', [ANNOTATION_GNS_SYNC]: '{"app":"a"}' }, 'not-object', /tsm\.tanzu\.vmware\.com/],
  ])('%s → %s', (_, annotations, reason, message) => {
    const r = parseSelectorAnnotation(deepFreeze(annotations));
    expect(r).toMatchObject({ ok: false, reason });
    expect(r.ok ? '' : r.message).toMatch(message);
  });

  it('ignores inherited properties of the annotations object', () => {
    const annotations = Object.create({ [ANNOTATION_TSM]: '{"app":"x"}' }) as Record<string, string>;
    expect(parseSelectorAnnotation(annotations)).toMatchObject({ ok: false, reason: 'missing' });
  });
});

describe('label syntax', () => {
  it.each([
    ['app', true],
    ['app.kubernetes.io/name', true],
    ['a/b', true],
    ['A_b.c-D', true],
    ['a'.repeat(63), true],
    ['a'.repeat(64), false],
    [`${'a'.repeat(254)}/x`, false],
    ['/x', false],
    ['a/', false],
    ['a/b/c', false],
    ['-a', false],
  ])('isLabelKey(%j) = %s', (key, ok) => {
    expect(isLabelKey(key)).toBe(ok);
  });

  it.each([
    ['', true],
    ['kafka', true],
    ['a.b_c-d', true],
    ['a b', false],
    ['a-', false],
  ])('isLabelValue(%j) = %s', (value, ok) => {
    expect(isLabelValue(value)).toBe(ok);
  });
});
