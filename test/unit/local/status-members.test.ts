// `gns-sync status` lists the targets of the current config only: a member removed from the
// config (gns-sync removed its slices there) must not keep showing its last endpoints.
import { describe, expect, it } from 'vitest';
import { memberStatuses } from '../../../local/runner/status-table.ts';
import type { TargetStatus } from '../../../shared/ports.ts';
import { deepFreeze } from '../core/factories.ts';

const status = (gns: string, cluster: string, namespace: string): TargetStatus => ({
  target: { gns, cluster, namespace, name: 'web' }, lastSyncAt: 1, endpoints: 5, vips: 3, writes: 0,
});

describe('memberStatuses', () => {
  const globalNamespaces = deepFreeze([
    { name: 'g', members: [{ cluster: 'a', namespace: 'src' }, { cluster: 'a', namespace: 'tgt' }] },
    { name: 'h', members: [{ cluster: 'b', namespace: 'tgt' }] },
  ]);

  it('keeps the targets in a member of their GNS and counts the others', () => {
    const statuses = deepFreeze([
      status('g', 'a', 'tgt'),
      status('g', 'b', 'tgt'), // member removed from g (b/tgt is now in h)
      status('g', 'c', 'tgt'), // member removed, its cluster too
      status('gone', 'a', 'src'), // a GNS removed from the config
      status('h', 'b', 'tgt'),
    ]);
    const { shown, hidden } = memberStatuses(statuses, globalNamespaces);
    expect(shown.map((s) => `${s.target.gns}/${s.target.cluster}/${s.target.namespace}`)).toEqual(['g/a/tgt', 'h/b/tgt']);
    expect(hidden).toBe(3);
  });

  it('keeps everything when every target is a member', () => {
    const statuses = deepFreeze([status('g', 'a', 'src'), status('h', 'b', 'tgt')]);
    expect(memberStatuses(statuses, globalNamespaces)).toEqual({ shown: statuses, hidden: 0 });
  });
});
