// Strict flag parsing for the runtime's commands: `--name value` or `--name=value`; unknown
// flags, missing values, repeated flags and stray arguments are usage errors (exit 2).
import { UsageError } from '../cli/command.ts';

export type FlagSpec = Readonly<Record<string, 'string' | 'boolean'>>;
export type Flags<S extends FlagSpec> = { [K in keyof S]?: S[K] extends 'string' ? string : boolean };

export function parseFlags<S extends FlagSpec>(args: readonly string[], spec: S): Flags<S> {
  const result: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}" (options start with --; see --help)`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const kind = spec[name];
    if (kind === undefined) throw new UsageError(`unknown option --${name} (see --help)`);
    if (name in result) throw new UsageError(`--${name} given twice`);
    if (kind === 'boolean') {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      result[name] = true;
      continue;
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[i + 1];
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    if (eq < 0) i += 1;
    result[name] = value;
  }
  return result as Flags<S>;
}

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO 8601 date (`2026-11-28`, UTC) or date-time with a zone (`2026-11-28T21:00:00Z`), in ms. */
export function parseIsoTime(text: string, flag: string): number {
  const m = ISO_RE.exec(text);
  const bad = () => new UsageError(`--${flag} "${text}" is not an ISO 8601 time; use e.g. 2026-11-28T21:00:00Z`);
  if (!m) throw bad();
  const [, y, mo, d, h, mi, s] = m;
  const ms = Date.parse(m[4] === undefined ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) throw bad();
  // Date.parse rolls over impossible dates (2026-02-31); check the fields survive.
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)));
  if (check.getUTCFullYear() !== Number(y) || check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)
    || Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) throw bad();
  return ms;
}
