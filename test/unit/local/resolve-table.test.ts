// The demo's live table (issue 14): on a terminal it fits its width (80 columns by default),
// the names losing their common .svc.cluster.local first; wider terminals get the full names.
import { describe, expect, it } from 'vitest';
import { formatResolutions, resolveTargets } from '../../../local/demo/resolve-table.ts';
import type { Resolver } from '../../../local/demo/resolve-table.ts';

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
