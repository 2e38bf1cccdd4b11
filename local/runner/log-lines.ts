// What `gns-sync local` prints: one human line per event by default, or one JSON object per
// line (`--log-format json`). A warning that repeats (an informer restarting against an
// unreachable cluster, every few seconds) is printed once, naming the cluster and its URL, then
// counted: one summary line per window instead of a flood.
import type { AgentLogger } from '../../agent/logger.ts';

export type LogFormat = 'human' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['human', 'json'];

/** A cluster as log lines name it. */
export interface ClusterLabel {
  readonly name: string;
  /** The API server URL from the kubeconfig, when known. */
  readonly server?: string;
}

export interface LogLineOptions {
  readonly format: LogFormat;
  readonly write: (line: string) => void;
  /** Also print info-level lines of the agents (default: warnings and errors only). */
  readonly verbose?: boolean;
  /** How long repeats of one warning are counted before their summary line (default 60 s). */
  readonly repeatWindowMs?: number;
  readonly now?: () => number;
}

const clusterText = (c: ClusterLabel): string => (c.server === undefined ? c.name : `${c.name} (${c.server})`);

/** `key=value` pairs of a log record's extra fields, values without line breaks. */
function fieldsText(extra: Record<string, unknown> | undefined): string {
  if (extra === undefined) return '';
  const parts = Object.entries(extra)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${(typeof v === 'string' ? v : JSON.stringify(v)).replace(/\s*\n\s*/g, ' ')}`);
  return parts.length === 0 ? '' : `: ${parts.join(', ')}`;
}

/**
 * Repeats of a key within a window are counted, not printed; at the window's end one line says
 * how many there were. The first occurrence after a quiet window prints again.
 */
export class RepeatFolder {
  readonly #windowMs: number;
  readonly #write: (line: string) => void;
  readonly #open = new Map<string, { count: number; text: string; timer: NodeJS.Timeout }>();

  constructor(windowMs: number, write: (line: string) => void) {
    this.#windowMs = windowMs;
    this.#write = write;
  }

  /** Prints `line` unless `key` was printed within the window; then counts it. */
  note(key: string, line: string): void {
    const open = this.#open.get(key);
    if (open !== undefined) {
      open.count += 1;
      return;
    }
    this.#write(line);
    const timer = setTimeout(() => this.#close(key), this.#windowMs);
    timer.unref();
    this.#open.set(key, { count: 0, text: line, timer });
  }

  #close(key: string): void {
    const open = this.#open.get(key);
    if (open === undefined) return;
    this.#open.delete(key);
    clearTimeout(open.timer);
    if (open.count > 0) this.#write(`${open.text} (repeated ${open.count} more time${open.count === 1 ? '' : 's'} in ${Math.round(this.#windowMs / 1000)} s)`);
  }

  /** Prints the pending counts now (at stop). */
  flush(): void {
    for (const key of [...this.#open.keys()]) this.#close(key);
  }
}

/** The agent's logger for one cluster, in the chosen format, folding repeated warnings. */
export function agentLogLines(cluster: ClusterLabel, folder: RepeatFolder, options: LogLineOptions): AgentLogger {
  const now = options.now ?? Date.now;
  if (options.format === 'json') {
    const line = (level: string) => (message: string, extra?: Record<string, unknown>) => {
      if (level === 'INFO' && !options.verbose) return;
      const record = JSON.stringify({ level, time: new Date(now()).toISOString(), component: 'agent', cluster: cluster.name, server: cluster.server, message, ...extra });
      if (level === 'INFO') options.write(record);
      else folder.note(`${cluster.name}\u0000${level}\u0000${message}`, record);
    };
    return { info: line('INFO'), warn: line('WARN'), error: line('ERROR') };
  }
  const line = (level: 'info' | 'warning' | 'error') => (message: string, extra?: Record<string, unknown>) => {
    const text = `${level} cluster ${clusterText(cluster)}: ${message}${fieldsText(extra)}`;
    if (level === 'info') {
      if (options.verbose) options.write(text);
      return;
    }
    // Folded by cluster and message: the extra fields (attempt, delay) change on every repeat.
    folder.note(`${cluster.name}\u0000${level}\u0000${message}`, text);
  };
  return { info: line('info'), warn: line('warning'), error: line('error') };
}
