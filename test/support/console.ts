// What the CLI prints when a test calls its `main` in-process: console.log and console.error
// captured for each test of the file (or describe block) that asks, restored after each test.
import { afterEach, beforeEach, vi } from 'vitest';

/** Registers the capture; `out` (console.log) and `err` (console.error) hold the current test's lines. */
export function captureConsole(): { readonly out: string[]; readonly err: string[] } {
  const captured = { out: [] as string[], err: [] as string[] };
  beforeEach(() => {
    captured.out.length = 0;
    captured.err.length = 0;
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void captured.out.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void captured.err.push(args.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return captured;
}
