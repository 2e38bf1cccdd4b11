// `gns-sync local` as a user runs it (a child process): SIGKILL during a burst, pods changed
// while it is down, restart: it converges and no VIP changes. `status` asks the running
// process, then reads the store once it has stopped; SIGTERM stops it cleanly.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../local/cli/main.ts';
import { kafkaPodIps } from '../../local/demo/checks.ts';
import { DEMO_CONFIG_YAML } from '../../local/demo/scenario.ts';
import { findControl } from '../../local/runner/control.ts';
import { type CliProcess, killCli, startCli } from '../support/cli.ts';
import { startWorld, waitFor, type World } from './harness.ts';

let world: World;
let configPath: string;
let kubeconfigPath: string;

beforeAll(async () => {
  world = await startWorld({ start: false });
  configPath = join(world.stateDir, '..', `${world.stateDir.split('/').pop()}-config.yaml`);
  kubeconfigPath = join(world.stateDir, '..', `${world.stateDir.split('/').pop()}-kubeconfig`);
  writeFileSync(configPath, DEMO_CONFIG_YAML);
  writeFileSync(kubeconfigPath, world.fleet.kubeconfigYaml());
});
afterAll(async () => {
  await killCli();
  await world?.stop();
});

const startLocalProcess = (): CliProcess => startCli(['local', '--config', configPath, '--kubeconfig', kubeconfigPath, '--state-dir', world.stateDir]);

async function captured(run: () => Promise<number>): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => void lines.push(a.join(' '));
  console.error = (...a: unknown[]) => void lines.push(a.join(' '));
  try {
    return { code: await run(), out: lines.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
}

it('SIGKILL during a burst, pods changed while down, restart: converges with no VIP changed', async () => {
  const first = startLocalProcess();
  const initial = await world.converged(3);
  // One line per sync: target, endpoints, writes, ms (stdout may trail the DNS answer a little).
  await waitFor('a sync line on stdout', () => (first.lines.some((l) => /^sync clusterTwo\/ns-one\/kafka-headless \(kafka-gns\): 3 endpoints, \d+ writes, \d+ ms$/.test(l)) ? true : undefined));

  // A burst, killed in the middle.
  await world.kube.scale('clusterOne', 'ns-one', 'kafka', 5);
  await world.kube.delete('clusterOne', 'v1', 'Pod', 'ns-one', 'kafka-0');
  await waitFor('the burst reached the control plane', () => (first.lines.some((l) => / [45] endpoints/.test(l)) ? true : undefined), 20_000, 5);
  first.child.kill('SIGKILL');
  await first.exited;

  // While it is down.
  await world.kube.delete('clusterOne', 'v1', 'Pod', 'ns-one', 'kafka-1');
  await world.kube.scale('clusterOne', 'ns-one', 'kafka', 4);
  await waitFor('4 pods with IPs', async () => ((await kafkaPodIps(world.kube)).size === 4 ? true : undefined));

  const second = startLocalProcess();
  const after = await world.converged(4);
  for (const [pod, vip] of initial.vips) expect(after.vips.get(pod)).toBe(vip);
  expect(new Set(after.vips.values()).size).toBe(4);

  // status from the running process.
  await waitFor('the control endpoint', () => findControl(world.stateDir));
  const live = await captured(() => main(['status', '--state-dir', world.stateDir]));
  expect(live.code).toBe(0);
  expect(live.out).toMatch(/kafka-gns\s+clusterTwo\/ns-one\/kafka-headless\s+4\s+4\s/);
  expect(live.out).toMatch(/from the running gns-sync local \(pid \d+\)/);

  // replay into the running process: merged idempotently, nothing changes.
  const replayed = await captured(() => main(['replay', '--from', '2000-01-01', '--to', new Date(Date.now() + 60_000).toISOString(), '--state-dir', world.stateDir, '--name', 'e2e']));
  expect(replayed.code).toBe(0);
  expect(replayed.out).toMatch(/replay e2e: \d+ events replayed into the running gns-sync local/);
  expect((await world.converged(4)).vips).toEqual(after.vips);

  // SIGTERM: a clean stop, then status from the store on disk.
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect(second.lines.join('\n')).toMatch(/stopped\./);
  const offline = await captured(() => main(['status', '--state-dir', world.stateDir]));
  expect(offline.code).toBe(0);
  expect(offline.out).toMatch(/kafka-gns\s+clusterOne\/ns-two\/kafka-headless\s+4\s+0\s/);
  expect(offline.out).toMatch(/gns-sync local is not running/);
});
