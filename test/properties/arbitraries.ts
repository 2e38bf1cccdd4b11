// The generated states of the slice properties: up to 260 source pods over three clusters on
// two networks (addresses of both families, hostnames valid, missing or shared, readiness,
// termination, named ports, VIPs allocated or not), as DesiredInputs. Shared by the slice
// properties and the upstream-schema validation of what is written.
import fc from 'fast-check';
import type { DesiredInput } from '../../shared/core/desired.ts';
import { identityKey } from '../../shared/core/identity.ts';
import type { SourcePod } from '../../shared/core/types.ts';
import { deepFreeze, pod, SELECTOR, service, source, TARGET } from '../unit/core/factories.ts';

const CLUSTERS = ['clusterOne', 'clusterTwo', 'clusterThree'] as const;
const NETWORKS = new Map([
  ['clusterOne', 'net-a'],
  ['clusterTwo', 'net-b'],
  ['clusterThree', 'net-a'],
]);

/** A compact description of a source pod, expanded by `expand` (cheap to generate by hundreds). */
const podSpec = fc.record({
  cluster: fc.nat({ max: 2 }),
  ns: fc.nat({ max: 1 }),
  matches: fc.nat({ max: 9 }), // 0: labels that do not match
  ip: fc.nat({ max: 9 }), // 0: no IP yet, 1: IPv6, 2: dual-stack, else IPv4
  hostname: fc.constantFrom('self', 'none', 'Bad_Host', 'shared'),
  ready: fc.boolean(),
  terminating: fc.nat({ max: 4 }),
  port: fc.nat({ max: 3 }), // 0: lacks the named port
  vip: fc.nat({ max: 5 }), // 0: no VIP allocated yet
});
type PodSpec = typeof podSpec extends fc.Arbitrary<infer T> ? T : never;

function expand(specs: readonly PodSpec[], vipFamily: 4 | 6): { sources: SourcePod[]; vips: Map<string, string> } {
  const vips = new Map<string, string>();
  const sources = specs.map((s, i) => {
    const cluster = CLUSTERS[s.cluster] as string;
    const namespace = s.ns === 0 ? 'ns-one' : 'ns-two';
    const name = `kafka-${i}`;
    const v4 = `10.${s.cluster}.${i >> 8}.${i & 255}`;
    const v6 = `fd00:${s.cluster}::${i.toString(16)}`;
    const ips = s.ip === 0 ? [] : s.ip === 1 ? [v6] : s.ip === 2 ? [v4, v6] : [v4];
    const hostname = s.hostname === 'self' ? name : s.hostname === 'none' ? undefined : s.hostname === 'shared' ? 'kafka-0' : s.hostname;
    if (s.vip !== 0) vips.set(identityKey({ gns: TARGET.gns, cluster, namespace, pod: name }), vipFamily === 4 ? `240.240.${i >> 8}.${i & 255}` : `fd99::${i.toString(16)}`);
    return source(
      cluster,
      namespace,
      pod(name, {
        labels: s.matches === 0 ? { app: 'zookeeper' } : { ...SELECTOR, extra: String(s.matches) },
        ips,
        hostname,
        ready: s.ready,
        terminating: s.terminating === 0,
        ports: s.port === 0 ? [] : [{ name: 'client', containerPort: 9090 + s.port, protocol: 'TCP' }],
      }),
    );
  });
  return { sources, vips };
}

export const inputArb = fc
  .record({
    specs: fc.array(podSpec, { maxLength: 260 }),
    vipFamily: fc.constantFrom(4 as const, 6 as const),
    named: fc.boolean(),
    publishNotReady: fc.boolean(),
    ipFamilies: fc.constantFrom(undefined, ['IPv4' as const], ['IPv6' as const], ['IPv4' as const, 'IPv6' as const]),
  })
  .map(({ specs, vipFamily, named, publishNotReady, ipFamilies }): DesiredInput => {
    const { sources, vips } = expand(specs, vipFamily);
    const ports = [
      { name: 'client', port: 9092, protocol: 'TCP' as const, targetPort: named ? 'client' : 9092 },
      { name: 'metrics', port: 9404, protocol: 'TCP' as const },
    ];
    return deepFreeze({
      target: TARGET,
      service: service('kafka-headless', { ports, publishNotReadyAddresses: publishNotReady, ...(ipFamilies ? { ipFamilies } : {}) }),
      selector: SELECTOR,
      sources,
      networks: NETWORKS,
      vips,
      vipFamily,
    });
  });
