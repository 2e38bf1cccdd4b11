// The local engine in a child process of its own (`startLocalDynamo({ engine: 'process' })`):
// the same table, data on disk flushed when it stops (local-dynamo.test.ts reads it back), the
// child gone after `stop` and when its parent dies — also by SIGKILL — and a damaged store
// reported before any child starts, as with the in-process engine (issue 10, case 10).
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { LocalDynamoError, startLocalDynamo } from '../../../local/dynamo/start.ts';
import { TABLE } from '../../../shared/adapters/dynamodb/table.ts';
import { tempDirs } from './helpers.ts';

const tempDir = tempDirs('gns-sync-dynamo-process-');

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Polls until `pid` is gone; false if it is still there after `ms`. */
async function gone(pid: number, ms = 20_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(50)) if (!alive(pid)) return true;
  return !alive(pid);
}
/** The pids of the children of `parent` (Linux /proc). */
async function childrenOf(parent: number): Promise<number[]> {
  const { readFileSync, readdirSync } = await import('node:fs');
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

describe("startLocalDynamo({ engine: 'process' })", () => {
  it('serves the table of the shared definition from a child process, which stop() ends', async () => {
    const local = await startLocalDynamo({ engine: 'process' });
    const children = await childrenOf(process.pid);
    try {
      expect(local.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const { Table } = await local.client.send(new DescribeTableCommand({ TableName: local.tableName }));
      expect(Table?.TableStatus).toBe('ACTIVE');
      expect(Table?.TableName).toBe(TABLE.tableName);
    } finally {
      await local.stop();
    }
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) expect(await gone(pid)).toBe(true);
  });

  // On disk, what it stored is flushed at stop and read back by the in-process engine: local-dynamo.test.ts, for both engines.

  it.each(['SIGKILL', 'SIGTERM'] as const)('dies with its parent (%s), and the store opens again', async (signal) => {
    const dir = tempDir();
    // A parent that starts the engine on disk, says the child's pid, and waits to be killed.
    const script = [
      `import { startLocalDynamo } from ${JSON.stringify(join(process.cwd(), 'local/dynamo/start.ts'))};`,
      `await startLocalDynamo({ dir: ${JSON.stringify(dir)}, engine: 'process' });`,
      "console.log('started');",
      'setInterval(() => undefined, 1000);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      parent.stdout.setEncoding('utf8').on('data', (chunk: string) => (chunk.includes('started') ? resolve() : undefined));
      parent.once('exit', (code) => reject(new Error(`the parent exited (${code}) before the engine started`)));
    });
    const [child] = await childrenOf(parent.pid!);
    expect(child).toBeDefined();
    parent.kill(signal);
    expect(await gone(parent.pid!)).toBe(true);
    const childGone = await gone(child!);
    if (!childGone) process.kill(child!, 'SIGKILL'); // leave nothing behind, then fail
    expect(childGone).toBe(true);
    // The lock is released: the state directory opens again.
    const again = await startLocalDynamo({ dir });
    await again.stop();
  });

  it('a damaged store is reported naming the file, and no child is left behind', async () => {
    const dir = tempDir();
    await (await startLocalDynamo({ dir })).stop();
    writeFileSync(join(dir, 'CURRENT'), 'MANIFEST-0000');
    const before = await childrenOf(process.pid);
    const error = await startLocalDynamo({ dir, engine: 'process' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LocalDynamoError);
    expect(String(error)).toContain(`the local DynamoDB store is damaged: ${join(dir, 'CURRENT')}`);
    expect(await childrenOf(process.pid)).toEqual(before);
  });
});
