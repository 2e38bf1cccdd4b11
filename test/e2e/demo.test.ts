// `gns-sync demo --once` (what a newcomer runs first): plays the seed's scenario, verifies it,
// prints the table and exits 0; its kubeconfig is left for kubectl.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { main } from '../../local/cli/main.ts';

const ROOT = join(import.meta.dirname, '../..');
const made: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'gns-demo-'));
  made.push(dir);
  return dir;
};
afterEach(() => vi.restoreAllMocks());
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

it('demo --once plays restart and scale to 5, verifies, prints the table, exits 0, and does not offer kubectl commands for the clusters it stopped', async () => {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  const stateDir = join(tempDir(), '.gns-sync');
  expect(await main(['demo', '--once', '--state-dir', stateDir])).toBe(0);
  const out = lines.join('\n');
  // It does not invite the user to try clusters it has stopped.
  expect(out).not.toMatch(/KUBECONFIG|kubectl --context|dig @/);
  expect(out).toMatch(/ok {3}kafka-1 restarted: .* VIP 241\.0\.\d+\.\d+ unchanged/);
  expect(out).toMatch(/ok {3}scaled to 5/);
  // routing: istio — each step is also checked with gns-sync trace (DNS → VIP → ServiceEntry → gateway → pod).
  expect(out).toMatch(/ok {3}routing: each VIP reaches its pod through net-one's east-west gateway/);
  expect(out).toMatch(/ok {3}routing: VIP 241\.0\.\d+\.\d+ reaches kafka-1 at its new IP 10\.1\.\d+\.\d+/);
  expect(out).toMatch(/ok {3}routing: all 5 names reach their own ready pods/);
  // The table's REACHES column: where each name ends up, as trace follows it.
  for (let i = 0; i < 5; i += 1) {
    expect(out).toMatch(new RegExp(`clusterOne\\s+kafka-${i}\\.kafka-headless\\.ns-two\\.svc\\.cluster\\.local\\s+10\\.1\\.\\d+\\.\\d+\\s+pod IP\\s+clusterOne/ns-one/kafka-${i}$`, 'm'));
    expect(out).toMatch(new RegExp(`clusterTwo\\s+kafka-${i}\\.kafka-headless\\.ns-one\\.svc\\.cluster\\.local\\s+241\\.0\\.\\d+\\.\\d+\\s+VIP\\s+clusterOne/ns-one/kafka-${i}$`, 'm'));
  }
  expect(out).toMatch(/every check passed/);
  expect(readFileSync(join(stateDir, 'kubeconfig'), 'utf8')).toMatch(/name: clusterTwo/);
  expect(existsSync(join(stateDir, 'lock'))).toBe(false);
});

it('demo (live) redraws the table when the user scales with kubectl, a bare `gns-sync status` finds it, and it stops cleanly', async () => {
  const { runDemo } = await import('../../local/demo/demo.ts');
  const { Kube } = await import('../../local/demo/kube.ts');
  const { waitFor } = await import('../../local/demo/checks.ts');
  const lines: string[] = [];
  const cwd = tempDir();
  const stateDir = join(cwd, '.gns-sync', 'demo');
  let stop!: () => void;
  const until = new Promise<void>((resolve) => { stop = resolve; });
  const exited = runDemo({ once: false, stateDir, out: (l) => void lines.push(l), until });
  const vipRow = (n: number) => new RegExp(`clusterTwo\\s+kafka-${n}\\.kafka-headless\\.ns-one\\.svc\\.cluster\\.local\\s+241\\.0\\.`);
  await waitFor('the first table with 3 VIPs', () => (vipRow(2).test(lines.join('\n')) ? true : undefined));
  // The live table says where each name ends up (trace through the routing objects), and the help shows trace.
  await waitFor('a table where kafka-2 reaches its pod', () => (/kafka-2\.kafka-headless\.ns-one\.svc\.cluster\.local\s+241\.0\.\S+\s+VIP\s+clusterOne\/ns-one\/kafka-2$/m.test(lines.join('\n')) ? true : undefined));
  expect(lines.join('\n')).toContain(`npx gns-sync trace kafka-0.kafka-headless.ns-one.svc.cluster.local --from clusterTwo --config ${join(stateDir, 'config.yaml')}`);
  expect(lines.join('\n')).not.toMatch(vipRow(3));
  const kube = new Kube(readFileSync(join(stateDir, 'kubeconfig'), 'utf8'));
  await kube.scale('clusterOne', 'ns-one', 'kafka', 4);
  await waitFor('a redrawn table with kafka-3', () => (vipRow(3).test(lines.join('\n')) ? true : undefined));
  // A bare `gns-sync status` run where the demo was started finds the running demo.
  const status = await promisify(execFile)(join(ROOT, 'node_modules/.bin/node'), [join(ROOT, 'bin/gns-sync.mjs'), 'status'], { cwd });
  expect(status.stdout).toMatch(/clusterTwo\/ns-one\/kafka-headless/);
  expect(status.stdout).toMatch(/^cluster clusterTwo \(context clusterTwo, https:\/\/127\.0\.0\.1:\d+\): reachable$/m);
  expect(status.stdout).toMatch(new RegExp(`from the running gns-sync local \\(pid ${process.pid}\\)`));
  // The pool's usage per GNS (4 VIPs at least: kafka-0..3 seen from clusterTwo) and the propagation it measured.
  expect(status.stdout).toMatch(/^VIP pool 241\.0\.0\.0\/16: \d+\/65534 used \([<\d.]+ %; held or in quarantine\), \d+ free$/m);
  expect(status.stdout).toMatch(/^ {2}GNS kafka-gns: ([4-9]|\d\d+)\/65534 VIPs \([<\d.]+ % of the pool\)$/m);
  expect(status.stdout).toMatch(/^Propagation, last 5 min: p50 \d+ ms, p99 \d+ ms over [1-9]\d* syncs \(agent observation → target slices written/m);
  stop();
  expect(await exited).toBe(0);
  expect(lines.at(-1)).toMatch(/demo: stopping/);
});
