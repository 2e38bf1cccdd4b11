// Canonical JSON: object keys sorted, `undefined` members dropped, arrays in order. Two
// values that mean the same serialize to the same string, whatever order their keys were
// built in, so the string can be compared, hashed, or used as a deterministic tie-break.

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((v: unknown) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (value instanceof Set) return canonicalJson([...(value as Set<unknown>)].sort());
  if (value instanceof Map) {
    return canonicalJson(Object.fromEntries([...(value as Map<string, unknown>)].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}
