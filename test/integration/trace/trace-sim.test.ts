// trace against simulated clusters started with --istio, through the kubeconfig reader and the
// CLI: every replica of the routed seed scenario reaches its ready pod from clusterTwo; deleting
// net-one's gateway Service breaks it at the gateway hop; a same-network name ends at the pod
// IP; with the config's routing: none the VIP is where it stops; bad input exits 2.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimFleet } from '../../../local/sim/index.ts';
import { kubeMeshReader } from '../../../local/trace/kube-reader.ts';
import type { MeshTopology } from '../../../local/trace/mesh.ts';
import { traceName } from '../../../local/trace/trace.ts';
import { runCli } from '../../support/cli.ts';
import { startRoutedSeed } from './sim-mesh.ts';

const NAME = (i: number, ns = 'ns-one'): string => `kafka-${i}.kafka-headless.${ns}.svc.cluster.local`;
const TOPOLOGY: MeshTopology = { routing: 'istio', clusters: [{ name: 'clusterOne', network: 'net-one', istioConfigCluster: 'clusterOne' }, { name: 'clusterTwo', network: 'net-two', istioConfigCluster: 'clusterTwo' }] };
const CONFIG = `clusters:
  - { name: clusterOne, network: net-one }
  - { name: clusterTwo, network: net-two }
globalNamespaces:
  - name: kafka-gns
    members:
      - { cluster: clusterOne, namespace: ns-one }
      - { cluster: clusterOne, namespace: ns-two }
      - { cluster: clusterTwo, namespace: ns-one }
`;

const cli = (args: readonly string[]) => runCli(['trace', ...args]);

describe('gns-sync trace on simulated clusters (--istio)', () => {
  let fleet: SimFleet;
  let podIps: string[];
  let dir: string;
  beforeAll(async () => {
    ({ fleet, podIps } = await startRoutedSeed());
    dir = await mkdtemp(join(tmpdir(), 'gns-trace-'));
    await fleet.writeKubeconfig(join(dir, 'kubeconfig'));
    await writeFile(join(dir, 'config.yaml'), CONFIG);
  }, 60_000);
  afterAll(async () => {
    await fleet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const reader = (): ReturnType<typeof kubeMeshReader> => kubeMeshReader(fleet.kubeconfigYaml(), new Map([['clusterOne', 'clusterOne'], ['clusterTwo', 'clusterTwo']]));

  it('reaches every replica\'s ready pod from clusterTwo, on both ports, through net-one\'s gateway', async () => {
    const gatewayIp = (fleet.cluster('clusterOne').get('/api/v1/namespaces/istio-system/services/istio-eastwestgateway')!.status as { loadBalancer: { ingress: { ip: string }[] } }).loadBalancer.ingress[0]!.ip;
    for (const i of [0, 1, 2]) {
      const result = await traceName({ name: NAME(i), from: 'clusterTwo' }, TOPOLOGY, reader());
      expect(result.broken).toBeUndefined();
      expect(result.ok).toBe(true);
      expect(result.end).toEqual({ cluster: 'clusterOne', namespace: 'ns-one', pod: `kafka-${i}`, ip: podIps[i], ready: true });
      expect(result.hops.filter((h) => h.step === 'gateway').map((h) => h.text)).toEqual([9092, 9093].map(() => `network net-one → ${gatewayIp}:15443 (Service istio-system/istio-eastwestgateway in clusterOne)`));
      expect(result.hops.filter((h) => h.step === 'sni').map((h) => h.text.split(' → ')[0])).toEqual([`SNI outbound_.9092_._.kafka-${i}.ns-one.clusterone.gns-sync.local`, `SNI outbound_.9093_._.kafka-${i}.ns-one.clusterone.gns-sync.local`]);
    }
  });

  it('a same-network name ends at the pod IP; with routing: none a VIP stops (CLI, exit 0 and 1); bad input exits 2', async () => {
    const common = ['--config', join(dir, 'config.yaml'), '--kubeconfig', join(dir, 'kubeconfig')];
    const same = await cli([NAME(1, 'ns-two'), '--from', 'clusterOne', ...common]);
    expect(same.err).toBe('');
    expect(same.code).toBe(0);
    expect(same.out.trim().split('\n')).toEqual([
      `✓ dns      ${NAME(1, 'ns-two')} → ${podIps[1]} (EndpointSlice ns-two/kafka-headless-gns-test in clusterOne; ports 9092/TCP, 9093/TCP)`,
      `✓ pod      ${podIps[1]} → pod ns-one/kafka-1 in clusterOne, ready`,
      `reaches pod ns-one/kafka-1 in clusterOne (${podIps[1]}), ready`,
    ]);
    const vip = await cli([NAME(0), '--from', 'clusterTwo', ...common]);
    expect(vip.code).toBe(1);
    expect(vip.out).toContain('✗ vip      241.0.0.20 is no pod IP on network net-two; with routing: none nothing in the clusters routes it');
    const bad = await cli(['kafka-0', '--from', 'clusterTwo', ...common]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('is not a per-pod name of a headless Service');
  }, 240_000); // three CLI processes; each can take 20 s to start on a loaded machine

  it('deleting net-one\'s gateway Service breaks the trace at the gateway, naming the network', async () => {
    fleet.cluster('clusterOne').registry.delete((await import('../../../local/sim/api/resources.ts')).findResource('', 'v1', 'services')!, 'istio-system', 'istio-eastwestgateway');
    const result = await traceName({ name: NAME(0), from: 'clusterTwo' }, TOPOLOGY, reader());
    expect(result.ok).toBe(false);
    expect(result.broken).toContain('no gateway Service labelled for network net-one (topology.istio.io/network=net-one, with an address) in any cluster; gateways are labelled for: net-two');
  });
});
