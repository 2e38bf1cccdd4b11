// The demo's state directory (issue 14): its own (.gns-sync/demo/ by default), never another's —
// a directory holding gns-sync local's store is refused, not reset.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../local/cli/main.ts';
import { DEFAULT_DEMO_STATE_DIR, DEFAULT_STATE_DIR } from '../../../local/runner/state-dir.ts';

const dir = mkdtempSync(join(tmpdir(), 'gns-demo-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('the demo state directory', () => {
  it("defaults to .gns-sync/demo, beside (not over) local's .gns-sync store", () => {
    expect(DEFAULT_STATE_DIR).toBe('.gns-sync');
    expect(DEFAULT_DEMO_STATE_DIR).toBe(join('.gns-sync', 'demo'));
  });

  it("a directory holding gns-sync local's store: exit 1, one line, nothing removed", async () => {
    const errors: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const local = join(dir, 'local-state');
    mkdirSync(join(local, 'dynamodb'), { recursive: true });
    mkdirSync(join(local, 'archive'));
    writeFileSync(join(local, 'archive', 'events.jsonl'), '{"kept":true}\n');
    expect(await main(['demo', '--once', '--state-dir', local])).toBe(1);
    expect(errors).toEqual([`gns-sync demo: ${local} holds the state of gns-sync local, not of a demo; the demo resets its state directory at start, so give it another --state-dir (default ${DEFAULT_DEMO_STATE_DIR}/)`]);
    expect(readdirSync(local).sort()).toEqual(['archive', 'dynamodb']);
    expect(existsSync(join(local, 'archive', 'events.jsonl'))).toBe(true);
  });
});
