// `gns-sync sim`: starts the clusters, writes the kubeconfig, prints one line per cluster,
// serves kubectl, and stops cleanly on SIGTERM; bad usage exits 2 and writes nothing.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../local/cli/main.ts';
import { type CliProcess, startCli } from '../support/cli.ts';
import { hasKubectl } from './helpers.ts';

const startSim = (args: readonly string[]): CliProcess => startCli(['sim', ...args]);

describe('gns-sync sim', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gns-sim-cli-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('runs the clusters until SIGTERM, with a kubeconfig kubectl can use', async () => {
    const kubeconfig = join(dir, 'kubeconfig');
    const cli = startSim(['--clusters', 'clusterOne,clusterTwo', '--kubeconfig', kubeconfig, '--dns']);
    const deadline = Date.now() + 15_000;
    while (!cli.out().includes('kubeconfig written') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const lines = cli.out().trim().split('\n');
    expect(lines[0]).toMatch(/^clusterOne\thttp:\/\/127\.0\.0\.1:\d+\tdns 127\.0\.0\.1:\d+$/);
    expect(lines[1]).toMatch(/^clusterTwo\thttp:\/\/127\.0\.0\.1:\d+\tdns 127\.0\.0\.1:\d+$/);
    const config = await readFile(kubeconfig, 'utf8');
    expect(config).toContain('insecure-skip-tls-verify: true');
    if (hasKubectl) {
      const out = await new Promise<string>((resolve, reject) => {
        const k = spawn('kubectl', ['--context', 'clusterTwo', 'get', 'ns', '-o', 'name'], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: dir } });
        let text = '';
        k.stdout.on('data', (d: Buffer) => (text += d.toString()));
        k.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`kubectl exited ${code}`))));
      });
      expect(out).toContain('namespace/default');
    }
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.out()).toContain('simulated clusters stopped');
  });

  it('--container-stop-ms: a deleted pod stays Terminating (deletionTimestamp set) until its containers exit, then goes', async () => {
    const kubeconfig = join(dir, 'kubeconfig-grace');
    const cli = startSim(['--clusters', 'a', '--kubeconfig', kubeconfig, '--container-stop-ms', '1500']);
    try {
      const deadline = Date.now() + 15_000;
      while (!cli.out().includes('kubeconfig written') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const url = /^a\t(http:\/\/127\.0\.0\.1:\d+)/m.exec(cli.out())?.[1];
      expect(url).toBeDefined();
      const pods = `${url}/api/v1/namespaces/default/pods`;
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'x' }] } };
      expect((await fetch(pods, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(pod) })).status).toBe(201);
      // Only a scheduled pod is deleted gracefully (an unscheduled one goes at once, as in Kubernetes).
      const boundBy = Date.now() + 10_000;
      while (!((await (await fetch(`${pods}/p`)).json()) as { spec?: { nodeName?: string } }).spec?.nodeName && Date.now() < boundBy) await new Promise((r) => setTimeout(r, 20));
      expect((await fetch(`${pods}/p`, { method: 'DELETE' })).status).toBe(200);
      const after = (await (await fetch(`${pods}/p`)).json()) as { metadata?: { deletionTimestamp?: string; deletionGracePeriodSeconds?: number } };
      expect(after.metadata?.deletionTimestamp).toBeDefined();
      expect(after.metadata?.deletionGracePeriodSeconds).toBe(30);
      const goneBy = Date.now() + 10_000;
      while ((await fetch(`${pods}/p`)).status !== 404 && Date.now() < goneBy) await new Promise((r) => setTimeout(r, 50));
      expect((await fetch(`${pods}/p`)).status).toBe(404);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it.each([
    [['--kubeconfig', 'x'], '--clusters is required'],
    [['--clusters', 'a'], '--kubeconfig is required'],
    [['--clusters', 'a,a', '--kubeconfig', 'KC'], 'is given twice'],
    [['--clusters', 'bad name', '--kubeconfig', 'KC'], 'is not valid'],
    [['--clusters', 'a', '--kubeconfig', 'KC', '--port-base', 'x'], '--port-base must be a whole number'],
    [['--clusters', 'a', '--kubeconfig', 'KC', '--bogus'], "Unknown option '--bogus'"],
    [['--clusters', 'a', '--kubeconfig', 'KC', '--container-stop-ms', '1s'], '--container-stop-ms must be a whole number'],
    [['--clusters', 'a', '--kubeconfig', 'DIR'], 'is a directory, not a file'],
    [['--clusters', 'a', '--kubeconfig', 'NODIR'], 'does not exist'],
    [['--clusters', 'a', '--kubeconfig', 'KC', '--network', 'a=west'], '--network needs --istio'],
    [['--clusters', 'a', '--kubeconfig', 'KC', '--istio', '--network', 'b=west'], 'no cluster "b" in --clusters'],
    [['--clusters', 'a', '--kubeconfig', 'KC', '--istio', '--network', 'a'], 'write CLUSTER=NETWORK'],
    [['--clusters', 'a', '--kubeconfig', 'KC', '--istio', '--network', 'a=we st'], 'is not a valid label value'],
    [['--clusters', 'a', '--kubeconfig', 'KC', '--istio', '--network', 'a=x', '--network', 'a=y'], 'names cluster "a" twice'],
  ])('refuses %j with exit 2 and writes nothing', async (args, message) => {
    const kc = join(dir, `kc-${Math.random()}`);
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...m: unknown[]) => {
      errors.push(m.join(' '));
    });
    try {
      expect(await main(['sim', ...args.map((a) => (a === 'KC' ? kc : a === 'DIR' ? dir : a === 'NODIR' ? join(dir, 'none', 'kc') : a))])).toBe(2);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toContain(message);
    expect(existsSync(kc)).toBe(false);
  });
});
