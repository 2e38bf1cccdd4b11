import { describe, expect, it } from 'vitest';
import { gnsOfMember, loadConfig, membersOf, networkOf, topologyOf } from '../../../shared/config/index.ts';
import { join } from 'node:path';

const config = loadConfig(join(import.meta.dirname, '../../../examples/kafka-gns.yaml'));

describe('topology helpers', () => {
  it('networkOf maps each cluster to its network', () => {
    expect([...networkOf(config)]).toEqual([
      ['clusterOne', 'net-one'],
      ['clusterTwo', 'net-two'],
    ]);
  });

  it('gnsOfMember finds the GNS of a member namespace, and nothing for others', () => {
    expect(gnsOfMember(config, 'clusterTwo', 'ns-one')?.name).toBe('kafka-gns');
    expect(gnsOfMember(config, 'clusterTwo', 'ns-two')).toBeUndefined();
    expect(gnsOfMember(config, 'clusterThree', 'ns-one')).toBeUndefined();
  });

  it('membersOf lists the members of a GNS, empty for an unknown one', () => {
    expect(membersOf(config, 'kafka-gns')).toHaveLength(3);
    expect(membersOf(config, 'nope')).toEqual([]);
  });

  it('topologyOf keeps what the use cases need, without kubeconfig contexts', () => {
    const topology = topologyOf(config);
    expect(topology.clusters).toEqual([
      { name: 'clusterOne', network: 'net-one' },
      { name: 'clusterTwo', network: 'net-two' },
    ]);
    expect(topology.globalNamespaces).toEqual(config.globalNamespaces);
    expect(topology.vipPool).toBe('241.0.0.0/16');
    expect(topology.routing).toBe('none');
    expect(topology.vipReleaseAfterMs).toBe(3_600_000);
  });
});
