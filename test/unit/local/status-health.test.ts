// `gns-sync status` beyond the targets (issue 14): the VIP pool's usage per GNS and in all, and
// the propagation p50/p99 of the last minutes that the running gns-sync local measured.
import { describe, expect, it } from 'vitest';
import { formatPoolLines, formatPropagationLine, readPoolStatus } from '../../../local/runner/pool-status.ts';
import { percentile, PropagationWindow } from '../../../local/runner/propagation-window.ts';
import type { MetricPoint } from '../../../functions/metrics.ts';

const lag = (ms: number): MetricPoint => ({ name: 'PropagationLag', unit: 'Milliseconds', value: ms, dimensions: { Cluster: 'c' } });

describe('propagation window', () => {
  it('nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(sorted, 50)).toBe(50);
    expect(percentile(sorted, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeUndefined();
  });

  it('keeps the PropagationLag points of the last 5 minutes only, and nothing else the sync emits', () => {
    const w = new PropagationWindow();
    w.record([lag(900), { name: 'Syncs', value: 1, dimensions: { Cluster: 'c' } }], 0);
    w.record(Array.from({ length: 100 }, (_, i) => lag(i + 1)), 60_000);
    expect(w.summary(60_000)).toEqual({ windowMs: 300_000, samples: 101, p50Ms: 51, p99Ms: 100 });
    // 5 minutes after the first batch, only the second remains.
    expect(w.summary(300_001)).toEqual({ windowMs: 300_000, samples: 100, p50Ms: 50, p99Ms: 99 });
    expect(w.summary(360_001)).toEqual({ windowMs: 300_000, samples: 0 });
  });
});

describe('status lines', () => {
  it('the pool (used/size/%) and each GNS, from one pool read and one query per GNS', async () => {
    const reads: string[] = [];
    const vips = {
      poolCounts: async () => { reads.push('pool'); return { held: 6000, quarantined: 554 }; },
      listGns: async (gns: string) => { reads.push(gns); return new Map(Array.from({ length: gns === 'kafka' ? 6000 : 0 }, (_, i) => [`c/n/p${i}`, `x${i}`])); },
    };
    const pool = await readPoolStatus(vips, { vipPool: '241.0.0.0/16', globalNamespaces: [{ name: 'kafka', members: [] }, { name: 'idle', members: [] }] }, 0);
    expect(reads.sort()).toEqual(['idle', 'kafka', 'pool']);
    expect(formatPoolLines(pool)).toEqual([
      'VIP pool 241.0.0.0/16: 6554/65534 used (10.0 %; held or in quarantine), 58980 free',
      '  GNS kafka: 6000/65534 VIPs (9.2 % of the pool)',
      '  GNS idle: 0/65534 VIPs (0 % of the pool)',
    ]);
  });

  it('a pool that overlaps a pod IP or a ClusterIP in the store: a VipPoolOverlap line naming them; none otherwise', async () => {
    const vips = { poolCounts: async () => ({ held: 0, quarantined: 0 }), listGns: async () => new Map<string, string>() };
    const config = { vipPool: '10.96.0.0/12', globalNamespaces: [{ name: 'kafka', members: [{ cluster: 'one', namespace: 'src' }, { cluster: 'two', namespace: 'dst' }] }] };
    const store = {
      podsOf: async (cluster: string) => (cluster === 'one' ? [{ name: 'kafka-0', ips: ['10.244.0.5'] }] : []) as never,
      servicesOf: async (cluster: string) => (cluster === 'two' ? [{ name: 'web', clusterIP: '10.96.0.12' }, { name: 'kafka-headless', clusterIP: 'None' }] : []) as never,
    };
    const lines = formatPoolLines(await readPoolStatus(vips, config, 0, store));
    expect(lines.at(-1)).toMatch(/^VipPoolOverlap: VIP pool 10\.96\.0\.0\/12 overlaps addresses of cluster\(s\) two: Service two\/dst\/web 10\.96\.0\.12\. /);
    expect(formatPoolLines(await readPoolStatus(vips, { ...config, vipPool: '241.0.0.0/16' }, 0, store)).join('\n')).not.toMatch(/Overlap/);
  });

  it('propagation: the figures and where they come from; none when no gns-sync local runs', () => {
    expect(formatPropagationLine({ windowMs: 300_000, samples: 12, p50Ms: 40, p99Ms: 180 }))
      .toBe('Propagation, last 5 min: p50 40 ms, p99 180 ms over 12 syncs (agent observation → target slices written, as the sync function of this gns-sync local measured it)');
    expect(formatPropagationLine({ windowMs: 300_000, samples: 0 })).toMatch(/^Propagation, last 5 min: no sync wrote a change yet/);
    expect(formatPropagationLine(undefined)).toBe('Propagation: measured only by a running gns-sync local (none runs: no figures)');
  });
});
