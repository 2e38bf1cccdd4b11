// The selector annotation of a target Service (docs/design.md §2): a JSON object of label key →
// value, read with matchLabels semantics. Two keys are accepted, the TSM key first. Every way
// it can be wrong is a typed reason with a message a user can act on.
import { ANNOTATION_GNS_SYNC, ANNOTATION_TSM } from './types.ts';
import { canonicalJson } from './canonical-json.ts';

export type Selector = Readonly<Record<string, string>>;

/** The annotation key a selector was read from. */
export type SelectorKey = typeof ANNOTATION_TSM | typeof ANNOTATION_GNS_SYNC;

export type SelectorReason =
  | 'missing'
  | 'bad-json'
  | 'not-object'
  | 'non-string-value'
  | 'empty'
  | 'bad-label-key'
  | 'bad-label-value'
  | 'conflicting-keys';

export type SelectorResult =
  | { readonly ok: true; readonly selector: Selector; readonly key: SelectorKey }
  | { readonly ok: false; readonly reason: SelectorReason; readonly message: string };

const NAME_RE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PREFIX_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A Kubernetes label key: an optional DNS-1123 subdomain prefix (≤ 253) and `/`, then a name (≤ 63). */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX_RE.test(prefix))) return false;
  return name.length <= 63 && NAME_RE.test(name);
}

/** A Kubernetes label value: empty, or ≤ 63 of letters, digits, `-`, `_`, `.`, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && NAME_RE.test(value));
}

const fail = (reason: SelectorReason, message: string): SelectorResult => ({ ok: false, reason, message });

function parseOne(key: SelectorKey, text: string): SelectorResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    const detail = cause instanceof Error ? `: ${cause.message}` : '';
    return fail('bad-json', `annotation ${key} is not valid JSON${detail}; expected an object of label key to value, e.g. {"app":"kafka"}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return fail('not-object', `annotation ${key} must be a JSON object of label key to value, got ${got}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) {
    return fail('empty', `annotation ${key} is an empty selector, which would match every pod; name at least one label`);
  }
  const selector: Record<string, string> = {};
  for (const [label, v] of entries) {
    if (typeof v !== 'string') {
      return fail('non-string-value', `annotation ${key}: the value of label "${label}" must be a string, got ${JSON.stringify(v)}`);
    }
    if (!isLabelKey(label)) {
      return fail('bad-label-key', `annotation ${key}: "${label}" is not a valid label key ([prefix/]name, name ≤ 63 of letters, digits, -, _, .)`);
    }
    if (!isLabelValue(v)) {
      return fail('bad-label-value', `annotation ${key}: "${v}" (label "${label}") is not a valid label value (≤ 63 of letters, digits, -, _, .)`);
    }
    selector[label] = v;
  }
  return { ok: true, selector, key };
}

/**
 * The selector of a target, from its annotations. The TSM key is read first; when both keys
 * are present they must select the same labels.
 */
export function parseSelectorAnnotation(annotations: Readonly<Record<string, string>>): SelectorResult {
  const tsm = Object.hasOwn(annotations, ANNOTATION_TSM) ? annotations[ANNOTATION_TSM] : undefined;
  const own = Object.hasOwn(annotations, ANNOTATION_GNS_SYNC) ? annotations[ANNOTATION_GNS_SYNC] : undefined;
  if (tsm === undefined && own === undefined) {
    return fail('missing', `no selector annotation: set ${ANNOTATION_TSM} (or ${ANNOTATION_GNS_SYNC}) to a JSON object of label key to value`);
  }
  if (tsm === undefined) return parseOne(ANNOTATION_GNS_SYNC, own as string);
  const first = parseOne(ANNOTATION_TSM, tsm);
  if (own === undefined || own === tsm || !first.ok) return first;
  const second = parseOne(ANNOTATION_GNS_SYNC, own);
  if (!second.ok) return second;
  if (canonicalJson(first.selector) !== canonicalJson(second.selector)) {
    return fail(
      'conflicting-keys',
      `annotations ${ANNOTATION_TSM} and ${ANNOTATION_GNS_SYNC} select different labels (${canonicalJson(first.selector)} vs ` +
        `${canonicalJson(second.selector)}); keep one of them`,
    );
  }
  return first;
}
