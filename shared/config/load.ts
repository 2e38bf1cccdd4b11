// Reading the config: a file (YAML, or JSON, which is YAML) → a validated Config, or one
// ConfigError whose message is a single line naming the file, the line and the field.
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { FinalError } from '../errors.ts';
import type { GnsErrorOptions } from '../errors.ts';
import { describe, issueOf, oneLine } from '../schemas/issues.ts';
import { ConfigSchema } from './schema.ts';
import type { Config } from './schema.ts';

/** The config cannot be used: nothing starts until it is fixed. */
export class ConfigError extends FinalError {
  override readonly name: string = 'ConfigError';
  /** Where the config came from (a path, or e.g. `GNS_SYNC_CONFIG`). */
  readonly source: string;
  /** The field path, e.g. `globalNamespaces[0].members[1].cluster`, when the problem is a field. */
  readonly field: string | undefined;
  /** The 1-based line of the problem, when known. */
  readonly line: number | undefined;
  constructor(source: string, problem: string, where: { field?: string; line?: number } = {}, options?: GnsErrorOptions) {
    const at = where.line === undefined ? source : `${source}:${where.line}`;
    super(oneLine(`${at}: ${where.field === undefined ? '' : `${where.field}: `}${problem}`), options);
    this.source = source;
    this.field = where.field;
    this.line = where.line;
  }
}

/** The line of the YAML node at a zod path (the deepest node that exists). */
function lineOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined;
  const at = (n: unknown): void => {
    const range = (n as { range?: [number, number, number] } | null)?.range;
    if (range) line = lines.linePos(range[0]).line;
  };
  at(node);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && p.key.value === key);
      if (!pair) break;
      at(pair.key);
      node = pair.value;
      if (node) at(node);
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
      if (!node) break;
      at(node);
    } else break;
  }
  return line;
}

/** Parses config text; `sourceName` names it in errors. Throws ConfigError. */
export function parseConfig(text: string, sourceName: string): Config {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax) {
    const problem = `YAML syntax error: ${syntax.message.split(/ at line \d+, column \d+/)[0] ?? syntax.message}`;
    const pos = syntax.linePos?.[0];
    throw new ConfigError(sourceName, pos ? `${problem} (column ${pos.col})` : problem, pos ? { line: pos.line } : {}, { cause: syntax });
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (cause) {
    throw new ConfigError(sourceName, `YAML error: ${cause instanceof Error ? cause.message : String(cause)}`, {}, { cause });
  }
  if (data === null || data === undefined) {
    throw new ConfigError(sourceName, 'the config is empty: expected clusters and globalNamespaces (see examples/kafka-gns.yaml)');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const line = lineOf(doc, lines, []);
    throw new ConfigError(sourceName, `the config must be a mapping with clusters and globalNamespaces, got ${describe(data)}`, line === undefined ? {} : { line });
  }
  const parsed = ConfigSchema.safeParse(data, { reportInput: true });
  if (parsed.success) return parsed.data;
  const { path, field, problem } = issueOf(parsed.error);
  const line = lineOf(doc, lines, path);
  throw new ConfigError(sourceName, problem, { ...(field === '(root)' ? {} : { field }), ...(line === undefined ? {} : { line }) }, { cause: parsed.error });
}

/** Reads and parses a config file. Throws ConfigError (also for a missing or unreadable file). */
export function loadConfig(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file'
      : code === 'EACCES' ? 'permission denied'
      : code === 'EISDIR' ? 'it is a directory, not a file'
      : cause instanceof Error ? cause.message : String(cause);
    throw new ConfigError(path, `cannot read the config file: ${why}`, {}, { cause });
  }
  return parseConfig(text, path);
}
