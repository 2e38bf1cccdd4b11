// Losing the DynamoDB data: delete it from the state directory, restart, and converge with
// the same VIPs — from the agents' resnapshot, from a replay of the archive into the running
// process, or from an offline `gns-sync replay` before the restart.
import { rmSync } from 'node:fs';
import { afterEach, expect, it } from 'vitest';
import { main } from '../../local/cli/main.ts';
import { statePaths } from '../../local/runner/state-dir.ts';
import { startWorld, type World } from './harness.ts';

let world: World | undefined;
afterEach(async () => { await world?.stop(); world = undefined; });

const wipeDynamo = (w: World) => rmSync(statePaths(w.stateDir).dynamodb, { recursive: true, force: true });

it('delete the DynamoDB data, restart: the agents resnapshot and it converges with the same VIPs', async () => {
  world = await startWorld({ replicas: 4 });
  const before = await world.converged(4);
  await world.runtime.stop();
  wipeDynamo(world);
  await world.restart();
  const after = await world.converged(4);
  expect(after.vips).toEqual(before.vips);
});

it('delete the DynamoDB data, restart without agents, replay the archive: the same VIPs', async () => {
  world = await startWorld();
  const before = await world.converged(3);
  await world.runtime.stop();
  wipeDynamo(world);
  const runtime = await world.restart({ agents: false });
  const report = await runtime.replay({ fromMs: 0, toMs: Date.now() + 1000, name: 'rebuild' });
  expect(report.events).toBeGreaterThan(0);
  await runtime.idle();
  await runtime.reconcile();
  const after = await world.converged(3);
  expect(after.vips).toEqual(before.vips);
});

it('offline `gns-sync replay` into the store, then restart: the same VIPs', async () => {
  world = await startWorld();
  const before = await world.converged(3);
  await world.runtime.stop();
  wipeDynamo(world);
  const code = await main(['replay', '--from', '2000-01-01', '--to', new Date(Date.now() + 60_000).toISOString(), '--state-dir', world.stateDir]);
  expect(code).toBe(0);
  await world.restart({ agents: false });
  const after = await world.converged(3);
  expect(after.vips).toEqual(before.vips);
});
