// EventBridge content filtering, the subset the shared rules use (shared/rules.ts):
// exact strings, `{ prefix }` and `{ exists }`, on top-level fields or dotted paths into
// the event (`detail.cluster`). A field matches when ANY of its values matches; an event
// matches when EVERY field of the pattern matches (EventBridge semantics).
import type { EventPattern, PatternValue } from '../../shared/rules.ts';

function lookup(event: Readonly<Record<string, unknown>>, path: string): unknown {
  let current: unknown = event;
  for (const part of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function matchesValue(value: unknown, rule: PatternValue): boolean {
  if (typeof rule === 'string') {
    return Array.isArray(value) ? value.includes(rule) : value === rule;
  }
  if ('prefix' in rule) {
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) => typeof v === 'string' && v.startsWith(rule.prefix));
  }
  // `exists: true` matches a present leaf value (not null, not an object), `false` its absence.
  const present = value !== undefined && value !== null && typeof value !== 'object';
  return rule.exists ? present : value === undefined;
}

export function matchesPattern(pattern: EventPattern, event: Readonly<Record<string, unknown>>): boolean {
  for (const [field, rules] of Object.entries(pattern)) {
    const value = lookup(event, field);
    if (!rules.some((rule) => matchesValue(value, rule))) return false;
  }
  return true;
}
