import { describe, expect, it } from 'vitest';
import { desiredSlices, isDns1123Label, vipIdentitiesNeeded } from '../../../shared/core/desired.ts';
import type { DesiredInput } from '../../../shared/core/desired.ts';
import { identityKey } from '../../../shared/core/identity.ts';
import type { PodRecord, ServiceRecord, SourcePod } from '../../../shared/core/types.ts';
import { LABEL_GNS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from '../../../shared/core/types.ts';
import { deepFreeze, pod, SELECTOR, service, source, TARGET } from './factories.ts';

// The target lives in clusterOne/ns-two (network net-a). clusterTwo is on net-b; clusterThree shares net-a.
const NETWORKS = new Map([
  ['clusterOne', 'net-a'],
  ['clusterTwo', 'net-b'],
  ['clusterThree', 'net-a'],
]);
const vipKey = (cluster: string, namespace: string, name: string) => identityKey({ gns: TARGET.gns, cluster, namespace, pod: name });

function input(sources: readonly SourcePod[], overrides: Partial<DesiredInput> = {}): DesiredInput {
  return deepFreeze({
    target: TARGET,
    service: service(),
    selector: SELECTOR,
    sources,
    networks: NETWORKS,
    vips: new Map([[vipKey('clusterTwo', 'ns-one', 'kafka-0'), '240.240.0.7']]),
    vipFamily: 4 as const,
    ...overrides,
  });
}
const one = (p: PodRecord, cluster = 'clusterOne', ns = 'ns-one', overrides: Partial<DesiredInput> = {}) => {
  const d = desiredSlices(input([source(cluster, ns, p)], overrides));
  return { ...d, endpoints: d.slices.flatMap((s) => s.endpoints) };
};

describe('addresses by network', () => {
  it('same cluster: the pod IP, with targetRef and nodeName', () => {
    expect(one(pod('kafka-0', { ips: ['10.0.0.5'] })).endpoints).toEqual([
      {
        addresses: ['10.0.0.5'],
        conditions: { ready: true, serving: true, terminating: false },
        hostname: 'kafka-0',
        targetRef: { kind: 'Pod', namespace: 'ns-one', name: 'kafka-0', uid: 'uid-kafka-0' },
        nodeName: 'node-1',
      },
    ]);
  });

  it('another cluster on the same network: the pod IP, no targetRef or nodeName', () => {
    expect(one(pod('kafka-0', { ips: ['10.1.0.5'] }), 'clusterThree').endpoints).toEqual([
      { addresses: ['10.1.0.5'], conditions: { ready: true, serving: true, terminating: false }, hostname: 'kafka-0' },
    ]);
  });

  it('another network: the VIP', () => {
    const d = one(pod('kafka-0'), 'clusterTwo');
    expect(d.endpoints.map((e) => e.addresses)).toEqual([['240.240.0.7']]);
    expect(d.endpoints[0]?.targetRef).toBeUndefined();
    expect(d.missingVips).toEqual([]);
  });

  it('another network without a VIP yet: omitted and reported', () => {
    const d = one(pod('kafka-1'), 'clusterTwo');
    expect(d.slices).toEqual([]);
    expect(d.missingVips).toEqual([{ gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', pod: 'kafka-1' }]);
  });

  it('a cluster missing from the network map is on a network of its own name', () => {
    const d = one(pod('kafka-0'), 'clusterTwo', 'ns-one', { networks: new Map() });
    expect(d.endpoints.map((e) => e.addresses)).toEqual([['240.240.0.7']]);
  });

  it('pods without an IP or not matching the selector are not sources', () => {
    const d = desiredSlices(input([source('clusterOne', 'ns-one', pod('a', { ips: [] })), source('clusterOne', 'ns-one', pod('b', { labels: { app: 'zoo' } }))]));
    expect(d).toEqual({ slices: [], conflicts: [], skipped: [], missingVips: [] });
  });
});

describe('hostname', () => {
  it.each([
    ['kafka-0', 'kafka-0'],
    ['a'.repeat(63), 'a'.repeat(63)],
    ['a'.repeat(64), undefined],
    ['Kafka-0', undefined],
    ['kafka.0', undefined],
    ['-kafka', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('spec.hostname %j → %j', (hostname, expected) => {
    expect(one(pod('p', { hostname })).endpoints[0]?.hostname).toBe(expected);
    expect(isDns1123Label(hostname ?? '')).toBe(expected !== undefined);
  });
});

describe('conditions', () => {
  it.each([
    [true, false, false, { ready: true, serving: true, terminating: false }],
    [false, false, false, { ready: false, serving: false, terminating: false }],
    [true, true, false, { ready: false, serving: true, terminating: true }],
    [false, true, false, { ready: false, serving: false, terminating: true }],
    [false, false, true, { ready: true, serving: false, terminating: false }],
    [true, true, true, { ready: true, serving: true, terminating: true }],
  ])('Ready=%s terminating=%s publishNotReadyAddresses=%s', (ready, terminating, publishNotReady, expected) => {
    const d = one(pod('p', { ready, terminating }), 'clusterOne', 'ns-one', { service: service('kafka-headless', { publishNotReadyAddresses: publishNotReady }) });
    expect(d.endpoints[0]?.conditions).toEqual(expected);
  });
});

describe('ports', () => {
  const svc = (ports: ServiceRecord['ports']) => service('kafka-headless', { ports });
  it.each<[string, ServiceRecord['ports'], PodRecord['ports'], unknown]>([
    ['a numeric targetPort as is', [{ name: 'c', port: 80, protocol: 'TCP', targetPort: 8080 }], [], [{ name: 'c', port: 8080, protocol: 'TCP' }]],
    ['no targetPort: the port', [{ port: 80, protocol: 'UDP' }], [], [{ name: '', port: 80, protocol: 'UDP' }]],
    ['appProtocol carried', [{ name: 'h', port: 80, protocol: 'TCP', appProtocol: 'http' }], [], [{ name: 'h', port: 80, protocol: 'TCP', appProtocol: 'http' }]],
    ['a named targetPort resolves', [{ name: 'c', port: 9092, protocol: 'TCP', targetPort: 'client' }], [{ name: 'client', containerPort: 19092, protocol: 'TCP' }], [{ name: 'c', port: 19092, protocol: 'TCP' }]],
    ['a named targetPort the pod lacks: port left out', [{ name: 'c', port: 9092, protocol: 'TCP', targetPort: 'client' }], [{ name: 'other', containerPort: 1, protocol: 'TCP' }], []],
    ['a named targetPort with another protocol: left out', [{ name: 'c', port: 53, protocol: 'UDP', targetPort: 'dns' }], [{ name: 'dns', containerPort: 53, protocol: 'TCP' }], []],
    ['no service ports', [], [], []],
  ])('%s', (_, servicePorts, podPorts, expected) => {
    const d = one(pod('p', { ports: podPorts }), 'clusterOne', 'ns-one', { service: svc(servicePorts) });
    expect(d.slices).toHaveLength(1);
    expect(d.slices[0]?.ports).toEqual(expected);
  });

  it('endpoints whose resolved ports differ go to different slices', () => {
    const service_ = svc([{ name: 'c', port: 9092, protocol: 'TCP', targetPort: 'client' }]);
    const d = desiredSlices(
      input(
        [
          source('clusterOne', 'ns-one', pod('a', { ports: [{ name: 'client', containerPort: 9092, protocol: 'TCP' }] })),
          source('clusterOne', 'ns-one', pod('b', { ports: [{ name: 'client', containerPort: 9093, protocol: 'TCP' }] })),
          source('clusterOne', 'ns-one', pod('c', { ports: [{ name: 'client', containerPort: 9092, protocol: 'TCP' }] })),
          source('clusterOne', 'ns-one', pod('d', { ports: [] })),
        ],
        { service: service_ },
      ),
    );
    expect(d.slices.map((s) => [s.ports.map((p) => p.port), s.endpoints.map((e) => e.hostname)])).toEqual([
      [[], ['d']],
      [[9092], ['a', 'c']],
      [[9093], ['b']],
    ]);
  });
});

describe('slices', () => {
  const many = (n: number, cluster = 'clusterOne', prefix = 'kafka') =>
    Array.from({ length: n }, (_, i) => source(cluster, 'ns-one', pod(`${prefix}-${String(i).padStart(4, '0')}`, { ips: [`10.0.${i >> 8}.${i & 255}`] })));

  it('carry labels, the owner reference and the namespace', () => {
    const [slice] = one(pod('p')).slices;
    expect(slice).toMatchObject({
      namespace: 'ns-two',
      addressType: 'IPv4',
      labels: { [LABEL_SERVICE_NAME]: 'kafka-headless', [LABEL_MANAGED_BY]: 'gns-sync.io', [LABEL_GNS]: 'kafka-gns' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'kafka-headless', uid: 'uid-svc-kafka-headless', controller: true, blockOwnerDeletion: true }],
    });
    expect(slice?.name).toBeUndefined();
  });

  it.each([
    [0, []],
    [1, [1]],
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
  ])('%i endpoints are packed into slices of at most 100: %j', (n, sizes) => {
    expect(desiredSlices(input(many(n))).slices.map((s) => s.endpoints.length)).toEqual(sizes);
  });

  it('are byte-identical whatever the order of the sources', () => {
    const sources = [...many(120), ...many(30, 'clusterTwo', 'zk')];
    const vips = new Map(sources.filter((s) => s.cluster === 'clusterTwo').map((s, i) => [vipKey(s.cluster, s.namespace, s.pod.name), `240.240.1.${i + 1}`]));
    const a = JSON.stringify(desiredSlices(input(sources, { vips })));
    const b = JSON.stringify(desiredSlices(input([...sources].reverse(), { vips })));
    expect(b).toBe(a);
    expect(desiredSlices(input(sources, { vips })).slices.flatMap((s) => s.endpoints)).toHaveLength(150);
  });

  it('dual-stack pods give one IPv4 and one IPv6 slice; an IPv6 VIP pool gives IPv6 VIPs', () => {
    const sources = [source('clusterOne', 'ns-one', pod('a', { ips: ['10.0.0.1', 'fd00::1'] })), source('clusterTwo', 'ns-one', pod('kafka-0'))];
    const d = desiredSlices(input(sources, { vipFamily: 6, vips: new Map([[vipKey('clusterTwo', 'ns-one', 'kafka-0'), 'fd99::7']]) }));
    expect(d.slices.map((s) => [s.addressType, s.endpoints.map((e) => e.addresses[0])])).toEqual([
      ['IPv4', ['10.0.0.1']],
      ['IPv6', ['fd00::1', 'fd99::7']],
    ]);
  });

  it('spec.ipFamilies restricts the pod IPs published; VIPs follow the pool', () => {
    const service_ = service('kafka-headless', { ipFamilies: ['IPv4'] });
    const sources = [source('clusterOne', 'ns-one', pod('a', { ips: ['10.0.0.1', 'fd00::1'] })), source('clusterTwo', 'ns-one', pod('kafka-0'))];
    const d = desiredSlices(input(sources, { service: service_, vipFamily: 6, vips: new Map([[vipKey('clusterTwo', 'ns-one', 'kafka-0'), 'fd99::7']]) }));
    expect(d.slices.map((s) => [s.addressType, s.endpoints.map((e) => e.addresses[0])])).toEqual([
      ['IPv4', ['10.0.0.1']],
      ['IPv6', ['fd99::7']],
    ]);
    expect(vipIdentitiesNeeded(input(sources, { service: service_, vipFamily: 6 }))).toEqual([
      { gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', pod: 'kafka-0' },
    ]);
    const v6only = desiredSlices(input(sources, { service: service('kafka-headless', { ipFamilies: ['IPv6'] }) }));
    expect(v6only.slices.map((s) => [s.addressType, s.endpoints.map((e) => e.addresses[0])])).toEqual([
      ['IPv4', ['240.240.0.7']],
      ['IPv6', ['fd00::1']],
    ]);
  });
});

describe('hostname conflicts: one winner by the documented rule', () => {
  const endpoints = (d: ReturnType<typeof desiredSlices>) => d.slices.flatMap((s) => s.endpoints.map((e) => `${e.hostname}@${e.addresses[0]}`));

  it("the target's own namespace first, then member order; the losers are named and not published", () => {
    const d = desiredSlices(
      input([
        source('clusterOne', 'ns-one', pod('kafka-0', { ips: ['10.0.0.1'] })),
        source('clusterTwo', 'ns-one', pod('kafka-0')),
        source('clusterOne', 'ns-two', pod('kafka-0', { ips: ['10.0.0.3'] })),
        source('clusterOne', 'ns-one', pod('kafka-1', { ips: ['10.0.0.2'] })),
      ]),
    );
    expect(endpoints(d)).toEqual(['kafka-1@10.0.0.2', 'kafka-0@10.0.0.3']);
    expect(d.conflicts).toEqual([
      { hostname: 'kafka-0', winner: 'clusterOne/ns-two/kafka-0', rule: 'own namespace', losers: ['clusterOne/ns-one/kafka-0', 'clusterTwo/ns-one/kafka-0'] },
    ]);
    // The loser on another network needs no VIP.
    expect(vipIdentitiesNeeded(input([source('clusterTwo', 'ns-one', pod('kafka-0')), source('clusterOne', 'ns-two', pod('kafka-0'))]))).toEqual([]);
  });

  it('member order comes from `members` (the config), not from the order of the sources or names', () => {
    const sources = [source('clusterOne', 'ns-one', pod('kafka-0', { ips: ['10.0.0.1'] })), source('clusterTwo', 'ns-one', pod('kafka-0'))];
    const members = [{ cluster: 'clusterTwo', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-one' }];
    const d = desiredSlices(input(sources, { members }));
    expect(endpoints(d)).toEqual(['kafka-0@240.240.0.7']);
    expect(d.conflicts).toEqual([{ hostname: 'kafka-0', winner: 'clusterTwo/ns-one/kafka-0', rule: 'member order', losers: ['clusterOne/ns-one/kafka-0'] }]);
    // Without `members`: `cluster/namespace` order, whatever the order of the sources.
    expect(desiredSlices(input([...sources].reverse())).conflicts[0]?.winner).toBe('clusterOne/ns-one/kafka-0');
    expect(desiredSlices(input(sources)).conflicts[0]?.winner).toBe('clusterOne/ns-one/kafka-0');
  });

  it('two pods of one member with the same hostname: the first by name wins', () => {
    const d = desiredSlices(
      input([
        source('clusterOne', 'ns-one', pod('zk-0', { hostname: 'kafka-0', ips: ['10.0.0.9'] })),
        source('clusterOne', 'ns-one', pod('kafka-0', { ips: ['10.0.0.1'] })),
      ]),
    );
    expect(endpoints(d)).toEqual(['kafka-0@10.0.0.1']);
    expect(d.conflicts).toEqual([{ hostname: 'kafka-0', winner: 'clusterOne/ns-one/kafka-0', rule: 'name order', losers: ['clusterOne/ns-one/zk-0'] }]);
  });

  it('a winner without a VIP yet is still the winner (missing, not replaced by the loser)', () => {
    const d = desiredSlices(input([source('clusterTwo', 'ns-one', pod('kafka-1')), source('clusterOne', 'ns-one', pod('kafka-1', { ips: ['10.0.0.2'] }))], {
      members: [{ cluster: 'clusterTwo', namespace: 'ns-one' }, { cluster: 'clusterOne', namespace: 'ns-one' }],
    }));
    expect(endpoints(d)).toEqual([]);
    expect(d.missingVips).toEqual([{ gns: TARGET.gns, cluster: 'clusterTwo', namespace: 'ns-one', pod: 'kafka-1' }]);
    expect(d.conflicts.map((c) => c.losers)).toEqual([['clusterOne/ns-one/kafka-1']]);
  });

  it('pods without a publishable hostname never conflict', () => {
    const d = desiredSlices(input([source('clusterOne', 'ns-one', pod('a', { hostname: 'Not_A_Label', ips: ['10.0.0.1'] })), source('clusterOne', 'ns-one', pod('b', { hostname: 'Not_A_Label', ips: ['10.0.0.2'] }))]));
    expect(d.conflicts).toEqual([]);
    expect(d.slices.flatMap((s) => s.endpoints)).toHaveLength(2);
  });
});

describe('only pods a StatefulSet controls are published', () => {
  it('another controller or none: skipped and reported; unknown (a v1 record): published', () => {
    const { controller: _, ...unknown } = pod('kafka-3', { ips: ['10.0.0.3'] });
    const d = desiredSlices(
      input([
        source('clusterOne', 'ns-one', pod('kafka-0', { ips: ['10.0.0.1'] })),
        source('clusterOne', 'ns-one', pod('web-x1', { ips: ['10.0.0.5'], controller: { kind: 'ReplicaSet', name: 'web-5f' } })),
        source('clusterOne', 'ns-one', pod('bare', { ips: ['10.0.0.6'], controller: null })),
        source('clusterOne', 'ns-one', unknown),
        source('clusterTwo', 'ns-one', pod('job-1', { controller: { kind: 'Job', name: 'job' } })),
      ]),
    );
    expect(d.slices.flatMap((s) => s.endpoints.map((e) => e.hostname))).toEqual(['kafka-0', 'kafka-3']);
    expect(d.skipped).toEqual([
      { pod: 'clusterOne/ns-one/bare', controller: null },
      { pod: 'clusterOne/ns-one/web-x1', controller: { kind: 'ReplicaSet', name: 'web-5f' } },
      { pod: 'clusterTwo/ns-one/job-1', controller: { kind: 'Job', name: 'job' } },
    ]);
    expect(vipIdentitiesNeeded(input([source('clusterTwo', 'ns-one', pod('job-1', { controller: { kind: 'Job', name: 'job' } }))]))).toEqual([]);
  });

  it('a skipped pod does not win a hostname from a StatefulSet pod', () => {
    const d = desiredSlices(
      input([
        source('clusterOne', 'ns-two', pod('kafka-0', { ips: ['10.0.0.9'], controller: null })),
        source('clusterOne', 'ns-one', pod('kafka-0', { ips: ['10.0.0.1'] })),
      ]),
    );
    expect(d.slices.flatMap((s) => s.endpoints.map((e) => e.addresses[0]))).toEqual(['10.0.0.1']);
    expect(d.conflicts).toEqual([]);
  });
});

describe('vipIdentitiesNeeded', () => {
  it('lists matching, IP-bearing pods off the target network, sorted and once each', () => {
    const sources = [
      source('clusterTwo', 'ns-one', pod('kafka-1')),
      source('clusterTwo', 'ns-one', pod('kafka-0')),
      source('clusterTwo', 'ns-one', pod('kafka-0')),
      source('clusterTwo', 'ns-one', pod('no-ip', { ips: [] })),
      source('clusterTwo', 'ns-one', pod('other', { labels: {} })),
      source('clusterThree', 'ns-one', pod('same-network')),
      source('clusterOne', 'ns-one', pod('local')),
    ];
    expect(vipIdentitiesNeeded(input(sources))).toEqual([
      { gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', pod: 'kafka-0' },
      { gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', pod: 'kafka-1' },
    ]);
  });
});
