// Shared by the contract tests: the event fixtures, deep freezing, envelopes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EVENT_FIXTURES = join(import.meta.dirname, '../fixtures/events');
export const INVALID_EVENT_FIXTURES = join(EVENT_FIXTURES, 'invalid');

export function jsonFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
}

export function readJson(dir: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>;
}

/** Freezes a value and everything in it: the code under test must not mutate its input. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
