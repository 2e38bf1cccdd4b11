// The bundles `cdk synth` builds (NodejsFunction, local esbuild) are lean, and they work: each
// bundled handler runs in a fresh Node 24 process with the exact event shapes AWS delivers
// (test/fixtures/aws/), against dynalite and the simulated clusters, reaching SQS and Secrets
// Manager through a loopback stand-in. The app is synthesized with bundling once for the file.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_BUDGET_BYTES, FUNCTIONS, REQUIRE_SHIM, TALKS_TO_KUBERNETES, type FunctionName } from '../../infra/bundling.ts';
import { clusterSecretName } from '../../infra/naming.ts';
import { startLocalDynamo, type LocalDynamo } from '../../local/dynamo/start.ts';
import { startSimClusters, type SimFleet } from '../../local/sim/index.ts';
import { sourceOf } from '../../shared/schemas/events.ts';
import { startFakeAws, type FakeAws } from './fake-aws.ts';
import { secretKubeconfig, tlsFront, type TlsFront } from './tls-front.ts';
import { functionsExist, PROJECT_ROOT, resourcesOf, synth, type Synthesized, tempDir } from './synth.ts';

const run = promisify(execFile);
const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/aws');
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));
const ANNOTATION = '{"app.kubernetes.io/component":"kafka","app.kubernetes.io/instance":"kafka","app.kubernetes.io/name":"kafka"}';
const LABELS = { 'app.kubernetes.io/component': 'kafka', 'app.kubernetes.io/instance': 'kafka', 'app.kubernetes.io/name': 'kafka' };

// Runs one bundled handler in a fresh process, as Lambda would: import the ESM bundle, call `handler`.
const RUNNER = `import { readFileSync } from 'node:fs';
const [bundle, eventFile, contextFile] = process.argv.slice(2);
const mod = await import(bundle);
const context = { ...JSON.parse(readFileSync(contextFile, 'utf8')), getRemainingTimeInMillis: () => 30000 };
const result = await mod.handler(JSON.parse(readFileSync(eventFile, 'utf8')), context);
process.stdout.write('\\nRESULT ' + JSON.stringify(result ?? null) + '\\n');
process.exit(0);
`;

describe.skipIf(!functionsExist())('bundled functions (skipped only until functions/*/handler.ts exist)', () => {
  let s: Synthesized;
  let dynamo: LocalDynamo;
  let fleet: SimFleet;
  let aws: FakeAws;
  let fronts: TlsFront[] = [];
  let work: string;
  const bundles = new Map<FunctionName, string>();
  const serviceUids = new Map<string, string>();
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    s = synth({ bundle: true });
    const fns = resourcesOf(s.statelessTemplate, 'AWS::Lambda::Function');
    for (const name of FUNCTIONS) {
      const [, fn] = Object.entries(fns).find(([id]) => id.toLowerCase().startsWith(`${name}function`)) ?? [];
      const key = (fn?.Properties?.Code as { S3Key: string }).S3Key;
      bundles.set(name, join(s.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs'));
    }

    dynamo = await startLocalDynamo();
    fleet = await startSimClusters({ clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }], events: false });
    for (const [cluster, namespaces] of [['clusterOne', ['ns-one', 'ns-two']], ['clusterTwo', ['ns-one']]] as const) {
      for (const ns of namespaces) fleet.cluster(cluster).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
      fleet.cluster(cluster).apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'gns-sync' } }); // deploy/base: the inventory's namespace
    }
    for (const [cluster, ns] of [['clusterOne', 'ns-two'], ['clusterTwo', 'ns-one']] as const) {
      const svc = fleet.cluster(cluster).apply({
        apiVersion: 'v1', kind: 'Service',
        metadata: { name: 'kafka-headless', namespace: ns, annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': ANNOTATION } },
        spec: { clusterIP: 'None', ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'tcp-client' }] },
      });
      serviceUids.set(`${cluster}/${ns}`, svc.metadata.uid ?? '');
    }
    fronts = await Promise.all(fleet.clusters.map((c) => tlsFront(c.url)));
    aws = await startFakeAws(new Map(fleet.clusters.map((c, i) => [clusterSecretName(c.name), secretKubeconfig(c.name, fronts[i]!.url, `sim-${c.name}`)])));
    work = tempDir('gns-bundled-');
    writeFileSync(join(work, 'run.mjs'), RUNNER);
    const ingestEnv = (resourcesOf(s.statelessTemplate, 'AWS::Lambda::Function')[Object.keys(fns).find((id) => id.startsWith('IngestFunction'))!]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
    env = {
      PATH: process.env.PATH,
      AWS_LAMBDA_FUNCTION_NAME: 'gns-sync-test',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_CONFIG_FILE: join(work, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'none'),
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SQS: aws.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      NODE_OPTIONS: '--enable-source-maps',
      TABLE_NAME: dynamo.tableName,
      SYNC_QUEUE_URL: aws.queueUrl('gns-sync-sync.fifo'),
      INGEST_DLQ_URL: aws.queueUrl('gns-sync-ingest-dlq'),
      GNS_SYNC_ACCOUNT: '111122223333',
      SYNC_DLQ_URL: aws.queueUrl('gns-sync-sync-dlq.fifo'),
      // The very config string the stack passes.
      GNS_SYNC_CONFIG: String(ingestEnv.GNS_SYNC_CONFIG),
    };
  }, 180_000);

  afterAll(async () => {
    await Promise.all([dynamo?.stop(), fleet?.stop(), aws?.stop(), ...fronts.map((f) => f.close())]);
  });

  async function invoke(fn: FunctionName, event: unknown): Promise<{ result: unknown; logs: string }> {
    const eventFile = join(work, `event-${createHash('sha1').update(JSON.stringify(event)).digest('hex')}.json`);
    writeFileSync(eventFile, JSON.stringify(event));
    const { stdout } = await run(process.execPath, [join(work, 'run.mjs'), bundles.get(fn)!, eventFile, join(FIXTURES, 'lambda-context.json')], { env, cwd: work, maxBuffer: 16 * 1024 * 1024 });
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (!line) throw new Error(`${fn} printed no result:\n${stdout}`);
    return { result: JSON.parse(line.slice('RESULT '.length)), logs: stdout };
  }

  const envelope = (id: string, detailType: string, detail: { cluster: string; [k: string]: unknown }) => ({
    version: '0', id, 'detail-type': detailType, source: sourceOf(detail.cluster), account: '111122223333',
    time: '2026-11-28T21:00:01Z', region: 'eu-west-1', resources: [], detail,
  });
  const sqsEvent = (bodies: unknown[]) => ({
    Records: bodies.map((b, i) => {
      const body = JSON.stringify(b);
      return {
        messageId: `00000000-0000-4000-8000-00000000000${i}`, receiptHandle: `AQEB${i}`, body,
        attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764363601000', SenderId: 'AIDAIT2UOQQY3AUEKVGXU', ApproximateFirstReceiveTimestamp: '1764363601010' },
        messageAttributes: {}, md5OfBody: createHash('md5').update(body).digest('hex'),
        eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:eu-west-1:111122223333:gns-sync-ingest', awsRegion: 'eu-west-1',
      };
    }),
  });
  const pod = (i: number) => ({
    name: `kafka-${i}`, uid: `00000000-0000-4000-8000-0000000000a${i}`, labels: { ...LABELS, 'statefulset.kubernetes.io/pod-name': `kafka-${i}` },
    ips: [`10.244.1.${20 + i}`], hostname: `kafka-${i}`, ready: true, terminating: false,
    ports: [{ name: 'tcp-client', containerPort: 9092, protocol: 'TCP' }], nodeName: 'clusterone-worker',
  });
  const service = (cluster: string, ns: string, v: string) => ({
    cluster, namespace: ns, v,
    service: { name: 'kafka-headless', uid: serviceUids.get(`${cluster}/${ns}`), annotations: { 'tsm.tanzu.vmware.com/endpoints.statefulset': ANNOTATION }, clusterIP: 'None', publishNotReadyAddresses: false, ports: [{ name: 'tcp-client', port: 9092, protocol: 'TCP', targetPort: 'tcp-client' }] },
  });
  const slicesIn = (cluster: string, ns: string) => fleet.cluster(cluster).list('endpointslices', ns, 'endpointslice.kubernetes.io/managed-by=gns-sync.io') as unknown as { endpoints: { addresses: string[]; hostname?: string }[] }[];

  it('are ESM with the require shim and a source map, within their size budgets', () => {
    for (const [name, file] of bundles) {
      const budget = TALKS_TO_KUBERNETES[name] ? BUNDLE_BUDGET_BYTES.kubernetes : BUNDLE_BUDGET_BYTES.plain;
      expect(statSync(file).size, `${name}: ${statSync(file).size} bytes, budget ${budget}`).toBeLessThanOrEqual(budget);
      expect(readFileSync(file, 'utf8').startsWith(REQUIRE_SHIM)).toBe(true);
      expect(existsSync(`${file}.map`)).toBe(true);
    }
  });

  it('carry only the part of zod they use: its English messages and no other locale, no Powertools schema module (ADR 10)', () => {
    for (const [name, file] of bundles) {
      const sources = (JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] }).sources;
      const zod = sources.filter((p) => p.includes('node_modules/zod/'));
      expect(zod.length, `${name} bundles zod`).toBeGreaterThan(0);
      const unused = [
        ...zod.filter((p) => p.includes('/locales/') && !p.endsWith('/locales/en.js')),
        ...sources.filter((p) => p.includes('@aws-lambda-powertools/parser/lib/esm/schemas/')),
      ];
      expect(unused, `${name}: an \`import { z } from 'zod'\` in shipped code (or a Powertools schema) pulls all of zod (use functions/aws-events.ts)`).toEqual([]);
    }
  });

  it('ingest takes the AWS SQS fixture: valid events merged and enqueued, the bad one dead-lettered with its reason, none failed', async () => {
    const event = fixture('sqs-ingest-event.json') as { Records: { body: string }[] };
    const { result } = await invoke('ingest', event);
    expect(result).toEqual({ batchItemFailures: [] });
    const dead = aws.sent.filter((m) => m.queueUrl.endsWith('gns-sync-ingest-dlq'));
    expect(dead).toHaveLength(1);
    expect(dead[0]?.body).toBe(event.Records[2]?.body);
    expect(dead[0]?.attributes.reason).toMatch(/\bv\b/);
    const sync = aws.sent.filter((m) => m.queueUrl.endsWith('gns-sync-sync.fifo'));
    expect(sync.length).toBeGreaterThan(0);
    for (const m of sync) {
      expect(m.groupId).toMatch(/^kafka-gns\//);
      expect(m.deduplicationId).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('ingest merges the rest of the scenario as the agents send it at start: a snapshot of every member (targets with their real uids, three Kafka pods)', async () => {
    // Snapshots taken now: a member is complete in the store's incarnation only with a snapshot
    // taken after the incarnation began (ADR 14), and an incomplete GNS adds no names from it.
    const now = Date.now();
    const v = (n: number) => `${String(now).padStart(15, '0')}.${String(n).padStart(6, '0')}`;
    const snapshot = (cluster: string, ns: string, pods: ReturnType<typeof pod>[], services: ReturnType<typeof service>['service'][]) => ({
      cluster, namespace: ns, v: v(9), snapshotId: `${cluster}/${ns}/${v(9)}`, part: 1, parts: 1,
      keys: [...pods.map((p) => `pod/${p.name}`), ...services.map((s) => `service/${s.name}`)],
      pods: pods.map((record, i) => ({ v: v(2 + i), record })),
      services: services.map((record) => ({ v: v(1), record })),
    });
    const bodies = [
      envelope('e-snap-1', 'gns-sync.namespace.snapshot.v1', snapshot('clusterOne', 'ns-one', [0, 1, 2].map(pod), [])),
      envelope('e-snap-2', 'gns-sync.namespace.snapshot.v1', snapshot('clusterOne', 'ns-two', [], [service('clusterOne', 'ns-two', v(1)).service])),
      envelope('e-snap-3', 'gns-sync.namespace.snapshot.v1', snapshot('clusterTwo', 'ns-one', [], [service('clusterTwo', 'ns-one', v(1)).service])),
    ];
    const { result } = await invoke('ingest', sqsEvent(bodies));
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('sync takes the AWS FIFO fixture and writes the slices: pod IPs on the same network, VIPs across', async () => {
    const { result } = await invoke('sync', fixture('sqs-sync-fifo-event.json'));
    expect(result).toEqual({ batchItemFailures: [] });
    const local = slicesIn('clusterOne', 'ns-two').flatMap((sl) => sl.endpoints);
    expect(local.map((e) => e.addresses[0]).sort()).toEqual(['10.244.1.20', '10.244.1.21', '10.244.1.22']);
    expect(local.map((e) => e.hostname).sort()).toEqual(['kafka-0', 'kafka-1', 'kafka-2']);
    const remote = slicesIn('clusterTwo', 'ns-one').flatMap((sl) => sl.endpoints);
    expect(remote).toHaveLength(3);
    for (const e of remote) expect(e.addresses[0]).toMatch(/^241\.0\.\d+\.\d+$/); // the default pool (ADR 13)
    expect(new Set(remote.map((e) => e.addresses[0])).size).toBe(3);
    expect(new Set(aws.secretReads)).toEqual(new Set([clusterSecretName('clusterOne'), clusterSecretName('clusterTwo')]));
  });

  it('sync again in a fresh process: the same VIPs, and zero writes to either cluster', async () => {
    const before = fleet.clusters.map((c) => c.counters.writes);
    const vips = slicesIn('clusterTwo', 'ns-one').flatMap((sl) => sl.endpoints.map((e) => e.addresses[0])).sort();
    const { result } = await invoke('sync', fixture('sqs-sync-fifo-event.json'));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(fleet.clusters.map((c) => c.counters.writes)).toEqual(before);
    expect(slicesIn('clusterTwo', 'ns-one').flatMap((sl) => sl.endpoints.map((e) => e.addresses[0])).sort()).toEqual(vips);
  });

  it('sync dead-letters a malformed FIFO record to the sync DLQ (group and deduplication id) and acknowledges it', async () => {
    const event = fixture('sqs-sync-fifo-event.json') as { Records: Record<string, unknown>[] };
    const bad = { ...event.Records[0], messageId: '00000000-0000-4000-8000-0000000000ff', body: '{"v":2,"target":{}}' };
    const before = aws.sent.length;
    const { result } = await invoke('sync', { Records: [bad] });
    expect(result).toEqual({ batchItemFailures: [] });
    const dead = aws.sent.slice(before).filter((m) => m.queueUrl.endsWith('gns-sync-sync-dlq.fifo'));
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ body: bad.body, groupId: 'dead-letters', deduplicationId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(dead[0]?.attributes).toMatchObject({ origin: 'sync', messageId: bad.messageId, reason: expect.stringMatching(/^v:/) });
  });

  it('reconcile takes the scheduled-event fixture and enqueues every target', async () => {
    const before = aws.sent.length;
    const { result } = await invoke('reconcile', fixture('eventbridge-scheduled-event.json'));
    expect(result).toBeTypeOf('object');
    const groups = new Set(aws.sent.slice(before).filter((m) => m.queueUrl.endsWith('.fifo')).map((m) => m.groupId));
    expect(groups).toEqual(new Set(['kafka-gns/clusterOne/ns-two/kafka-headless', 'kafka-gns/clusterTwo/ns-one/kafka-headless']));
  });
});
