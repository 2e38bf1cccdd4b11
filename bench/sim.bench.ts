// Simulated cluster throughput: pod writes per second through HTTP (keep-alive agent, same
// process) while 10 watchers stream every change, so the simulator is never the bottleneck
// of the end-to-end benchmarks.
import { Agent, request } from 'node:http';
import { startSimClusters } from '../local/sim/index.ts';

const WATCHERS = 10;
const PODS = 200;
const UPDATES = 6000;
const CONCURRENCY = 16;

function call(agent: Agent, base: string, method: string, path: string, body: unknown, contentType = 'application/json'): Promise<number> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(`${base}${path}`, { method, agent, headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), Accept: 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** A watcher that counts the events it reads. */
function watcher(base: string, path: string): { count: () => number; stop: () => void } {
  let events = 0;
  const req = request(`${base}${path}`, { headers: { Accept: 'application/json' } }, (res) => {
    res.on('data', (chunk: Buffer) => {
      for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) events++;
    });
  });
  req.on('error', () => {});
  req.end();
  return { count: () => events, stop: () => req.destroy() };
}

async function pool(total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < total) await task(next++);
  }));
}

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const fleet = await startSimClusters({ clusters: [{ name: 'bench' }], readyDelayMs: 0, watchHistory: 10_000 });
  const cluster = fleet.clusters[0]!;
  const base = cluster.url;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    await call(agent, base, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
    const podsPath = '/api/v1/namespaces/bench/pods';
    const watchers = Array.from({ length: WATCHERS }, () => watcher(base, `${podsPath}?watch=true&resourceVersion=${cluster.resourceVersion}`));

    // Creates: each pod is also scheduled, given an IP and made Ready by the kubelet, with events.
    let t0 = performance.now();
    await pool(PODS, CONCURRENCY, async (i) => {
      const status = await call(agent, base, 'POST', podsPath, { metadata: { name: `p-${i}`, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox:1', ports: [{ name: 'web', containerPort: 80 }] }] } });
      if (status !== 201) throw new Error(`create answered ${status}`);
    });
    const createSeconds = (performance.now() - t0) / 1000;
    while (cluster.list('pods', 'bench').some((p) => !(p.status as { podIP?: string }).podIP)) await new Promise((r) => setTimeout(r, 5));
    const rvBefore = cluster.resourceVersion;
    const seenBefore = watchers.map((w) => w.count());

    // Updates: label patches spread over the pods, each one a stored change and a watch event for every watcher.
    t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await pool(UPDATES, CONCURRENCY, async (i) => {
      const status = await call(agent, base, 'PATCH', `${podsPath}/p-${i % PODS}`, { metadata: { labels: { rev: String(i) } } }, 'application/merge-patch+json');
      if (status !== 200) throw new Error(`patch answered ${status}`);
    });
    const updateSeconds = (performance.now() - t0) / 1000;
    const expected = cluster.resourceVersion - rvBefore;
    const deadline = Date.now() + 10_000;
    while (watchers.some((w, i) => w.count() - seenBefore[i]! < UPDATES) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    const delivered = Math.min(...watchers.map((w, i) => w.count() - seenBefore[i]!));
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    for (const w of watchers) w.stop();
    log(`${PODS} pod creates in ${createSeconds.toFixed(2)} s; ${UPDATES} pod label patches in ${updateSeconds.toFixed(2)} s (${expected} stored changes), ${WATCHERS} watchers each got >= ${delivered}`);
    return {
      'sim.pod_writes_per_s': Math.round(UPDATES / updateSeconds),
      'sim.pod_creates_per_s': Math.round(PODS / createSeconds),
      // CPU of this process (server, clients and watchers) per write: steadier than wall time on a busy machine.
      'sim.pod_write_cpu_us': Math.round((cpuSeconds / UPDATES) * 1e6),
    };
  } finally {
    agent.destroy();
    await fleet.stop();
  }
}
