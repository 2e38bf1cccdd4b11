// A dead-letter queue kept as JSON lines under the state directory (`dlq/<name>.jsonl`):
// what could never be processed, with the reason. Implements the DeadLetters port.
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DeadLetter, DeadLetters } from '../../shared/ports.ts';

export interface StoredDeadLetter extends DeadLetter {
  /** When it was dead-lettered (ms since the epoch). */
  readonly at: number;
  /** The queue it came from, when the queue's redrive put it here. */
  readonly queue?: string;
}

export const deadLetterPath = (stateDir: string, name: string): string => join(stateDir, 'dlq', `${name}.jsonl`);

export class DeadLetterFile implements DeadLetters {
  readonly path: string;
  readonly #now: () => number;
  count = 0;

  constructor(path: string, now: () => number = Date.now) {
    this.path = path;
    this.#now = now;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  }

  async send(letter: DeadLetter): Promise<void> {
    this.append({ ...letter });
  }

  append(letter: DeadLetter & { readonly queue?: string }): void {
    const stored: StoredDeadLetter = { at: this.#now(), ...letter, reason: letter.reason.split('\n')[0] ?? '' };
    appendFileSync(this.path, `${JSON.stringify(stored)}\n`, { mode: 0o600 });
    this.count += 1;
  }

  /** Everything dead-lettered so far (a torn last line is skipped). */
  list(): StoredDeadLetter[] {
    if (!existsSync(this.path)) return [];
    return readFileSync(this.path, 'utf8').split('\n').flatMap((line) => {
      if (line.trim() === '') return [];
      try {
        return [JSON.parse(line) as StoredDeadLetter];
      } catch {
        return [];
      }
    });
  }
}
