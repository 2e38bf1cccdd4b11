// Cloud bundles (issue 6): size of each function bundle and its init time in a fresh Node 24
// process, built with the same esbuild options as the CDK construct (infra/bundling.ts).
//   cloud.bundle_kb.<function>  minified bundle, KiB (source map excluded); also the agent image's
//   cloud.init_ms.<function>    median wall time to import the bundle and build its deps, as Lambda's
//                               init does (AWS_LAMBDA_FUNCTION_NAME set), in a fresh process
//   cloud.init_cpu_ms.<function> the same init's CPU time (user + system): what the wall time is
//                               on an idle core; it does not grow when other work shares the machine
// Budgets: ≤ 1 MiB without Kubernetes, ≤ 3 MiB with; init < 300 ms.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { BUNDLE_BUDGET_BYTES, FUNCTIONS, TALKS_TO_KUBERNETES, functionEntry } from '../infra/bundling.ts';
import { bundle } from '../infra/bundle.ts';

const execNode = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.GNS_BENCH_INIT_RUNS ?? 9);
const INIT_BUDGET_MS = 300;

// Measures only the module's own init: from just before the import to the handler being ready.
const PROBE = `const t0 = performance.now();
const c0 = process.cpuUsage();
await import(process.argv[2]);
const cpu = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ wall: performance.now() - t0, cpu: (cpu.user + cpu.system) / 1000 }));
process.exit(0);
`;

const CONFIG = JSON.stringify({
  clusters: [{ name: 'clusterOne', network: 'net-one' }, { name: 'clusterTwo', network: 'net-two' }],
  globalNamespaces: [{ name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-two' }, { cluster: 'clusterTwo', namespace: 'ns-one' }] }],
});

/** What a Lambda container has at init: the stack's variables; no call is made during init. */
const lambdaEnv = (work: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  AWS_LAMBDA_FUNCTION_NAME: 'gns-sync-bench',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_CONFIG_FILE: join(work, 'none'),
  AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
  NODE_OPTIONS: '--enable-source-maps',
  POWERTOOLS_SERVICE_NAME: 'gns-sync-bench',
  TABLE_NAME: 'gns-sync-state',
  SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/gns-sync-sync.fifo',
  INGEST_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/gns-sync-ingest-dlq',
  SYNC_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/gns-sync-sync-dlq.fifo',
  GNS_SYNC_CONFIG: CONFIG,
});

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const work = mkdtempSync(join(tmpdir(), 'gns-bench-cloud-'));
  log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} CPUs: wall times grow with load, CPU times do not`);
  writeFileSync(join(work, 'probe.mjs'), PROBE);
  const figures: Record<string, number> = {};
  for (const name of FUNCTIONS) {
    const out = await bundle(functionEntry(name), join(work, name), ROOT);
    const budget = TALKS_TO_KUBERNETES[name] ? BUNDLE_BUDGET_BYTES.kubernetes : BUNDLE_BUDGET_BYTES.plain;
    figures[`cloud.bundle_kb.${name}`] = round1(out.bytes / 1024);
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { stdout } = await execNode(process.execPath, [join(work, 'probe.mjs'), out.file], { env: lambdaEnv(work), cwd: work });
      const probe = JSON.parse(stdout) as { wall: number; cpu: number };
      times.push(probe.wall);
      cpuTimes.push(probe.cpu);
    }
    figures[`cloud.init_ms.${name}`] = round1(median(times));
    figures[`cloud.init_cpu_ms.${name}`] = round1(median(cpuTimes));
    const over = [out.bytes > budget ? `bundle over its ${budget / 1024} KiB budget` : '', median(times) > INIT_BUDGET_MS ? `init over ${INIT_BUDGET_MS} ms` : ''].filter(Boolean);
    log(`${name}: ${(out.bytes / 1024).toFixed(0)} KiB of ${budget / 1024} KiB, ${out.packages.length} packages; init median ${median(times).toFixed(0)} ms wall, ${median(cpuTimes).toFixed(0)} ms CPU, of ${RUNS} fresh processes (wall min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})${over.length ? ` — WARNING: ${over.join(', ')}` : ''}`);
  }
  const agent = await bundle('agent/main.ts', join(work, 'agent'), ROOT);
  figures['cloud.bundle_kb.agent'] = round1(agent.bytes / 1024);
  log(`agent image bundle: ${(agent.bytes / 1024).toFixed(0)} KiB, ${agent.packages.length} packages`);
  rmSync(work, { recursive: true, force: true });
  return figures;
}

