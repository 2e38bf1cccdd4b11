// What a config change costs (issue 10 case 11): renamed clusters and GNSs are found (same
// kubeconfig context, or the same place in the topology) and their cost is said.
import { describe, expect, it } from 'vitest';
import { configChanges } from '../../../shared/config/changes.ts';
import { toConfigFile } from '../../../shared/config/format.ts';
import { loadConfig, parseConfig } from '../../../shared/config/load.ts';

const previous = loadConfig('examples/kafka-gns.yaml');
const edit = (yaml: string) => parseConfig(yaml, 'next');
const seed = (two: string, extra = '') => edit([
  'clusters:', '  - { name: clusterOne, network: net-one }', `  - { name: ${two}, network: net-two${extra} }`,
  'globalNamespaces:', '  - name: kafka-gns', '    members:',
  '      - { cluster: clusterOne, namespace: ns-one }', '      - { cluster: clusterOne, namespace: ns-two }', `      - { cluster: ${two}, namespace: ns-one }`,
].join('\n'));

describe('configChanges', () => {
  it('the same config costs nothing', () => {
    expect(configChanges(previous, seed('clusterTwo'))).toEqual([]);
  });

  it('a cluster renamed in place: its VIPs change and its targets drop until the new agent snapshots; the counts of the state are named', () => {
    const counts = { vipsByCluster: new Map([['clusterOne', 3], ['clusterTwo', 2]]), vipsByGns: new Map([['kafka-gns', 5]]) };
    const [change, ...rest] = configChanges(previous, seed('clusterB'), counts);
    expect(rest).toEqual([]);
    expect(change).toMatchObject({ kind: 'cluster-renamed', from: 'clusterTwo', to: 'clusterB' });
    expect(change?.message).toMatch(/the 2 VIP\(s\) bound to pods of clusterTwo in this state are given up/);
    expect(change?.message).toMatch(/slices are deleted, and are recreated as clusterB's once clusterB's agent has published its first snapshot/);
    expect(change?.message).toMatch(/keep name: clusterTwo and set context: instead/);
  });

  it('a rename is also found by the kubeconfig context it keeps, even when the members moved', () => {
    const next = edit('clusters:\n  - { name: clusterOne, network: net-one }\n  - { name: renamed, network: net-two, context: clusterTwo }\nglobalNamespaces: []');
    const kinds = configChanges(previous, next).map((c) => `${c.kind} ${c.from}${c.to ? `→${c.to}` : ''}`);
    expect(kinds).toEqual(['cluster-renamed clusterTwo→renamed', 'gns-removed kafka-gns']);
  });

  it('a removed cluster (nothing takes its place) and a renamed GNS', () => {
    const next = edit('clusters:\n  - { name: clusterOne, network: net-one }\nglobalNamespaces:\n  - name: kafka\n    members:\n      - { cluster: clusterOne, namespace: ns-one }\n      - { cluster: clusterOne, namespace: ns-two }');
    const changes = configChanges(previous, next);
    expect(changes.map((c) => c.kind)).toEqual(['cluster-removed', 'gns-removed']);
    const file = toConfigFile(previous);
    const renamedGns = configChanges(previous, edit(JSON.stringify({ ...file, globalNamespaces: [{ ...file.globalNamespaces?.[0], name: 'kafka' }] })));
    expect(renamedGns).toEqual([expect.objectContaining({ kind: 'gns-renamed', from: 'kafka-gns', to: 'kafka' })]);
    expect(renamedGns[0]?.message).toMatch(/every remote pod gets a new VIP/);
  });

  it('a member removed from a GNS that stays, of a cluster that stays: its names go from the GNS\'s targets and its VIPs are released', () => {
    const next = edit(['clusters:', '  - { name: clusterOne, network: net-one }', '  - { name: clusterTwo, network: net-two }',
      'globalNamespaces:', '  - name: kafka-gns', '    members:', '      - { cluster: clusterOne, namespace: ns-one }', '      - { cluster: clusterTwo, namespace: ns-one }'].join('\n'));
    const changes = configChanges(previous, next);
    expect(changes).toEqual([expect.objectContaining({ kind: 'member-removed', from: 'kafka-gns:clusterOne/ns-two' })]);
    expect(changes[0]?.message).toMatch(/member clusterOne\/ns-two leaves global namespace "kafka-gns": its pods leave every target of kafka-gns/);
    expect(changes[0]?.message).toMatch(/the VIPs bound to its pods in kafka-gns are released after vipReleaseAfter/);
  });

  it('a member moved to another GNS is said as a move (new VIPs there); a member of a removed cluster or GNS is not said twice', () => {
    const moved = edit(['clusters:', '  - { name: clusterOne, network: net-one }', '  - { name: clusterTwo, network: net-two }',
      'globalNamespaces:', '  - name: kafka-gns', '    members:', '      - { cluster: clusterOne, namespace: ns-one }', '      - { cluster: clusterTwo, namespace: ns-one }',
      '  - name: other', '    members:', '      - { cluster: clusterOne, namespace: ns-two }'].join('\n'));
    const changes = configChanges(previous, moved);
    expect(changes).toEqual([expect.objectContaining({ kind: 'member-moved', from: 'kafka-gns:clusterOne/ns-two', to: 'other:clusterOne/ns-two' })]);
    expect(changes[0]?.message).toMatch(/in other its pods get new VIPs/);
    const clusterGone = edit('clusters:\n  - { name: clusterOne, network: net-one }\nglobalNamespaces:\n  - name: kafka-gns\n    members:\n      - { cluster: clusterOne, namespace: ns-one }\n      - { cluster: clusterOne, namespace: ns-two }');
    expect(configChanges(previous, clusterGone).map((c) => c.kind)).toEqual(['cluster-removed']);
  });

  it('a renamed installation and a changed network', () => {
    const next = edit(`installation: team-b\n${['clusters:', '  - { name: clusterOne, network: net-one }', '  - { name: clusterTwo, network: net-one }',
      'globalNamespaces:', '  - name: kafka-gns', '    members:', '      - { cluster: clusterOne, namespace: ns-one }', '      - { cluster: clusterOne, namespace: ns-two }', '      - { cluster: clusterTwo, namespace: ns-one }'].join('\n')}`);
    expect(configChanges(previous, next).map((c) => c.kind)).toEqual(['installation-renamed', 'network-changed']);
  });
});
