import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseAgentEnv } from '../../../agent/main.ts';

const good = { GNS_SYNC_CLUSTER: 'clusterOne', GNS_SYNC_NAMESPACES: 'ns-one, ns-two', GNS_SYNC_EVENT_BUS: 'gns-sync', POD_NAMESPACE: 'gns-sync' };
const noSa = (): undefined => undefined;

describe('parseAgentEnv', () => {
  it('reads the environment with defaults', () => {
    expect(parseAgentEnv(good, noSa)).toEqual({
      cluster: 'clusterOne', namespaces: ['ns-one', 'ns-two'], eventBus: 'gns-sync', healthPort: 8080, leaseNamespace: 'gns-sync', snapshotIntervalMs: 600_000, installation: 'default',
    });
  });

  it('names the installation from GNS_SYNC_INSTALLATION, and refuses a bad name', () => {
    expect(parseAgentEnv({ ...good, GNS_SYNC_INSTALLATION: 'team-a' }, noSa).installation).toBe('team-a');
    expect(() => parseAgentEnv({ ...good, GNS_SYNC_INSTALLATION: 'Team_A' }, noSa)).toThrow(/GNS_SYNC_INSTALLATION="Team_A" is not an installation name/);
  });

  it('falls back to the service account namespace for the Lease', () => {
    const { POD_NAMESPACE: _, ...rest } = good;
    expect(parseAgentEnv(rest, () => 'gns-system\n').leaseNamespace).toBe('gns-system');
    expect(() => parseAgentEnv(rest, noSa)).toThrow(/POD_NAMESPACE is not set/);
  });

  it.each([
    [{ GNS_SYNC_CLUSTER: '' }, /GNS_SYNC_CLUSTER is required/],
    [{ GNS_SYNC_CLUSTER: 'bad name' }, /GNS_SYNC_CLUSTER="bad name"/],
    [{ GNS_SYNC_NAMESPACES: ' , ' }, /at least one namespace/],
    [{ GNS_SYNC_NAMESPACES: 'ns-one,NS_TWO' }, /"NS_TWO" is not a namespace name/],
    [{ GNS_SYNC_EVENT_BUS: undefined }, /GNS_SYNC_EVENT_BUS is required/],
    [{ HEALTH_PORT: '80x' }, /HEALTH_PORT="80x" must be an integer from 1 to 65535/],
    [{ HEALTH_PORT: '70000' }, /HEALTH_PORT/],
    [{ GNS_SYNC_SNAPSHOT_INTERVAL_MS: '-5' }, /GNS_SYNC_SNAPSHOT_INTERVAL_MS/],
    [{ POD_NAMESPACE: 'Bad' }, /POD_NAMESPACE="Bad" is not a namespace name/],
  ])('rejects %o', (override, message) => {
    expect(() => parseAgentEnv({ ...good, ...override }, noSa)).toThrow(message);
  });
});

describe('agent/main.ts', () => {
  it('exits 2 with one clear line on bad input, before touching any cluster or bus', () => {
    const result = spawnSync(process.execPath, ['agent/main.ts'], {
      env: { PATH: process.env.PATH, GNS_SYNC_CLUSTER: 'clusterOne', GNS_SYNC_NAMESPACES: 'ns-one', GNS_SYNC_EVENT_BUS: '' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual(['gns-sync agent: GNS_SYNC_EVENT_BUS is required']);
  });
});
