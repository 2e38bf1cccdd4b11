// kubectl 1.32's `create service` posts a protobuf Service (application/vnd.kubernetes.protobuf):
// answered 415 before; now decoded (k8s.io/api/core/v1 generated.proto field numbers), so the
// README's and users' imperative commands work, headless included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimEnv } from './helpers.ts';
import { hasKubectl, startEnv } from './helpers.ts';

describe.skipIf(!hasKubectl)('kubectl create service (protobuf bodies)', () => {
  let env: SimEnv;
  beforeAll(async () => {
    env = await startEnv();
  });
  afterAll(async () => env?.close());

  it('creates a headless ClusterIP Service with its ports, selector and clusterIP None', async () => {
    const r = await env.kubectl(['create', 'service', 'clusterip', 'web', '--clusterip=None', '--tcp=80:8080', '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).spec).toMatchObject({ clusterIP: 'None', type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }] });
  });

  it('keeps named target ports and node ports', async () => {
    const two = JSON.parse(await env.k(['create', 'service', 'clusterip', 'web2', '--tcp=5678:http', '--tcp=443:8443', '-o', 'json'])) as { spec: { ports: unknown[]; clusterIP: string } };
    expect(two.spec.ports).toEqual([{ name: '5678-http', protocol: 'TCP', port: 5678, targetPort: 'http' }, { name: '443-8443', protocol: 'TCP', port: 443, targetPort: 8443 }]);
    expect(two.spec.clusterIP).toMatch(/^10\.96\./);
    const np = JSON.parse(await env.k(['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080', '-o', 'json'])) as { spec: { type: string; ports: { nodePort: number }[] } };
    expect(np.spec.type).toBe('NodePort');
    expect(np.spec.ports[0]!.nodePort).toBe(30080);
  });
});
