// The bus archive: every archived event as one JSON line under the state directory
// (`archive/events.jsonl`), and a reader for replays between two times.
import { appendFileSync, createReadStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BusEnvelope } from './envelope.ts';

export interface ArchivedEvent {
  /** The event's time in milliseconds (the entry's Time, or its receipt): what a replay filters on. */
  readonly t: number;
  readonly event: BusEnvelope;
}

export const archivePath = (stateDir: string): string => join(stateDir, 'archive', 'events.jsonl');

export class FileArchive {
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
  }

  /** Appends synchronously: an event acknowledged by `put` is on disk even if the process dies next. */
  append(events: readonly ArchivedEvent[]): void {
    if (events.length === 0) return;
    appendFileSync(this.path, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
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
