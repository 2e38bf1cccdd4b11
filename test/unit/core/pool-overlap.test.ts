// A VIP pool that overlaps addresses gns-sync observes (issue 14): pure detection over pod IPs
// and Service ClusterIPs.
import { describe, expect, it } from 'vitest';
import { overlapLine, podAddresses, poolOverlaps, serviceAddresses } from '../../../shared/core/pool-overlap.ts';
import type { PodRecord, SourcePod } from '../../../shared/core/types.ts';
import { deepFreeze } from './factories.ts';

const source = (cluster: string, namespace: string, name: string, ips: string[]): SourcePod => ({ cluster, namespace, pod: { name, ips } as unknown as PodRecord });

describe('poolOverlaps', () => {
  const observed = deepFreeze([
    ...podAddresses([source('b', 'ns', 'web-1', ['10.1.0.7']), source('a', 'ns', 'web-0', ['10.1.0.5', 'fd00::5']), source('a', 'ns', 'db-0', ['10.2.0.9'])]),
    ...serviceAddresses('a', 'ns', { name: 'api', clusterIP: '10.1.255.255' }), // the pool's broadcast: never a VIP
    ...serviceAddresses('a', 'ns', { name: 'headless', clusterIP: 'None' }),
    ...serviceAddresses('b', 'ns', { name: 'api', clusterIP: '10.1.3.4' }),
  ]);

  it('finds the pod IPs and ClusterIPs the pool could hand out as VIPs, sorted; ignores other families, headless Services and addresses outside', () => {
    expect(poolOverlaps('10.1.0.0/16', observed).map((a) => `${a.kind} ${a.cluster}/${a.name} ${a.ip}`)).toEqual([
      'pod a/ns/web-0 10.1.0.5', 'Service b/ns/api 10.1.3.4', 'pod b/ns/web-1 10.1.0.7',
    ]);
    expect(poolOverlaps('241.0.0.0/16', observed)).toEqual([]);
    expect(poolOverlaps('fd00::/64', observed).map((a) => a.ip)).toEqual(['fd00::5']);
  });

  it('one stable line naming the clusters and up to three addresses; none without an overlap', () => {
    const overlaps = poolOverlaps('10.0.0.0/8', observed);
    expect(overlapLine('10.0.0.0/8', overlaps)).toBe(
      'VipPoolOverlap: VIP pool 10.0.0.0/8 overlaps addresses of cluster(s) a, b: Service a/ns/api 10.1.255.255, pod a/ns/db-0 10.2.0.9, pod a/ns/web-0 10.1.0.5 and 2 more. ' +
      'A VIP equal to one of them sends clients to the wrong place; set vipPool to a range outside every cluster\'s pod and Service ranges.',
    );
    expect(overlapLine('241.0.0.0/16', [])).toBeUndefined();
  });
});
