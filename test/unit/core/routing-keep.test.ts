// A restart keeps the pod's client entries (shared/core/routing/keep.ts, docs/adr/0019): a remote
// pod present without an IP, or absent with a returning tombstone younger than the grace; and
// only existing, owned entries are kept, exactly as they are (no write).
import { describe, expect, it } from 'vitest';
import type { DesiredInput } from '../../../shared/core/desired.ts';
import { identityKey } from '../../../shared/core/identity.ts';
import { desiredClientEntries } from '../../../shared/core/routing/entries.ts';
import { keptEntryNames, keptIdentities, podsWithoutIp, RESTART_GRACE_MS, restartGraceMs, withKept } from '../../../shared/core/routing/keep.ts';
import type { KeepInput, ReturningSource } from '../../../shared/core/routing/keep.ts';
import { planEntries, planWrites } from '../../../shared/core/routing/plan.ts';
import { routedPods } from '../../../shared/core/routing/routed.ts';
import type { ServiceEntry } from '../../../shared/core/routing/types.ts';
import type { SourcePod } from '../../../shared/core/types.ts';
import { deepFreeze, pod, SELECTOR, service, source } from './factories.ts';

// Target in clusterTwo/ns-one (net-b); kafka runs in clusterOne/ns-one (net-a); clusterThree shares net-b.
const TARGET = deepFreeze({ gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', name: 'kafka-headless' });
const NETWORKS = new Map([['clusterOne', 'net-a'], ['clusterTwo', 'net-b'], ['clusterThree', 'net-b']]);
const NOW = 1_764_366_000_000;
const GRACE = 600_000;
const keys = (ids: readonly { cluster: string; namespace: string; pod: string; gns: string }[]) => ids.map(identityKey);
const id = (cluster: string, p: string) => identityKey({ gns: 'kafka-gns', cluster, namespace: 'ns-one', pod: p });
const away = (cluster: string, name: string, since: number): ReturningSource => ({ cluster, namespace: 'ns-one', pod: { name, since } });

function input(sources: readonly SourcePod[], returning: readonly ReturningSource[] = [], now = NOW): KeepInput {
  return deepFreeze({ target: TARGET, service: service(), selector: SELECTOR, sources, networks: NETWORKS, returning, now, graceMs: GRACE });
}

describe('keptIdentities', () => {
  it('a remote pod present without an IP (Pending, or terminal before its deletion) is kept; one with an IP is simply desired', () => {
    const sources = [source('clusterOne', 'ns-one', pod('kafka-0', { ips: [] })), source('clusterOne', 'ns-one', pod('kafka-1'))];
    expect(keys(keptIdentities(input(sources)))).toEqual([id('clusterOne', 'kafka-0')]);
  });

  it('without an IP but not selected, not a StatefulSet\'s, or on the target\'s network: not kept', () => {
    const sources = [
      source('clusterOne', 'ns-one', pod('kafka-0', { ips: [], labels: { app: 'other' } })),
      source('clusterOne', 'ns-one', pod('kafka-1', { ips: [], controller: { kind: 'ReplicaSet', name: 'x' } })),
      source('clusterThree', 'ns-one', pod('kafka-2', { ips: [] })),
    ];
    expect(keptIdentities(input(sources))).toEqual([]);
  });

  it('absent and returning: kept before the grace ends, not after (the grace counted from the observation, with `now` given)', () => {
    const returning = [away('clusterOne', 'kafka-0', NOW - GRACE + 1)];
    expect(keys(keptIdentities(input([], returning)))).toEqual([id('clusterOne', 'kafka-0')]);
    expect(keptIdentities(input([], returning, NOW + 1))).toEqual([]);
    // A deletion observed after `now` (the agent's clock ahead) counts from now.
    expect(keys(keptIdentities(input([], [away('clusterOne', 'kafka-0', NOW + 5_000)])))).toEqual([id('clusterOne', 'kafka-0')]);
  });

  it('a deletion that does not return has no returning tombstone: nothing kept (a scale-down removes the entry)', () => {
    expect(keptIdentities(input([]))).toEqual([]);
  });

  it('returning on the target\'s network (pod IPs published, no routing) or present again with an IP: not kept', () => {
    expect(keptIdentities(input([], [away('clusterThree', 'kafka-0', NOW)]))).toEqual([]);
    expect(keptIdentities(input([source('clusterOne', 'ns-one', pod('kafka-0'))], [away('clusterOne', 'kafka-0', NOW)]))).toEqual([]);
  });

  it('podsWithoutIp is the present half, sorted', () => {
    const sources = [source('clusterOne', 'ns-one', pod('kafka-1', { ips: [] })), source('clusterOne', 'ns-one', pod('kafka-0', { ips: [] }))];
    expect(keys(podsWithoutIp(input(sources)))).toEqual([id('clusterOne', 'kafka-0'), id('clusterOne', 'kafka-1')]);
  });
});

describe('restartGraceMs', () => {
  it('10 minutes, at most half the VIP release time', () => {
    expect(restartGraceMs(3_600_000)).toBe(RESTART_GRACE_MS);
    expect(restartGraceMs(60_000)).toBe(30_000);
    expect(restartGraceMs(0)).toBe(0);
  });
});

describe('withKept, planned against the cluster', () => {
  const desiredInput = (sources: readonly SourcePod[]): DesiredInput => deepFreeze({
    target: TARGET, service: service(), selector: SELECTOR, sources, networks: NETWORKS,
    vips: new Map([[id('clusterOne', 'kafka-0'), '241.0.0.7'], [id('clusterOne', 'kafka-1'), '241.0.0.8']]), vipFamily: 4 as const,
  });
  const entries = (sources: readonly SourcePod[]) => desiredClientEntries({ target: TARGET, serviceUid: 'uid-svc', configCluster: 'clusterTwo', routed: routedPods(desiredInput(sources)) });
  const both = [source('clusterOne', 'ns-one', pod('kafka-0')), source('clusterOne', 'ns-one', pod('kafka-1'))];
  const live: ServiceEntry[] = deepFreeze(entries(both).map((e, i) => ({ ...e, uid: `u${i}`, resourceVersion: String(10 + i) })));

  it('a restarting pod\'s entry is kept as it is: zero writes; without the keep it is deleted', () => {
    const onlyOne = entries([both[1]!]);
    const keep = keptEntryNames({ target: TARGET }, keptIdentities(input([], [away('clusterOne', 'kafka-0', NOW)])));
    expect(planWrites(planEntries(withKept(onlyOne, live, keep), live))).toBe(0);
    const removed = planEntries(withKept(onlyOne, live, new Set()), live);
    expect(removed.delete.map((e) => e.spec.addresses)).toEqual([['241.0.0.7']]);
    expect(removed.create).toEqual([]);
  });

  it('the pod back with its IP and the same VIP: the desired entry is the kept one — zero writes', () => {
    expect(planWrites(planEntries(entries(both), live))).toBe(0);
  });

  it('nothing is created for a kept identity, and an entry another installation owns is never taken over', () => {
    const keep = keptEntryNames({ target: TARGET }, [{ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod: 'kafka-0' }]);
    expect(withKept([], [], keep)).toEqual([]);
    const foreign = live.map((e) => ({ ...e, labels: { ...e.labels, 'gns-sync.io/installation': 'other' } }));
    expect(withKept([], foreign, keep)).toEqual([]);
  });
});
