// The routing core (docs/adr/0013-routing-through-istio.md): hosts, routed pods, client and
// gateway ServiceEntries, gateway discovery as istiod does it, and the plan.
import { describe, expect, it } from 'vitest';
import type { DesiredInput } from '../../../shared/core/desired.ts';
import { identityKey } from '../../../shared/core/identity.ts';
import { desiredClientEntries, desiredGatewayEntries, entryName } from '../../../shared/core/routing/entries.ts';
import { gatewayPlaces, gatewaysOfService, networkMismatches } from '../../../shared/core/routing/gateways.ts';
import type { GatewayServiceRecord } from '../../../shared/core/routing/gateways.ts';
import { clusterKey, routingHost } from '../../../shared/core/routing/host.ts';
import { planEntries, planWrites } from '../../../shared/core/routing/plan.ts';
import { routedPods } from '../../../shared/core/routing/routed.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import type { SourcePod } from '../../../shared/core/types.ts';
import { deepFreeze, pod, SELECTOR, service, source } from './factories.ts';

// Target in clusterTwo/ns-one (net-b); kafka runs in clusterOne/ns-one (net-a); clusterThree shares net-b.
const TARGET = deepFreeze({ gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', name: 'kafka-headless' });
const NETWORKS = new Map([['clusterOne', 'net-a'], ['clusterTwo', 'net-b'], ['clusterThree', 'net-b']]);
const vip = (cluster: string, p: string) => identityKey({ gns: 'kafka-gns', cluster, namespace: 'ns-one', pod: p });

function input(sources: readonly SourcePod[], overrides: Partial<DesiredInput> = {}): DesiredInput {
  return deepFreeze({
    target: TARGET,
    service: service(),
    selector: SELECTOR,
    sources,
    networks: NETWORKS,
    vips: new Map([[vip('clusterOne', 'kafka-0'), '241.0.0.7'], [vip('clusterOne', 'kafka-1'), '241.0.0.8']]),
    vipFamily: 4 as const,
    ...overrides,
  });
}

describe('routingHost', () => {
  it('is <pod>.<namespace>.<cluster>.gns-sync.local, ending in .local', () => {
    expect(routingHost({ cluster: 'clusterone', namespace: 'ns-one', pod: 'kafka-0' })).toBe('kafka-0.ns-one.clusterone.gns-sync.local');
  });

  it.each(['clusterOne', 'a_b', 'a.b', 'svc'])('hashes a cluster name that is no DNS label (or is "svc"): %s', (name) => {
    expect(clusterKey(name)).toMatch(/^c-[0-9a-f]{12}$/);
    expect(clusterKey(name)).not.toBe(clusterKey(`${name}x`));
  });
});

describe('routedPods', () => {
  it('routes exactly the VIP endpoints: remote pods with a VIP, with the pod IP and the resolved TCP ports', () => {
    const got = routedPods(input([
      source('clusterOne', 'ns-one', pod('kafka-0', { ips: ['10.0.0.5', 'fd00::5'] })),
      source('clusterOne', 'ns-one', pod('kafka-2', { ips: ['10.0.0.6'] })), // no VIP yet
      source('clusterThree', 'ns-one', pod('kafka-9')), // same network as the target: pod IP, no routing
      source('clusterOne', 'ns-one', pod('other', { labels: { app: 'zk' } })), // not selected
    ]));
    expect(got).toEqual([
      { identity: { gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod: 'kafka-0' }, vip: '241.0.0.7', podIp: '10.0.0.5', network: 'net-a', ports: [9092], unsupported: [] },
    ]);
  });

  it('a named targetPort resolves per pod; UDP ports are reported, not routed', () => {
    const svc = service('kafka-headless', { ports: [
      { name: 'client', port: 9092, protocol: 'TCP', targetPort: 'client' },
      { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
    ] });
    const got = routedPods(input([source('clusterOne', 'ns-one', pod('kafka-1', { ports: [{ name: 'client', containerPort: 19092, protocol: 'TCP' }] }))], { service: svc }));
    expect(got.map((r) => [r.ports, r.unsupported])).toEqual([[[19092], ['UDP/53']]]);
  });
});

const routed = routedPods(input([
  source('clusterOne', 'ns-one', pod('kafka-0', { ips: ['10.0.0.5'] })),
  source('clusterOne', 'ns-one', pod('kafka-1', { ips: ['10.0.0.6'] })),
]));

describe('desiredClientEntries', () => {
  it('one entry per VIP endpoint: host, VIP, TCP port, the source network without an address, tlsMode istio, exportTo "."', () => {
    const entries = desiredClientEntries({ target: TARGET, serviceUid: 'uid-svc', configCluster: 'clusterTwo', routed });
    expect(entries).toHaveLength(2);
    const e = entries.find((x) => x.spec.addresses?.[0] === '241.0.0.7');
    expect(e).toEqual({
      cluster: 'clusterTwo',
      namespace: 'ns-one',
      name: expect.stringMatching(/^gnsc-[0-9a-f]{16}$/),
      labels: {
        'app.kubernetes.io/managed-by': 'gns-sync.io',
        'gns-sync.io/gns': 'kafka-gns',
        'gns-sync.io/routing': 'client',
        'gns-sync.io/target': 'kafka-headless',
        'gns-sync.io/target-cluster': 'clusterTwo',
        'gns-sync.io/source-cluster': 'clusterOne',
        'gns-sync.io/source-namespace': 'ns-one',
        'gns-sync.io/source-pod': 'kafka-0',
        'gns-sync.io/installation': 'default',
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'kafka-headless', uid: 'uid-svc' }],
      spec: {
        hosts: [`kafka-0.ns-one.${clusterKey('clusterOne')}.gns-sync.local`],
        addresses: ['241.0.0.7'],
        ports: [{ number: 9092, name: 'tcp-9092', protocol: 'TCP' }],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        exportTo: ['.'],
        endpoints: [{ network: 'net-a', labels: { 'security.istio.io/tlsMode': 'istio' } }],
      },
    });
    expect(e?.spec.endpoints[0]).not.toHaveProperty('address'); // fails closed
  });

  it('in another config cluster (primary-remote): no owner reference', () => {
    const entries = desiredClientEntries({ target: TARGET, serviceUid: 'uid-svc', configCluster: 'clusterOne', routed });
    expect(entries.every((e) => e.cluster === 'clusterOne' && e.ownerReferences.length === 0)).toBe(true);
  });

  it('names differ per target and per pod, and are stable', () => {
    const a = desiredClientEntries({ target: TARGET, serviceUid: 'u', configCluster: 'clusterTwo', routed });
    const b = desiredClientEntries({ target: { ...TARGET, name: 'kafka-brokers' }, serviceUid: 'u', configCluster: 'clusterTwo', routed });
    expect(new Set([...a, ...b].map((e) => e.name)).size).toBe(4);
    expect(desiredClientEntries({ target: TARGET, serviceUid: 'u', configCluster: 'clusterTwo', routed })).toEqual(a);
  });

  it('another installation: its own label and other names; the default installation\'s names do not change', () => {
    const a = desiredClientEntries({ target: TARGET, serviceUid: 'u', configCluster: 'clusterTwo', routed });
    const explicit = desiredClientEntries({ target: TARGET, serviceUid: 'u', configCluster: 'clusterTwo', routed, installation: 'default' });
    const blue = desiredClientEntries({ target: TARGET, serviceUid: 'u', configCluster: 'clusterTwo', routed, installation: 'blue' });
    expect(explicit).toEqual(a);
    expect(a.map((e) => e.name)).toEqual(a.map((e) => entryName('client', [TARGET.gns, TARGET.cluster, TARGET.namespace, TARGET.name, e.labels['gns-sync.io/source-cluster']!, e.labels['gns-sync.io/source-namespace']!, e.labels['gns-sync.io/source-pod']!])));
    expect(blue.every((e) => e.labels['gns-sync.io/installation'] === 'blue')).toBe(true);
    expect(blue.filter((e) => a.some((x) => x.name === e.name))).toEqual([]);
    const gw = (installation?: string) => desiredGatewayEntries({ gns: 'kafka-gns', sourceCluster: 'clusterOne', routed, places: [{ cluster: 'clusterOne', namespace: 'istio-system' }], ...(installation ? { installation } : {}) });
    expect(gw('blue').every((e) => e.labels['gns-sync.io/installation'] === 'blue')).toBe(true);
    expect(gw('blue').filter((e) => gw().some((x) => x.name === e.name))).toEqual([]);
  });
});

describe('desiredGatewayEntries', () => {
  const other = routed.map((r) => ({ ...r, ports: [9093] })); // a second target publishing another port
  const places = [{ cluster: 'clusterOne', namespace: 'istio-system' }];

  it('one entry per pod and gateway place: the pod IP on its network, ports united over targets, exportTo "."', () => {
    const entries = desiredGatewayEntries({ gns: 'kafka-gns', sourceCluster: 'clusterOne', routed: [...routed, ...other], places });
    expect(entries).toHaveLength(2);
    expect(entries.find((e) => e.labels['gns-sync.io/source-pod'] === 'kafka-1')).toEqual({
      cluster: 'clusterOne',
      namespace: 'istio-system',
      name: expect.stringMatching(/^gnsg-[0-9a-f]{16}$/),
      labels: {
        'app.kubernetes.io/managed-by': 'gns-sync.io',
        'gns-sync.io/gns': 'kafka-gns',
        'gns-sync.io/routing': 'gateway',
        'gns-sync.io/source-cluster': 'clusterOne',
        'gns-sync.io/source-namespace': 'ns-one',
        'gns-sync.io/source-pod': 'kafka-1',
        'networking.istio.io/enable-autoallocate-ip': 'false',
        'gns-sync.io/installation': 'default',
      },
      ownerReferences: [],
      spec: {
        hosts: [`kafka-1.ns-one.${clusterKey('clusterOne')}.gns-sync.local`],
        ports: [{ number: 9092, name: 'tcp-9092', protocol: 'TCP' }, { number: 9093, name: 'tcp-9093', protocol: 'TCP' }],
        location: 'MESH_INTERNAL',
        resolution: 'STATIC',
        exportTo: ['.'],
        endpoints: [{ address: '10.0.0.6', network: 'net-a', labels: { 'security.istio.io/tlsMode': 'istio' } }],
      },
    });
  });

  it('the same host as the client entry (the SNI must match), and nothing without a gateway place', () => {
    const client = desiredClientEntries({ target: TARGET, serviceUid: 'u', configCluster: 'clusterTwo', routed });
    const gateway = desiredGatewayEntries({ gns: 'kafka-gns', sourceCluster: 'clusterOne', routed, places });
    expect(gateway.map((e) => e.spec.hosts).sort()).toEqual(client.map((e) => e.spec.hosts).sort());
    expect(desiredGatewayEntries({ gns: 'kafka-gns', sourceCluster: 'clusterOne', routed, places: [] })).toEqual([]);
    expect(desiredGatewayEntries({ gns: 'kafka-gns', sourceCluster: 'clusterThree', routed, places })).toEqual([]);
  });
});

describe('gateway discovery, as istiod', () => {
  const svc = (over: Partial<GatewayServiceRecord> = {}): GatewayServiceRecord => ({
    namespace: 'istio-system',
    name: 'istio-eastwestgateway',
    labels: { 'topology.istio.io/network': 'net-a' },
    type: 'LoadBalancer',
    loadBalancerIngress: [{ ip: '203.0.113.10' }],
    externalIPs: [],
    ...over,
  });

  it.each([
    ['no port label: 15443', svc(), [['203.0.113.10', 15443]]],
    ['the gatewayPort label', svc({ labels: { 'topology.istio.io/network': 'net-a', 'networking.istio.io/gatewayPort': '443' } }), [['203.0.113.10', 443]]],
    ['an unparsable gatewayPort: 15443', svc({ labels: { 'topology.istio.io/network': 'net-a', 'networking.istio.io/gatewayPort': 'tls' } }), [['203.0.113.10', 15443]]],
    ['a hostname (AWS)', svc({ loadBalancerIngress: [{ hostname: 'a1.elb.amazonaws.com' }] }), [['a1.elb.amazonaws.com', 15443]]],
    ['externalIPs too', svc({ type: 'ClusterIP', loadBalancerIngress: [], externalIPs: ['198.51.100.1'] }), [['198.51.100.1', 15443]]],
    ['no address yet: no gateway', svc({ loadBalancerIngress: [] }), []],
    ['no network label: no gateway', svc({ labels: {} }), []],
  ])('%s', (_, record, expected) => {
    expect(gatewaysOfService('clusterOne', record).map((g) => [g.address, g.port])).toEqual(expected);
  });

  it("places: each gateway cluster's config cluster and gateway namespace; a configured gateway: istio-system", () => {
    const clusters = [
      { name: 'clusterOne', network: 'net-a' },
      { name: 'clusterFour', network: 'net-a', istioConfigCluster: 'clusterOne' },
      { name: 'clusterFive', network: 'net-a', eastWestGateway: { address: 'gw', port: 15443 } },
      { name: 'clusterTwo', network: 'net-b' },
    ];
    const views = new Map([
      ['clusterOne', { services: [svc({ namespace: 'gateways' })] }],
      ['clusterFour', { services: [] }],
      ['clusterTwo', { services: [svc({ labels: { 'topology.istio.io/network': 'net-b' } })] }],
    ]);
    expect(gatewayPlaces(clusters, 'net-a', views)).toEqual([
      { cluster: 'clusterFive', namespace: 'istio-system' },
      { cluster: 'clusterOne', namespace: 'gateways' },
    ]);
  });

  it("warns when Istio's network name differs from the config's", () => {
    const c = { name: 'clusterOne', network: 'net-a' };
    expect(networkMismatches(c, { services: [], systemNetwork: 'net-a' })).toEqual([]);
    expect(networkMismatches(c, { services: [], systemNetwork: 'west' })[0]).toMatch(/^RoutingNetworkMismatch: .*"net-a" .*Istio calls its network "west"/);
    expect(networkMismatches(c, { services: [svc({ labels: { 'topology.istio.io/network': 'west' } })] })[0]).toMatch(/gateway Service istio-system\/istio-eastwestgateway is labelled topology.istio.io\/network=west/);
  });
});

describe('planEntries', () => {
  const desired = desiredClientEntries({ target: TARGET, serviceUid: 'u', configCluster: 'clusterTwo', routed });
  const asFound = (e: ServiceEntry, rv = '1'): ServiceEntry => ({ ...e, labels: { ...e.labels, extra: 'kept' }, resourceVersion: rv });

  it('creates what is missing, then nothing: zero writes when unchanged (labels others add ignored)', () => {
    expect(planEntries(desired, []).create).toEqual(desired);
    const plan = planEntries(desired, desired.map((e) => asFound(e)));
    expect(planWrites(plan)).toBe(0);
  });

  it('updates a drifted spec with the resourceVersion and the labels others added; deletes leftovers; never touches what is not ours', () => {
    const drifted = asFound({ ...desired[0]!, spec: { ...desired[0]!.spec, exportTo: ['*'] } }, '7');
    const leftover = asFound({ ...desired[1]!, name: 'gnsc-0000000000000000' });
    const foreign: ServiceEntry = { ...desired[1]!, labels: { app: 'theirs' } };
    const plan = planEntries(desired, [drifted, leftover, foreign]);
    expect(plan.update).toEqual([{ ...desired[0], labels: { ...desired[0]!.labels, extra: 'kept' }, resourceVersion: '7' }]);
    expect(plan.delete).toEqual([leftover]);
    expect(plan.create).toEqual([]);
    expect(plan.blocked).toEqual([desired[1]]);
  });
});
