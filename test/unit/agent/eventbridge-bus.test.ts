// The EventBridge adapter through the real AWS SDK client against a local PutEvents endpoint.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventBusCallError, eventBridgeBus, isRetryableBusError } from '../../../shared/adapters/eventbridge/bus.ts';
import type { BusEntry } from '../../../shared/ports.ts';

type Handler = (body: { Entries: Record<string, unknown>[] }, req: IncomingMessage, res: ServerResponse) => void;
let server: Server;
let handler: Handler;
const requests: { target: string | undefined; body: { Entries: Record<string, unknown>[] } }[] = [];
let client: EventBridgeClient;

beforeAll(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => { text += c.toString(); });
    req.on('end', () => {
      const body = JSON.parse(text) as { Entries: Record<string, unknown>[] };
      requests.push({ target: req.headers['x-amz-target'] as string | undefined, body });
      handler(body, req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  client = new EventBridgeClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await new Promise((r) => server.close(r));
});

const json = (res: ServerResponse, status: number, body: unknown, type = 'application/x-amz-json-1.1'): void => {
  res.writeHead(status, { 'content-type': type }).end(JSON.stringify(body));
};
const entries: BusEntry[] = [
  { source: 'gns-sync.io/cluster/c', detailType: 'gns-sync.pod.upsert.v1', detail: '{"a":1}', time: new Date('2026-01-01T00:00:00Z') },
  { source: 'gns-sync.io/cluster/c', detailType: 'gns-sync.pod.delete.v1', detail: '{"b":2}' },
  { source: 'gns-sync.io/cluster/c', detailType: 'gns-sync.pod.delete.v1', detail: '{"c":3}' },
];

describe('eventBridgeBus', () => {
  it('sends PutEvents with the bus name and maps per-entry error codes by index', async () => {
    handler = (_b, _q, res) => json(res, 200, {
      FailedEntryCount: 2,
      Entries: [{ EventId: 'e1' }, { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' }, { ErrorCode: 'MalformedDetail', ErrorMessage: 'bad' }],
    });
    const bus = eventBridgeBus({ client, eventBusName: 'gns-sync' });
    const failures = await bus.put(entries);
    expect(failures).toEqual([
      { index: 1, errorCode: 'ThrottlingException', errorMessage: 'slow down' },
      { index: 2, errorCode: 'MalformedDetail', errorMessage: 'bad' },
    ]);
    const sent = requests.at(-1)!;
    expect(sent.target).toBe('AWSEvents.PutEvents');
    expect(sent.body.Entries[0]).toMatchObject({ EventBusName: 'gns-sync', Source: 'gns-sync.io/cluster/c', DetailType: 'gns-sync.pod.upsert.v1', Detail: '{"a":1}' });
    expect(sent.body.Entries[0]?.Time).toBeDefined();
    expect(sent.body.Entries[1]).not.toHaveProperty('Time');
  });

  it('all accepted: no failures', async () => {
    handler = (b, _q, res) => json(res, 200, { FailedEntryCount: 0, Entries: b.Entries.map((_, i) => ({ EventId: `e${i}` })) });
    expect(await eventBridgeBus({ client, eventBusName: 'gns-sync' }).put(entries)).toEqual([]);
  });

  it('a 5xx is a retryable call error; a validation error or access denied is final', async () => {
    const bus = eventBridgeBus({ client, eventBusName: 'gns-sync' });
    handler = (_b, _q, res) => json(res, 500, { __type: 'InternalException', message: 'oops' });
    const e5 = await bus.put(entries).catch((e: unknown) => e);
    expect(e5).toBeInstanceOf(EventBusCallError);
    expect(e5).toMatchObject({ name: 'EventBusCallError', retryable: true, statusCode: 500 });
    expect((e5 as Error).message).toMatch(/retried with backoff/);
    expect((e5 as Error).cause).toBeDefined();

    handler = (_b, _q, res) => json(res, 400, { __type: 'AccessDeniedException', message: 'not allowed' });
    const e4 = await bus.put(entries).catch((e: unknown) => e);
    expect(e4).toMatchObject({ retryable: false, statusCode: 400 });
    expect((e4 as Error).message).toMatch(/retrying cannot help/);

    handler = (_b, _q, res) => json(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' });
    expect(await bus.put(entries).catch((e: unknown) => e)).toMatchObject({ retryable: true });
  });

  it('a network error is retryable', async () => {
    handler = (_b, req) => req.socket.destroy();
    const error = await eventBridgeBus({ client, eventBusName: 'gns-sync' }).put(entries).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'EventBusCallError', retryable: true });
  });

  it('refuses more than 10 entries without calling, and an empty bus name', async () => {
    const before = requests.length;
    const eleven = Array.from({ length: 11 }, () => entries[0]!);
    await expect(eventBridgeBus({ client, eventBusName: 'gns-sync' }).put(eleven)).rejects.toMatchObject({ retryable: false });
    expect(requests.length).toBe(before);
    expect(() => eventBridgeBus({ client, eventBusName: '' })).toThrow(/eventBusName/);
  });

  it('classifies errors without metadata', () => {
    expect(isRetryableBusError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isRetryableBusError(Object.assign(new Error('x'), { $fault: 'client' }))).toBe(false);
    expect(isRetryableBusError(Object.assign(new Error('x'), { name: 'TimeoutError' }))).toBe(true);
  });
});
