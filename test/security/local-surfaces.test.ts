// Adversarial: the local surfaces (issue 11, finding 5). The control endpoint of `gns-sync local`
// is on 127.0.0.1, where any web page the user visits can send requests: cross-site requests
// (a `text/plain` POST, a form, a fetch with an Origin, a DNS-rebound Host) and requests
// without the per-run secret are refused before any handler runs. The state directory is
// private: 0700, its files 0600 — also one made by an older version, and LevelDB's files.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_CONFIG_YAML } from '../../local/demo/scenario.ts';
import { callControl, findControl, startControl } from '../../local/runner/control.ts';
import { lockStateDir, statePaths } from '../../local/runner/state-dir.ts';
import { startWorld, waitFor } from '../e2e/harness.ts';
import { killCli, startCli } from '../support/cli.ts';

const made: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'gns-sec-'));
  made.push(dir);
  return dir;
};
afterAll(async () => {
  await killCli();
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** One raw request, as a browser or another local user would send it. */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, setHost: !('host' in headers) }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const modeOf = (path: string) => statSync(path).mode & 0o777;

describe('control endpoint (finding 5)', () => {
  it('refuses every cross-site or unauthenticated request before a handler runs; the owner\'s JSON request works', async () => {
    const dir = tmp();
    const lock = lockStateDir(dir);
    const calls: string[] = [];
    const control = await startControl(dir, {
      status: async () => { calls.push('status'); return { pid: process.pid, startedAt: 1, targets: [], deadLetters: { ingest: 0, sync: 0 }, queues: {} }; },
      replay: async (r) => { calls.push('replay'); return { name: r.name ?? 'x', events: 0, skipped: 0 }; },
    });
    try {
      const address = findControl(dir)!;
      const { port, token } = address;
      const auth = { authorization: `Bearer ${token}` };
      const replay = JSON.stringify({ fromMs: 0, toMs: Date.now() });
      const attacks: [string, () => Promise<number>, number][] = [
        // The proof of concept of the review: a web page's fetch(..., {mode: 'no-cors', body}) is a text/plain POST.
        ['cross-site text/plain POST /replay', () => raw(port, 'POST', '/replay', { 'content-type': 'text/plain', origin: 'https://evil.example' }, replay), 403],
        ['cross-site form POST /replay', () => raw(port, 'POST', '/replay', { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' }, 'a=1'), 403],
        ['text/plain POST without Origin (no token)', () => raw(port, 'POST', '/replay', { 'content-type': 'text/plain' }, replay), 401],
        ['JSON POST with an Origin, even with the token', () => raw(port, 'POST', '/replay', { ...auth, 'content-type': 'application/json', origin: 'http://127.0.0.1:1' }, replay), 403],
        ['DNS rebinding: Host evil.example with the token', () => raw(port, 'POST', '/replay', { ...auth, 'content-type': 'application/json', host: `evil.example:${port}` }, replay), 403],
        ['JSON POST without the token', () => raw(port, 'POST', '/replay', { 'content-type': 'application/json' }, replay), 401],
        ['JSON POST with a wrong token', () => raw(port, 'POST', '/replay', { authorization: `Bearer ${'A'.repeat(token.length)}`, 'content-type': 'application/json' }, replay), 401],
        ['text/plain POST with the token', () => raw(port, 'POST', '/replay', { ...auth, 'content-type': 'text/plain' }, replay), 415],
        ['GET /status without the token', () => raw(port, 'GET', '/status', {}), 401],
        ['GET /status from a page (Origin)', () => raw(port, 'GET', '/status', { ...auth, origin: 'https://evil.example' }), 403],
      ];
      for (const [what, attack, code] of attacks) expect(await attack(), what).toBe(code);
      expect(calls).toEqual([]);
      expect(await callControl(address, 'POST', '/replay', { fromMs: 0, toMs: 1, name: 'mine' })).toEqual({ name: 'mine', events: 0, skipped: 0 });
      expect(calls).toEqual(['replay']);
      expect(modeOf(statePaths(dir).control)).toBe(0o600);
    } finally {
      await control.close();
      lock.release();
    }
  });
});

describe('state directory (finding 5)', () => {
  it('a directory left 0755/0644 by an older version becomes 0700/0600 when locked', () => {
    const dir = tmp();
    mkdirSync(join(dir, 'dlq'), { mode: 0o755 });
    writeFileSync(join(dir, 'dlq', 'ingest.jsonl'), '{}\n', { mode: 0o644 });
    chmodSync(dir, 0o755);
    const lock = lockStateDir(dir);
    try {
      expect([modeOf(dir), modeOf(join(dir, 'dlq')), modeOf(join(dir, 'dlq', 'ingest.jsonl')), modeOf(statePaths(dir).lock)]).toEqual([0o700, 0o700, 0o600, 0o600]);
    } finally {
      lock.release();
    }
  });

  it('`gns-sync local` as a user runs it: every directory of its state is 0700 and every file 0600; `status` still talks to it', async () => {
    const world = await startWorld({ start: false });
    const dir = join(world.stateDir, 'state');
    const config = join(world.stateDir, 'config.yaml');
    const kubeconfig = join(world.stateDir, 'kubeconfig');
    writeFileSync(config, DEMO_CONFIG_YAML);
    writeFileSync(kubeconfig, world.fleet.kubeconfigYaml());
    made.push(world.stateDir);
    const local = startCli(['local', '--config', config, '--kubeconfig', kubeconfig, '--state-dir', dir]);
    try {
      await world.converged(3, 90_000);
      const control = await waitFor('the control endpoint', () => findControl(dir));
      expect(await callControl<{ targets: unknown[] }>(control, 'GET', '/status')).toMatchObject({ targets: expect.any(Array) });
      const wrong: string[] = [];
      const walk = (path: string): void => {
        const stat = statSync(path);
        if (stat.isDirectory()) {
          if ((stat.mode & 0o777) !== 0o700) wrong.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
          for (const entry of readdirSync(path)) walk(join(path, entry));
        } else if ((stat.mode & 0o777) !== 0o600) wrong.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
      };
      walk(dir);
      expect(readdirSync(join(dir, 'dynamodb')).length).toBeGreaterThan(0);
      expect(wrong).toEqual([]);
    } finally {
      await local.stop();
      await world.stop();
    }
  }, 180_000); // a child process on a loaded machine: Node alone took over 30 s to start
});
