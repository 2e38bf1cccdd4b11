// The demo's live table (issue 14): on a terminal it fits its width (80 columns by default),
// the names losing their common .svc.cluster.local first; wider terminals get the full names.
import { describe, expect, it } from 'vitest';
import { formatResolutions, resolveTargets } from '../../../local/demo/resolve-table.ts';
import type { Resolver } from '../../../local/demo/resolve-table.ts';
import { routeKey } from '../../../local/demo/route-ends.ts';
import type { RouteEnd } from '../../../local/demo/route-ends.ts';
import type { TraceResult } from '../../../local/trace/trace.ts';
import { endOf, shortEndOf } from '../../../local/trace/where.ts';

const resolver = (name: string): Resolver => ({
  name,
  resolve: (host) => {
    const ordinal = Number(/^kafka-(\d+)\./.exec(host)?.[1]);
    if (ordinal >= 3) return [];
    return [name === 'clusterOne' ? `10.1.0.${ordinal + 2}` : `241.0.${100 + ordinal}.${200 + ordinal}`];
  },
});
const rows = resolveTargets(resolver, 3);

describe('formatResolutions', () => {
  it('without a width (not a terminal, demo --once): the full names', () => {
    const text = formatResolutions(rows);
    expect(text).toContain('kafka-0.kafka-headless.ns-two.svc.cluster.local');
    expect(text.split('\n')[0]).toMatch(/^CLUSTER\s+NAME \(as the cluster's DNS answers it\)\s+ADDRESS\s+KIND$/);
  });

  it('80 columns: every line fits, names without .svc.cluster.local (said once in the header), addresses and kinds kept', () => {
    const text = formatResolutions(rows, 80);
    const lines = text.split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(lines[0]).toContain('NAME (+ .svc.cluster.local)');
    expect(text).toMatch(/clusterTwo\s+kafka-0\.kafka-headless\.ns-one\s+241\.0\.100\.200\s+VIP/);
    expect(text).toMatch(/clusterOne\s+kafka-2\.kafka-headless\.ns-two\s+10\.1\.0\.4\s+pod IP/);
    expect(text).not.toContain('.svc.cluster.local\u0020');
  });

  it('a wider terminal: the full names; a very narrow one: lines cut with an ellipsis', () => {
    expect(formatResolutions(rows, 120)).toBe(formatResolutions(rows));
    for (const l of formatResolutions(rows, 40).split('\n')) expect(l.length).toBeLessThanOrEqual(40);
    expect(formatResolutions(rows, 40)).toContain('…');
  });
});

describe('formatResolutions with where each name ends up (routing: istio)', () => {
  const at = (ordinal: number, ready = true): TraceResult => ({ hops: [], ok: ready, end: { cluster: 'clusterOne', namespace: 'ns-one', pod: `kafka-${ordinal}`, ip: `10.1.0.${ordinal + 2}`, ready } });
  const broken: TraceResult = { hops: [{ step: 'gateway', text: 'no gateway', broken: true }], ok: false, broken: 'no gateway Service labelled for network net-one' };
  const end = (r: TraceResult): RouteEnd => ({ full: endOf(r), short: shortEndOf(r), result: r });
  const ends = new Map(rows.map((r) => [routeKey(r.cluster, r.hostname), end(r.ordinal === 1 && r.cluster === 'clusterTwo' ? broken : at(r.ordinal, !(r.ordinal === 2 && r.cluster === 'clusterTwo')))]));

  it('without a width: a column REACHES with the trace\'s last hop — the pod, a pod not ready, or the broken hop and why', () => {
    const text = formatResolutions(rows, undefined, ends);
    expect(text.split('\n')[0]).toMatch(/KIND\s+REACHES \(gns-sync trace\)$/);
    expect(text).toMatch(/clusterTwo\s+kafka-0\.kafka-headless\.ns-one\.svc\.cluster\.local\s+241\.0\.100\.200\s+VIP\s+clusterOne\/ns-one\/kafka-0$/m);
    expect(text).toMatch(/kafka-1\.kafka-headless\.ns-one\.svc\.cluster\.local .*✗ gateway: no gateway Service labelled for network net-one$/m);
    expect(text).toMatch(/kafka-2\.kafka-headless\.ns-one\.svc\.cluster\.local .*clusterOne\/ns-one\/kafka-2 \(not ready\)$/m);
  });

  it('80 columns: every line fits without cutting, REACHES in its short form', () => {
    const text = formatResolutions(rows, 80, ends);
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    expect(text).not.toContain('…');
    expect(text).toMatch(/clusterTwo\s+kafka-0\.kafka-headless\.ns-one\s+241\.0\.100\.200\s+VIP\s+ns-one\/kafka-0$/m);
    expect(text).toMatch(/clusterTwo\s+kafka-1\.kafka-headless\.ns-one\s+\S+\s+VIP\s+✗ gateway$/m);
    expect(text).toMatch(/clusterTwo\s+kafka-2\.kafka-headless\.ns-one\s+\S+\s+VIP\s+✗ not ready$/m);
  });

  it('80 columns with the widest addresses of the pool (241.0.255.255) still fits', () => {
    const wide = resolveTargets((name) => ({ name, resolve: (host) => (Number(/^kafka-(\d+)\./.exec(host)?.[1]) >= 3 ? [] : [name === 'clusterOne' ? '10.1.255.255' : '241.0.255.255']) }), 3);
    const text = formatResolutions(wide, 80, new Map(wide.map((r) => [routeKey(r.cluster, r.hostname), end(at(r.ordinal))])));
    for (const l of text.split('\n')) expect(l.length).toBeLessThanOrEqual(80);
    expect(text).not.toContain('…');
  });
});
