// The routing settings of the config (docs/adr/0013-routing-through-istio.md) and what
// validate-config says about them.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../shared/config/load.ts';
import { toConfigFile } from '../../../shared/config/format.ts';
import { parseGatewayAddress } from '../../../shared/config/routing.ts';
import { topologyOf } from '../../../shared/config/topology.ts';
import { explainRouting } from '../../../local/cli/commands/explain-routing.ts';

const ISTIO = [
  'clusters:',
  '  - { name: west, network: net-west }',
  '  - { name: east, network: net-east, eastWestGateway: "gw.example.com:15443" }',
  '  - { name: remote, network: net-east, istioConfigCluster: east }',
  'routing: istio',
].join('\n');

describe('routing config', () => {
  it('defaults to none, no gateway override, each cluster its own Istio config cluster', () => {
    const config = parseConfig('clusters: [{ name: a }]', 'inline');
    expect(config.routing).toBe('none');
    expect(config.clusters[0]).toEqual({ name: 'a', network: 'a', context: 'a' });
  });

  it('reads routing: istio, eastWestGateway and istioConfigCluster, and hands them to the functions', () => {
    const config = parseConfig(ISTIO, 'inline');
    expect(config.routing).toBe('istio');
    expect(config.clusters.map((c) => [c.name, c.eastWestGateway, c.istioConfigCluster])).toEqual([
      ['west', undefined, undefined],
      ['east', { address: 'gw.example.com', port: 15443 }, undefined],
      ['remote', undefined, 'east'],
    ]);
    const topology = topologyOf(config);
    expect(topology.routing).toBe('istio');
    expect(topology.clusters[1]).toEqual({ name: 'east', network: 'net-east', eastWestGateway: { address: 'gw.example.com', port: 15443 } });
    expect(topology.clusters[2]).toEqual({ name: 'remote', network: 'net-east', istioConfigCluster: 'east' });
  });

  it('survives the round trip through the file format (the Lambda config)', () => {
    const config = parseConfig(ISTIO, 'inline');
    expect(parseConfig(JSON.stringify(toConfigFile(config)), 'json')).toEqual(config);
  });

  it.each([
    ['203.0.113.10:15443', { ok: true, address: '203.0.113.10', port: 15443 }],
    ['a-1.elb.us-east-1.amazonaws.com:443', { ok: true, address: 'a-1.elb.us-east-1.amazonaws.com', port: 443 }],
    ['[2001:db8::1]:15443', { ok: true, address: '2001:db8::1', port: 15443 }],
  ])('parses the gateway address %s', (text, expected) => {
    expect(parseGatewayAddress(text)).toEqual(expected);
  });

  it.each(['203.0.113.10', ':15443', 'gw:0', 'gw:65536', '2001:db8::1:15443', '[10.0.0.1]:15443', 'bad_name:15443', 'gw:15443:1'])('rejects the gateway address %s', (text) => {
    const got = parseGatewayAddress(text);
    expect(got.ok).toBe(false);
    if (!got.ok) expect(got.reason).toContain(`"${text}" is not ADDRESS:PORT`);
  });
});

describe('validate-config explains routing', () => {
  it('none: VIPs need a data plane the user provides', () => {
    expect(explainRouting(parseConfig('clusters: [{ name: a }]', 'inline'))).toEqual([expect.stringContaining('routing: none')]);
  });

  it('istio: per cluster, where Istio config lives and how the gateway is found; no pool warning for the default pool', () => {
    const lines = explainRouting(parseConfig(ISTIO, 'inline'));
    expect(lines[0]).toMatch(/^routing: istio — .*2 networks: net-west, net-east/);
    expect(lines[1]).toMatch(/west: network net-west .*Istio config in itself; east-west gateway discovered as istiod does: a Service labelled topology.istio.io\/network=net-west, port from its networking.istio.io\/gatewayPort label else 15443/);
    expect(lines[2]).toMatch(/east: .*east-west gateway gw.example.com:15443 \(configured\)/);
    expect(lines[3]).toMatch(/remote: .*Istio config in east \(primary-remote\)/);
    expect(lines.some((l) => l.startsWith('warning:'))).toBe(false);
  });

  it("istio: warns when the VIP pool overlaps Istio's auto-allocation range", () => {
    const lines = explainRouting(parseConfig(`${ISTIO}\nvipPool: 240.240.0.0/12`, 'inline'));
    expect(lines.at(-1)).toMatch(/^warning: vipPool 240.240.0.0\/12 overlaps Istio's auto-allocation range 240.240.0.0\/16/);
    expect(explainRouting(parseConfig(`${ISTIO}\nvipPool: 240.241.0.0/16`, 'inline')).some((l) => l.startsWith('warning:'))).toBe(false);
  });
});
