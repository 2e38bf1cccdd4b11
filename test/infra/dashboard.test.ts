// The stateless stack's CloudWatch dashboard (issue 14): the functions' EMF metrics, per cluster
// of the config, and nothing the functions do not emit.
import { beforeAll, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE } from '../../shared/metric-names.ts';
import { ingestMetricPoints, reconcileMetricPoints, syncMetricPoints } from '../../functions/metrics.ts';
import { REJECTION_REASONS } from '../../shared/schemas/rejections.ts';
import { alarmCount, metricSeries, REJECTION_SERIES } from '../../bench/fixed-counts.ts';
import { exampleCloud, resourcesOf, synth, type Synthesized } from './synth.ts';

let s: Synthesized;
let body: string;
beforeAll(() => {
  s = synth({ cloud: exampleCloud() });
  const dashboards = Object.values(resourcesOf(s.statelessTemplate, 'AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  // The body is a Fn::Join of strings and region tokens: its string parts are the JSON.
  const join = (dashboards[0]!.Properties as { DashboardBody: { 'Fn::Join': [string, unknown[]] } }).DashboardBody['Fn::Join'][1];
  body = join.map((p) => (typeof p === 'string' ? p : '')).join('');
}, 120_000);

type Widget = { properties: { title: string; metrics: unknown[][] } };

/** The example config's pool. */
const POOL = '241.0.0.0/16';

describe('dashboard', () => {
  it('is named after the bus and graphs syncs, Kubernetes writes and failed syncs per cluster of the config, and rejected events', () => {
    const dashboard = Object.values(resourcesOf(s.statelessTemplate, 'AWS::CloudWatch::Dashboard'))[0]!;
    expect((dashboard.Properties as { DashboardName: string }).DashboardName).toBe('gns-sync-metrics');
    const widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;
    expect(widgets.map((w) => w.properties.title)).toEqual([
      'Propagation lag (ms): agent observation → target written, p50 and p99',
      'Syncs per target cluster', 'Kubernetes writes per target cluster', 'Failed syncs per target cluster (retried)', 'Events rejected (dead-lettered as invalid), per reason',
      `VIP pool ${POOL}: used (held or in quarantine) and free addresses`, `VIP pool ${POOL}: usage (%)`,
    ]);
    const rejected = widgets[4]!.properties.metrics.map((m) => m[m.indexOf('Reason') + 1]);
    expect(rejected).toEqual([...REJECTION_REASONS]);
    for (const w of widgets.slice(5, 7)) for (const m of w.properties.metrics) expect(m[m.indexOf('Pool') + 1]).toBe(POOL);
    const lagClusters = widgets[0]!.properties.metrics.map((m) => `${String(m[m.indexOf('Cluster') + 1])} ${(m.at(-1) as { stat: string }).stat}`);
    expect(lagClusters).toEqual(['clusterOne p50', 'clusterOne p99', 'clusterTwo p50', 'clusterTwo p99']);
    for (const w of widgets.slice(1, 4)) {
      const clusters = w.properties.metrics.map((m) => m[m.indexOf('Cluster') + 1]);
      expect(clusters, w.properties.title).toEqual(['clusterOne', 'clusterTwo']);
      for (const m of w.properties.metrics) expect(m.slice(0, 1)).toEqual([METRICS_NAMESPACE]);
    }
  });

  it('every metric graphed is one the functions emit, with the dimensions they emit it with', () => {
    const widgets = (JSON.parse(body) as { widgets: Widget[] }).widgets;
    const graphed = widgets.flatMap((w) => w.properties.metrics.map((m) => {
      const [namespace, name, ...rest] = m as [string, string, ...unknown[]];
      const dims = rest.filter((x): x is string => typeof x === 'string');
      const keys = dims.filter((_, i) => i % 2 === 0).sort();
      return `${namespace} ${name} ${keys.join(',')}`;
    }));
    const target = { gns: 'g', cluster: 'clusterOne', namespace: 'n', name: 's' };
    const emitted = [
      ...syncMetricPoints({ outcomes: [{ target, writes: 1 } as never], failed: [], observedAt: new Map([['g/clusterOne/n/s', 0]]) }, 1),
      ...ingestMetricPoints({ rejected: { schema: 1 } }),
      ...reconcileMetricPoints({ pool: { held: 1, quarantined: 0 } }, POOL),
    ].map((p) => `${METRICS_NAMESPACE} ${p.name} ${['service', ...Object.keys(p.dimensions)].sort().join(',')}`);
    for (const g of graphed) expect(emitted).toContain(g);
  });

  it('alarms per cluster when propagation p99 stays above the threshold (context gns-sync:propagationP99Ms, default 5000 ms) for 3 minutes, to the alarm topic', () => {
    const alarms = Object.values(resourcesOf(s.statelessTemplate, 'AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Record<string, unknown>)
      .filter((p) => p.MetricName === 'PropagationLag');
    expect(alarms.map((a) => (a.Dimensions as { Name: string; Value: string }[]).find((d) => d.Name === 'Cluster')?.Value).sort()).toEqual(['clusterOne', 'clusterTwo']);
    for (const a of alarms) {
      expect(a).toMatchObject({ Namespace: METRICS_NAMESPACE, ExtendedStatistic: 'p99', Threshold: 5000, EvaluationPeriods: 3, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
      expect(JSON.stringify(a.AlarmActions)).toContain('AlarmsTopic');
    }
  });
});

describe('VIP pool usage alarm', () => {
  it('alarms when the pool is more than 90 % used (the reconcile\'s gauge, its maximum over 5 minutes), to the alarm topic', () => {
    const alarms = Object.values(resourcesOf(s.statelessTemplate, 'AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Record<string, unknown>)
      .filter((p) => p.MetricName === 'VipPoolUsage');
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE, Statistic: 'Maximum', Period: 300, Threshold: 90, EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'ignore',
    });
    expect(alarms[0]!.Dimensions).toEqual(expect.arrayContaining([{ Name: 'Pool', Value: POOL }, { Name: 'service', Value: 'gns-sync-reconcile' }]));
    expect(JSON.stringify(alarms[0]!.AlarmActions)).toContain('AlarmsTopic');
    expect(JSON.stringify(alarms[0]!.OKActions)).toContain('AlarmsTopic');
  });

  it('the alarm\'s metric is the one the reconcile emits: same name, unit and dimension; above 90 once held and quarantined pass 90 % of the usable addresses', () => {
    const usable = 65_534;
    const at = (held: number, quarantined: number) => reconcileMetricPoints({ pool: { held, quarantined } }, POOL).find((p) => p.name === 'VipPoolUsage')!;
    expect(at(1, 0)).toMatchObject({ unit: 'Percent', dimensions: { Pool: POOL } });
    expect(at(Math.floor(usable * 0.9) - 100, 100).value).toBeLessThanOrEqual(90);
    expect(at(Math.ceil(usable * 0.9) - 100, 101).value).toBeGreaterThan(90);
  });
});

describe('the fixed cost counts what the stack defines (bench/fixed-counts.ts)', () => {
  it('alarms: as many as the synthesized stateless stack holds', () => {
    const clusters = exampleCloud().clusters.length;
    expect(Object.keys(resourcesOf(s.statelessTemplate, 'AWS::CloudWatch::Alarm'))).toHaveLength(alarmCount(clusters));
  });

  it('metric series: every series the functions emit for the example config, counted once (the rejection reasons apart)', () => {
    const { config } = exampleCloud();
    const clusters = config.clusters.map((c) => c.name);
    const target = (cluster: string) => ({ gns: 'g', cluster, namespace: 'n', name: 's' });
    const points = [
      ...syncMetricPoints({ outcomes: clusters.map((c) => ({ target: target(c), writes: 1 }) as never), failed: [], observedAt: new Map(clusters.map((c) => [`g/${c}/n/s`, 0])) }, 1),
      ...reconcileMetricPoints({ pool: { held: 1, quarantined: 0 } }, config.vipPool),
    ];
    const series = (ps: readonly { name: string; dimensions: object }[]) => new Set(ps.map((p) => `${p.name} ${JSON.stringify(p.dimensions)}`)).size;
    expect(series(points)).toBe(metricSeries(clusters.length));
    expect(series(ingestMetricPoints({ rejected: Object.fromEntries(REJECTION_REASONS.map((r) => [r, 1])) }))).toBe(REJECTION_SERIES);
  });
});
