// The pure core's cost: desired slices and plan for one target with 1,000 and 10,000 source
// pods (half remote, with VIPs), and the merge of 100,000 events.
import { desiredSlices } from '../shared/core/desired.ts';
import type { DesiredInput } from '../shared/core/desired.ts';
import { formatHlc } from '../shared/core/hlc.ts';
import { identityKey } from '../shared/core/identity.ts';
import { emptyNamespaceState, mergeEvent, mergeEvents } from '../shared/core/merge.ts';
import { planSlices } from '../shared/core/plan.ts';
import type { PodRecord, Slice, SourcePod } from '../shared/core/types.ts';
import { ANNOTATION_TSM } from '../shared/core/types.ts';
import type { GnsEvent, PodUpsert } from '../shared/schemas/events.ts';

const now = (): number => performance.now();

/**
 * Wall time in ms of `fn`: the fastest of `runs` runs after three warm-ups (the minimum is
 * the figure least disturbed by other processes on a shared machine), and the median.
 */
function time(runs: number, fn: () => void): { min: number; median: number } {
  for (let i = 0; i < 3; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = now();
    fn();
    samples.push(now() - start);
  }
  samples.sort((a, b) => a - b);
  return { min: samples[0] as number, median: samples[Math.floor(samples.length / 2)] as number };
}

function podRecord(i: number, ready = true): PodRecord {
  return {
    name: `kafka-${i}`,
    uid: `uid-${i}`,
    labels: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'kafka', 'statefulset.kubernetes.io/pod-name': `kafka-${i}` },
    ips: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`],
    hostname: `kafka-${i}`,
    ready,
    terminating: false,
    ports: [{ name: 'client', containerPort: 9092, protocol: 'TCP' }],
    nodeName: `node-${i % 50}`,
  };
}

export function input(n: number): DesiredInput {
  const target = { gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-two', name: 'kafka-headless' };
  const sources: SourcePod[] = [];
  const vips = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const remote = i % 2 === 1;
    const cluster = remote ? 'clusterTwo' : 'clusterOne';
    sources.push({ cluster, namespace: `ns-${i % 4}`, pod: podRecord(i) });
    if (remote) vips.set(identityKey({ gns: target.gns, cluster, namespace: `ns-${i % 4}`, pod: `kafka-${i}` }), `240.240.${(i >> 8) & 255}.${i & 255}`);
  }
  return {
    target,
    service: {
      name: 'kafka-headless',
      uid: 'uid-svc',
      annotations: { [ANNOTATION_TSM]: '{"app.kubernetes.io/name":"kafka","app.kubernetes.io/instance":"kafka"}' },
      clusterIP: 'None',
      publishNotReadyAddresses: false,
      ports: [{ name: 'client', port: 9092, protocol: 'TCP', targetPort: 'client' }],
    },
    selector: { 'app.kubernetes.io/name': 'kafka', 'app.kubernetes.io/instance': 'kafka' },
    sources,
    networks: new Map([
      ['clusterOne', 'net-a'],
      ['clusterTwo', 'net-b'],
    ]),
    vips,
    vipFamily: 4,
  };
}

function targetFigures(n: number, log: (l: string) => void): { desired: number; plan: number; worst: number } {
  const base = input(n);
  const runs = n >= 10_000 ? 30 : 100;
  const desiredMs = time(runs, () => desiredSlices(base));
  // The cluster holds the slices of the previous state; one pod turned not-ready since.
  const previous = desiredSlices(base).slices;
  const existing: Slice[] = planSlices(previous, []).create.map((s, i) => ({ ...s, resourceVersion: String(i + 1) }));
  const changed = { ...base, sources: base.sources.map((s, i) => (i === Math.floor(n / 2) ? { ...s, pod: podRecord(i, false) } : s)) };
  const desired = desiredSlices(changed).slices;
  const planMs = time(runs, () => planSlices(desired, existing));
  const plan = planSlices(desired, existing);
  // Worst case: every endpoint changed (all pods turned not-ready), so every slice is compared and updated.
  const allChanged = desiredSlices({ ...base, sources: base.sources.map((s, i) => ({ ...s, pod: podRecord(i, false) })) }).slices;
  const worstMs = time(Math.ceil(runs / 3), () => planSlices(allChanged, existing));
  const endpoints = desired.reduce((sum, s) => sum + s.endpoints.length, 0);
  log(`${n} source pods → ${endpoints} endpoints in ${desired.length} slices: desired ${desiredMs.min.toFixed(2)} ms ` +
    `(median ${desiredMs.median.toFixed(2)}), plan ${planMs.min.toFixed(2)} ms (median ${planMs.median.toFixed(2)}; ` +
    `${plan.create.length} create, ${plan.update.length} update, ${plan.delete.length} delete); ` +
    `every endpoint changed: plan ${worstMs.min.toFixed(2)} ms`);
  return { desired: (desiredMs.min * 1000) / endpoints, plan: (planMs.min * 1000) / endpoints, worst: (worstMs.min * 1000) / endpoints };
}

/** 100,000 events over a namespace of 1,000 pods: upserts, deletes, recreations, snapshots. */
function events(count: number): GnsEvent[] {
  const out: GnsEvent[] = [];
  const scope = { cluster: 'clusterOne', namespace: 'ns-one' };
  for (let i = 0; i < count; i++) {
    const v = formatHlc(1_764_366_000_000 + i, 0);
    const p = i % 1000;
    if (i % 10_000 === 9_999) {
      const keys = Array.from({ length: 1000 }, (_, k) => `pod/kafka-${k}`);
      out.push({
        type: 'gns-sync.namespace.snapshot.v2',
        detail: { ...scope, v, snapshotId: `s${i}`, part: 1, parts: 1, keys, pods: [], services: [] },
      });
    } else if (i % 7 === 3) {
      out.push({ type: 'gns-sync.pod.delete.v2', detail: { ...scope, v, name: `kafka-${p}`, uid: `uid-${p}` } });
    } else {
      out.push({ type: 'gns-sync.pod.upsert.v2', detail: { ...scope, v, pod: podRecord(p, i % 3 !== 0) as PodUpsert['pod'] } });
    }
  }
  // Arrival order is not version order: a deterministic shuffle (Fisher–Yates, LCG).
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j] as GnsEvent, out[i] as GnsEvent];
  }
  return out;
}

export async function run(log: (line: string) => void): Promise<Record<string, number>> {
  const small = targetFigures(1_000, log);
  const large = targetFigures(10_000, log);
  log(`desired + plan at 10,000 pods: ${(large.desired + large.plan).toFixed(3)} µs per endpoint (aim ≤ 5)`);

  const evs = events(100_000);
  const batch = time(5, () => mergeEvents(emptyNamespaceState(), evs));
  // One event at a time, each returning a new immutable state (copy-on-write of a 1,000-pod namespace).
  const few = evs.slice(0, 10_000);
  const single = time(3, () => few.reduce((s, e) => mergeEvent(s, e), emptyNamespaceState()));
  log(`merge of 100,000 events (1,000 pods, shuffled): ${batch.min.toFixed(1)} ms batched; ` +
    `one at a time ${((single.min * 1000) / few.length).toFixed(2)} µs/event`);

  return {
    'core.desired_us_per_endpoint': large.desired,
    'core.plan_us_per_endpoint': large.plan,
    'core.plan_all_changed_us_per_endpoint': large.worst,
    'core.merge_us_per_event': (batch.min * 1000) / evs.length,
    'core.merge_single_us_per_event': (single.min * 1000) / few.length,
    'core.desired_us_per_endpoint_1k': small.desired,
    'core.plan_us_per_endpoint_1k': small.plan,
  };
}
