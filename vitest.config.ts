import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temporary directory per run, removed at its end (test/temp-root.ts).
    globalSetup: ['test/temp-root.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One worker per core, at least two. Vitest's default is one fewer than the cores: a single
    // worker on a 2-core CI runner, which leaves the second core idle while most files wait on
    // the servers, processes and timers they start. Files share nothing (each starts its own
    // servers on ports the system picks, under its own temporary directory).
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
