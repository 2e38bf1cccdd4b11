// Vitest global setup: every temporary directory the tests make (os.tmpdir(), also in the
// processes they start) goes under one directory for the run, removed when the run ends, so a
// test that forgets its cleanup, or fails before it, leaves nothing behind.
//
// It also holds Node's module compile cache for the run (NODE_COMPILE_CACHE, unless already
// set): the workers and every process the tests start (gns-sync, sim, local, trace…) compile
// the same modules, and with the cache only the first one does (about 15 % less CPU for the
// files that start the CLI). It changes no behaviour: V8 code cache, keyed by each module's
// content.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'gns-test-run-'));
  const before = { TMPDIR: process.env.TMPDIR, TMP: process.env.TMP, TEMP: process.env.TEMP, NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE };
  // Set before the workers start: they (and what they spawn) inherit it; os.tmpdir() reads it.
  process.env.TMPDIR = root;
  process.env.TMP = root;
  process.env.TEMP = root;
  process.env.NODE_COMPILE_CACHE ??= join(root, 'node-compile-cache');
  return () => {
    for (const [key, value] of Object.entries(before)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(root, { recursive: true, force: true });
  };
}
