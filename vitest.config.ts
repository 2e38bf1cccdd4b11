import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One temporary directory per run, removed at its end (test/temp-root.ts).
    globalSetup: ['test/temp-root.ts'],
    // Bounds for a hang, not expectations of speed (no test asserts on time): a machine shared
    // with other jobs may take several times as long as an idle one without anything being wrong.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Likewise for expect.poll (vitest's default gives up after 1 s).
    expect: { poll: { timeout: 30_000 } },
    pool: 'forks',
    // One worker per core, at least two. Vitest's default is one fewer than the cores: a single
    // worker on a 2-core CI runner, which leaves the second core idle while most files wait on
    // the servers, processes and timers they start. Files share nothing (each starts its own
    // servers on ports the system picks, under its own temporary directory): docs/adr/0020-test-suite-time-budget.md.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
