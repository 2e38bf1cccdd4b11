// `gns-sync validate-config NEW --previous OLD | --state-dir DIR` says what a cluster rename
// costs (issue 10 case 11), counting the VIPs the state holds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../../local/cli/main.ts';
import { startLocalDynamo } from '../../../local/dynamo/start.ts';
import { DynamoVipAllocator } from '../../../shared/adapters/dynamodb/vip-allocator.ts';
import { loadConfig } from '../../../shared/config/load.ts';

let scratch: string;
let stateDir: string;
let renamed: string;
let out: string[];
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'gns-validate-prev-'));
  stateDir = join(scratch, 'state');
  const config = loadConfig('examples/kafka-gns.yaml');
  const dynamo = await startLocalDynamo({ dir: join(stateDir, 'dynamodb') });
  try {
    const vips = new DynamoVipAllocator({ client: dynamo.client, tableName: dynamo.tableName, pool: config.vipPool, releaseAfterMs: config.vipReleaseAfterMs });
    await vips.ensure([0, 1, 2].map((i) => ({ gns: 'kafka-gns', cluster: 'clusterTwo', namespace: 'ns-one', pod: `zk-${i}` })), 1_000);
    await vips.ensure([{ gns: 'kafka-gns', cluster: 'clusterOne', namespace: 'ns-one', pod: 'kafka-0' }], 1_000);
  } finally {
    await dynamo.stop();
  }
  writeFileSync(join(stateDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`); // as gns-sync local keeps it
  renamed = join(scratch, 'renamed.yaml');
  writeFileSync(renamed, [
    'clusters:', '  - { name: clusterOne, network: net-one }', '  - { name: clusterB, network: net-two, context: clusterTwo }',
    'globalNamespaces:', '  - name: kafka-gns', '    members:',
    '      - { cluster: clusterOne, namespace: ns-one }', '      - { cluster: clusterOne, namespace: ns-two }', '      - { cluster: clusterB, namespace: ns-one }',
  ].join('\n'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeEach(() => {
  out = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  return () => vi.restoreAllMocks();
});

describe('validate-config with the previous config', () => {
  it('--state-dir: names the rename and counts the VIPs it gives up', async () => {
    expect(await main(['validate-config', renamed, '--state-dir', stateDir])).toBe(0);
    expect(out[0]).toMatch(/renamed.yaml: valid/);
    const at = out.indexOf(`compared with ${join(stateDir, 'config.json')}: 1 change(s) that cost names or VIPs`);
    expect(at).toBeGreaterThan(0);
    expect(out[at + 1]).toMatch(/^- cluster "clusterTwo" is renamed "clusterB": .*the 3 VIP\(s\) bound to pods of clusterTwo in this state are given up/);
  });

  it('--previous FILE: the same, without counts; the unchanged example costs nothing', async () => {
    expect(await main(['validate-config', renamed, '--previous', 'examples/kafka-gns.yaml'])).toBe(0);
    expect(out.find((l) => l.startsWith('- cluster "clusterTwo" is renamed'))).toMatch(/the VIPs bound to pods of clusterTwo are given up/);
    out.length = 0;
    expect(await main(['validate-config', 'examples/kafka-gns.yaml', '--previous', 'examples/kafka-gns.yaml'])).toBe(0);
    expect(out).toContain('compared with examples/kafka-gns.yaml: no cluster, global namespace, member or installation is renamed, moved or removed');
  });

  it('refuses both flags, or a state directory without a config copy', async () => {
    expect(await main(['validate-config', renamed, '--previous', 'examples/kafka-gns.yaml', '--state-dir', stateDir])).toBe(2);
    expect(out.at(-1)).toMatch(/give one of --previous and --state-dir/);
    expect(await main(['validate-config', renamed, '--state-dir', scratch])).toBe(2);
    expect(out.at(-1)).toMatch(/no config.json in/);
  });
});
