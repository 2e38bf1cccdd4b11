// The bus archive: every archived event as one JSON line under the state directory
// (`archive/events.jsonl`), and a reader for replays between two times.
import { appendFileSync, closeSync, createReadStream, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BusEnvelope } from './envelope.ts';

export interface ArchivedEvent {
  /** The event's time in milliseconds (the entry's Time, or its receipt): what a replay filters on. */
  readonly t: number;
  readonly event: BusEnvelope;
}

export const archivePath = (stateDir: string): string => join(stateDir, 'archive', 'events.jsonl');

/** Whether a file exists, is not empty, and does not end with a newline (a crash tore its last line). */
function endsTorn(path: string): boolean {
  if (!existsSync(path)) return false;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}

export class FileArchive {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }

  /** Whether the file's end was checked for a line torn by a crash (once per process). */
  private tailChecked = false;

  /**
   * Appends synchronously: an event acknowledged by `put` is on disk even if the process dies
   * next. The first append of a process first ends a line torn by a crash of the previous one,
   * so the torn line stays one unreadable line (skipped and counted by `read`) instead of
   * swallowing the first new event.
   */
  append(events: readonly ArchivedEvent[]): void {
    if (events.length === 0) return;
    const text = events.map((e) => `${JSON.stringify(e)}\n`).join('');
    const torn = !this.tailChecked && endsTorn(this.path);
    this.tailChecked = true;
    appendFileSync(this.path, torn ? `\n${text}` : text, { mode: 0o600 });
  }

  /** The archived events with `from <= t < to`, in archive order; unreadable lines are skipped and counted. */
  async read(fromMs: number, toMs: number): Promise<{ events: ArchivedEvent[]; skipped: number }> {
    const events: ArchivedEvent[] = [];
    let skipped = 0;
    if (!existsSync(this.path)) return { events, skipped };
    const lines = createInterface({ input: createReadStream(this.path, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        skipped += 1; // a torn last line after a crash
        continue;
      }
      const entry = parsed as Partial<ArchivedEvent>;
      if (typeof entry.t !== 'number' || entry.event === undefined || typeof entry.event !== 'object') {
        skipped += 1;
        continue;
      }
      if (entry.t >= fromMs && entry.t < toMs) events.push(entry as ArchivedEvent);
    }
    return { events, skipped };
  }
}
