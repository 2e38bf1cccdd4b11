// Zod issues as one line that names the field: `globalNamespaces[0].members[1].cluster: unknown cluster`.
// Used by every input boundary (config file, bus events) so that bad input reads the same everywhere.
import type { z } from 'zod';

/** `['members', 1, 'cluster']` → `members[1].cluster`; a prefix is joined the same way. */
export function formatPath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$-]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** A short description of a value, for messages (never the whole value: it may be large). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length > 60 ? `"${value.slice(0, 57)}..."` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

function messageOf(issue: z.core.$ZodIssue): { path: readonly PropertyKey[]; message: string } {
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const [key, ...more] = issue.keys;
      const also = more.length > 0 ? ` (and ${more.map((k) => `"${k}"`).join(', ')})` : '';
      return { path: [...issue.path, key ?? ''], message: `unknown key${also}` };
    }
    case 'invalid_type': {
      if (input === undefined) return { path: issue.path, message: `is required (${issue.expected})` };
      // Zod's own message starts "Invalid input"; a schema's custom message is kept.
      const expected = issue.message.startsWith('Invalid input') ? `expected ${issue.expected}` : issue.message;
      return { path: issue.path, message: `${expected}, got ${describe(input)}` };
    }
    case 'invalid_union': {
      const inner = issue.errors.flat().map((i) => i.message);
      const unique = [...new Set(inner)];
      const message = issue.message !== 'Invalid input' || unique.length === 0 ? issue.message : unique.join(' or ');
      return { path: issue.path, message: withInput(message, input) };
    }
    case 'invalid_value':
      return { path: issue.path, message: `${issue.message}, got ${describe(input)}` };
    default:
      return { path: issue.path, message: withInput(issue.message, input) };
  }
}

function withInput(message: string, input: unknown): string {
  return typeof input === 'string' || typeof input === 'number' ? `${message} (got ${describe(input)})` : message;
}

export interface FirstIssue {
  /** The path of the offending value (for an unknown key, the key itself). */
  readonly path: readonly PropertyKey[];
  /** The path as text, e.g. `members[1].cluster`; `(root)` for the whole input. */
  readonly field: string;
  /** What is wrong, one line. */
  readonly problem: string;
}

/** The first issue of a failed parse: where it is and what is wrong. */
export function issueOf(error: z.ZodError, prefix = ''): FirstIssue {
  // An unknown key comes first: it is usually a typo that also explains a "required" issue.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  if (!issue) return { path: [], field: prefix || '(root)', problem: 'invalid' };
  const { path, message } = messageOf(issue);
  return { path, field: formatPath(path, prefix) || '(root)', problem: oneLine(message) };
}

/** The first issue of a failed parse, as `path: problem` on one line. */
export function firstIssue(error: z.ZodError, prefix = ''): string {
  const { field, problem } = issueOf(error, prefix);
  return `${field}: ${problem}`;
}

/** Collapses whitespace so that a message is always one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
