// A pod waiting for its IP keeps its VIP (docs/adr/0019-a-restart-keeps-its-routing.md): the
// reconcile's gone pass counts a remote pod present without an IP that a target would publish,
// so its identity is not marked gone while it is Pending (before, a pod Pending longer than
// vipReleaseAfter lost its VIP; with routing: istio its kept client entry would name a released VIP).
import { describe, expect, it } from 'vitest';
import { identitiesInUse } from '../../../functions/reconcile/reconcile.ts';
import { deepFreeze } from '../core/factories.ts';
import { kafkaPod, T_REMOTE, targetService, topology } from './fakes.ts';

const key = (pod: string) => `kafka-gns/clusterOne/ns-one/${pod}`;

describe('identitiesInUse: pods waiting for an IP', () => {
  it('a remote pod present without an IP (selected, a StatefulSet\'s) is in use; one not selected is not', () => {
    const pods = [
      { cluster: 'clusterOne', namespace: 'ns-one', pod: kafkaPod(0) },
      { cluster: 'clusterOne', namespace: 'ns-one', pod: kafkaPod(1, { ips: [] }) },
      { cluster: 'clusterOne', namespace: 'ns-one', pod: kafkaPod(2, { ips: [], labels: { app: 'other' } }) },
    ];
    const inUse = identitiesInUse(deepFreeze([{ target: T_REMOTE, service: targetService() }]), deepFreeze(pods), topology().networks, 4);
    expect([...inUse].sort()).toEqual([key('kafka-0'), key('kafka-1')]);
  });
});
