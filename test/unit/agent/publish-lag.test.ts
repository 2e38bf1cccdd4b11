// The agent's observation-to-publish lag (issue 14): from the wall-clock time the agent observed
// a change (the event's observedAt) to PutEvents acknowledging its entry, a Prometheus histogram
// on /metrics. A retried entry counts once, when accepted; a rejected one not at all.
import { afterEach, describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../agent/metrics.ts';
import { Publisher } from '../../../agent/publisher.ts';
import type { BusEntry } from '../../../shared/ports.ts';
import { FakeKube, RecordingBus, pod, quietLogger, service, startFakeAgent, stopStartedAgents } from './fakes.ts';

afterEach(stopStartedAgents);

/** `name{labels} value` lines of one metric family from a Prometheus text page. */
const samples = (text: string, family: string): Map<string, number> =>
  new Map(text.split('\n').filter((l) => l.startsWith(family)).map((l) => {
    const at = l.lastIndexOf(' ');
    return [l.slice(0, at), Number(l.slice(at + 1))] as const;
  }));

describe('agent /metrics: observation-to-publish lag', () => {
  it('serves gns_sync_agent_publish_lag_seconds: each accepted entry once, at the time PutEvents acknowledged it', async () => {
    let now = 1_764_363_600_000;
    const bus = new RecordingBus();
    // Every PutEvents call takes 1.5 s of the agent's wall clock.
    bus.behaviour = () => { now += 1_500; return []; };
    const kube = new FakeKube();
    kube.put(pod('kafka-0', { ip: '10.1.0.1' }));
    kube.put(service('kafka-headless'));
    const agent = await startFakeAgent(kube, bus, { clock: () => now, healthPort: 0, healthHost: '127.0.0.1' });
    await agent.ready();
    await agent.idle();
    kube.put(pod('kafka-1', { ip: '10.1.0.2' }));
    await new Promise((r) => setImmediate(r));
    await agent.idle();

    const page = await (await fetch(`http://127.0.0.1:${agent.healthPort}/metrics`)).text();
    expect(page).toContain('# TYPE gns_sync_agent_publish_lag_seconds histogram');
    const lag = samples(page, 'gns_sync_agent_publish_lag_seconds');
    const accepted = bus.accepted.length;
    expect(accepted).toBeGreaterThanOrEqual(2); // the start snapshot and the upsert
    expect(lag.get('gns_sync_agent_publish_lag_seconds_count{cluster="clusterOne"}')).toBe(accepted);
    expect(lag.get('gns_sync_agent_publish_lag_seconds_bucket{le="1",cluster="clusterOne"}')).toBe(0);
    expect(lag.get('gns_sync_agent_publish_lag_seconds_bucket{le="2.5",cluster="clusterOne"}')).toBe(accepted);
    expect(lag.get('gns_sync_agent_publish_lag_seconds_sum{cluster="clusterOne"}')).toBeCloseTo(1.5 * accepted, 6);
  });

  it('a throttled entry observes its lag when finally accepted; an entry rejected for good observes none', async () => {
    let now = 0;
    const bus = new RecordingBus();
    bus.behaviour = (entries, call) => {
      now += 1_000;
      if (call === 1) return [{ index: 0, errorCode: 'ThrottlingException', errorMessage: 'slow down' }, { index: 1, errorCode: 'ValidationException', errorMessage: 'bad' }];
      return [];
    };
    const metrics = new AgentMetrics('c');
    const publisher = new Publisher({ bus, metrics, logger: quietLogger(), backoff: { baseMs: 1, maxMs: 2 }, random: () => 0.5, onResnapshotNeeded: () => undefined, now: () => now, maxInFlight: 1 });
    const entry = (i: number): BusEntry => ({ source: 'gns-sync.io/cluster/c', detailType: 'gns-sync.pod.upsert.v1', detail: JSON.stringify({ i }) });
    publisher.publish([entry(0), entry(1), entry(2)], 0);
    publisher.publish([entry(3)]); // no observation time: not observed
    await publisher.idle();
    const data = (await metrics.publishLag.get()).values;
    const count = data.find((v) => v.metricName === 'gns_sync_agent_publish_lag_seconds_count')?.value;
    const sum = data.find((v) => v.metricName === 'gns_sync_agent_publish_lag_seconds_sum')?.value;
    // Entry 2 accepted at 1 s; entry 0 retried and accepted at 2 s; entry 1 rejected.
    expect(count).toBe(2);
    expect(sum).toBe(3);
  });
});
