// Whether a deleted pod returns (agent/returning.ts): the StatefulSet that controls it still
// wants its ordinal. A restart says so on the pod's delete event; anything else — a scale-down,
// another controller, no StatefulSet, one being deleted or replaced, a failed read — does not.
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { isReturning, ordinalOf, statefulSetView, wantsOrdinal } from '../../../agent/returning.ts';
import type { DeletedPod, StatefulSetReader, StatefulSetView } from '../../../agent/returning.ts';
import { DETAIL_TYPES } from '../../../shared/schemas/events.ts';
import { FakeKube, RecordingBus, pod, startFakeAgent, stopStartedAgents } from './fakes.ts';

const sts = (replicas: number, extra: Partial<StatefulSetView> = {}): StatefulSetView => ({ uid: 'sts-uid', replicas, ordinalsStart: 0, deleting: false, ...extra });
const kafka = (name: string, controller: DeletedPod['controller'] = { kind: 'StatefulSet', name: 'kafka', uid: 'sts-uid' }): DeletedPod => ({ name, controller });

describe('wantsOrdinal', () => {
  it.each<[string, DeletedPod, StatefulSetView | undefined, boolean]>([
    ['a restart: ordinal below replicas', kafka('kafka-1'), sts(3), true],
    ['ordinal 0 of one replica', kafka('kafka-0'), sts(1), true],
    ['a scale-down: replicas already lowered below the ordinal', kafka('kafka-2'), sts(2), false],
    ['scaled to zero', kafka('kafka-0'), sts(0), false],
    ['ordinals.start: ordinal inside [start, start+replicas)', kafka('kafka-5'), sts(2, { ordinalsStart: 4 }), true],
    ['ordinals.start: ordinal below start', kafka('kafka-3'), sts(2, { ordinalsStart: 4 }), false],
    ['ordinals.start: ordinal at start+replicas', kafka('kafka-6'), sts(2, { ordinalsStart: 4 }), false],
    ['the StatefulSet is gone (404)', kafka('kafka-0'), undefined, false],
    ['the StatefulSet is being deleted', kafka('kafka-0'), sts(3, { deleting: true }), false],
    ['another StatefulSet of the same name (another uid)', kafka('kafka-0'), sts(3, { uid: 'other' }), false],
    ['the pod names no controller uid: the name decides', kafka('kafka-0', { kind: 'StatefulSet', name: 'kafka' }), sts(3), true],
    ['a ReplicaSet controls it', kafka('kafka-0', { kind: 'ReplicaSet', name: 'kafka' }), sts(3), false],
    ['no controller', kafka('kafka-0', null), sts(3), false],
    ['a name that is not <sts>-<ordinal>', kafka('kafka-x'), sts(3), false],
    ['a leading zero is no ordinal', kafka('kafka-01'), sts(3), false],
  ])('%s → %s', (_name, pod, view, expected) => {
    expect(wantsOrdinal(pod, view)).toBe(expected);
  });

  it('ordinalOf reads <sts>-<ordinal> only', () => {
    expect(ordinalOf('kafka', 'kafka-12')).toBe(12);
    expect(ordinalOf('kafka', 'kafka-connect-1')).toBeUndefined();
    expect(ordinalOf('kafka', 'zk-1')).toBeUndefined();
  });

  it('statefulSetView: replicas default 1, ordinals.start default 0, deletionTimestamp', () => {
    expect(statefulSetView({ metadata: { uid: 'u' }, spec: { selector: {}, serviceName: 's', template: {} } })).toEqual({ uid: 'u', replicas: 1, ordinalsStart: 0, deleting: false });
    expect(statefulSetView({ metadata: { deletionTimestamp: new Date() }, spec: { replicas: 0, ordinals: { start: 3 }, selector: {}, serviceName: 's', template: {} } })).toEqual({ replicas: 0, ordinalsStart: 3, deleting: true });
  });
});

describe('isReturning', () => {
  it('a failed or slow read is not returning, and says why', async () => {
    const errors: unknown[] = [];
    const failing: StatefulSetReader = () => Promise.reject(new Error('forbidden'));
    expect(await isReturning(failing, 'ns-one', kafka('kafka-0'), (e) => errors.push(e))).toBe(false);
    const slow: StatefulSetReader = () => new Promise(() => {});
    expect(await isReturning(slow, 'ns-one', kafka('kafka-0'), (e) => errors.push(e), 5)).toBe(false);
    expect(errors.map(String)).toEqual(['Error: forbidden', expect.stringContaining('took over 5 ms')]);
  });

  it('reads the StatefulSet named by the controller, only for a StatefulSet pod', async () => {
    const reads: string[] = [];
    const reader: StatefulSetReader = (namespace, name) => { reads.push(`${namespace}/${name}`); return Promise.resolve(sts(3)); };
    expect(await isReturning(reader, 'ns-one', kafka('kafka-1'))).toBe(true);
    expect(await isReturning(reader, 'ns-one', kafka('kafka-1', { kind: 'ReplicaSet', name: 'kafka' }))).toBe(false);
    expect(reads).toEqual(['ns-one/kafka']);
  });
});

describe('the agent flags a restart on the pod delete event', () => {
  afterEach(stopStartedAgents);

  const owned = (name: string, ip: string): V1Pod => {
    const p = pod(name, { ip });
    return { ...p, metadata: { ...p.metadata, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kafka', uid: 'sts-uid', controller: true }] } };
  };

  it('returning: true while the StatefulSet wants the ordinal; absent after a scale-down and for other pods', async () => {
    const kube = new FakeKube();
    kube.put(owned('kafka-0', '10.1.0.1'));
    kube.put(owned('kafka-1', '10.1.0.2'));
    kube.put(pod('loose-0', { ip: '10.1.0.3' }));
    let replicas = 2;
    const reads: string[] = [];
    const statefulSets: StatefulSetReader = (namespace, name) => { reads.push(`${namespace}/${name}`); return Promise.resolve(sts(replicas)); };
    const bus = new RecordingBus();
    const agent = await startFakeAgent(kube, bus, { statefulSets });
    await agent.ready();

    kube.delete('Pod', 'ns-one', 'kafka-0'); // restart: replicas 2 still wants ordinal 0
    await new Promise((r) => setImmediate(r));
    await agent.idle();
    replicas = 1;
    kube.delete('Pod', 'ns-one', 'kafka-1'); // scale-down: replicas 1 no longer wants ordinal 1
    await new Promise((r) => setImmediate(r));
    await agent.idle();
    kube.delete('Pod', 'ns-one', 'loose-0'); // no controller: nothing read
    await new Promise((r) => setImmediate(r));
    await agent.idle();

    const deletes = bus.events().filter((e) => e.type === DETAIL_TYPES.podDelete).map((e) => e.detail);
    expect(deletes.map((d) => [d.name, 'returning' in d ? d.returning : undefined])).toEqual([['kafka-0', true], ['kafka-1', undefined], ['loose-0', undefined]]);
    expect(reads).toEqual(['ns-one/kafka', 'ns-one/kafka']);
  });
});
