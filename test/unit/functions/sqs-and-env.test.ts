import { describe, expect, it } from 'vitest';
import type { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { sqsSyncQueue } from '../../../shared/adapters/sqs/sync-queue.ts';
import { DEAD_LETTER_GROUP, deadLetterDeduplicationId, sqsDeadLetters } from '../../../shared/adapters/sqs/dead-letters.ts';
import { decodeSyncMessage, encodeSyncMessage, syncDeduplicationId, syncMessageGroupId } from '../../../functions/sync/message.ts';
import { configFromEnv, depsOnce, requireEnv } from '../../../functions/env.ts';
import { ingestDepsFromEnv } from '../../../functions/ingest/deps.ts';
import { syncDepsFromEnv } from '../../../functions/sync/deps.ts';
import { syncBatch } from '../../../functions/sync/batch.ts';
import { FinalError, RetryableError } from '../../../shared/errors.ts';
import type { TargetRef } from '../../../shared/core/types.ts';
import { T_LOCAL, T_REMOTE } from './fakes.ts';

type Sent = { name: string; input: Record<string, unknown> };
function fakeSqs(answer: (input: Record<string, unknown>, call: number) => unknown = () => ({})) {
  const sent: Sent[] = [];
  return {
    sent,
    client: {
      send: async (command: SendMessageBatchCommand | SendMessageCommand) => {
        const input = command.input as unknown as Record<string, unknown>;
        sent.push({ name: command.constructor.name, input });
        return answer(input, sent.length);
      },
    },
  };
}

const target = (i: number): TargetRef => ({ ...T_LOCAL, name: `svc-${i}` });

describe('sync queue message', () => {
  it('round-trips and validates', () => {
    expect(decodeSyncMessage(encodeSyncMessage(T_REMOTE, 'evt-1'))).toEqual({ ok: true, message: { v: 1, target: T_REMOTE, cause: 'evt-1' } });
    expect(decodeSyncMessage('{"v":2}')).toMatchObject({ ok: false, reason: expect.stringMatching(/^v:/) });
  });

  it('group id = target key (hashed past 128 chars); dedup id = hash(cause, target)', () => {
    expect(syncMessageGroupId(T_REMOTE)).toBe('kafka-gns/clusterTwo/ns-one/kafka-headless');
    const long = { ...T_REMOTE, name: 'a'.repeat(200) };
    expect(syncMessageGroupId(long)).toMatch(/^h:[0-9a-f]{64}$/);
    expect(syncDeduplicationId('e1', T_REMOTE)).toBe(syncDeduplicationId('e1', T_REMOTE));
    expect(syncDeduplicationId('e1', T_REMOTE)).not.toBe(syncDeduplicationId('e2', T_REMOTE));
    expect(syncDeduplicationId('e1', T_REMOTE)).not.toBe(syncDeduplicationId('e1', T_LOCAL));
  });
});

describe('sqsSyncQueue', () => {
  it('sends FIFO batches of at most 10, one message per distinct target', async () => {
    const sqs = fakeSqs();
    const queue = sqsSyncQueue({ client: sqs.client as never, queueUrl: 'https://sqs/q.fifo' });
    await queue.enqueue([...Array.from({ length: 23 }, (_, i) => target(i)), target(0)], 'evt-9');
    expect(sqs.sent.map((s) => (s.input.Entries as unknown[]).length).sort()).toEqual([10, 10, 3]);
    const entry = (sqs.sent[0]?.input.Entries as Record<string, string>[])[0];
    expect(entry).toMatchObject({ MessageGroupId: 'kafka-gns/clusterOne/ns-two/svc-0', MessageDeduplicationId: syncDeduplicationId('evt-9', target(0)) });
    expect(decodeSyncMessage(entry?.MessageBody ?? '')).toMatchObject({ ok: true, message: { cause: 'evt-9' } });
  });

  it('retries only the failed entries, then gives up with a RetryableError', async () => {
    const sqs = fakeSqs((input) => ({ Failed: [{ Id: (input.Entries as { Id: string }[])[0]?.Id, SenderFault: false, Code: 'InternalError' }] }));
    const queue = sqsSyncQueue({ client: sqs.client as never, queueUrl: 'q', sleep: async () => {} });
    await expect(queue.enqueue([target(1), target(2)], 'e')).rejects.toBeInstanceOf(RetryableError);
    expect(sqs.sent.map((s) => (s.input.Entries as unknown[]).length)).toEqual([2, 1, 1]);
  });

  it('a sender fault is final', async () => {
    const sqs = fakeSqs(() => ({ Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidParameterValue', Message: 'bad' }] }));
    await expect(sqsSyncQueue({ client: sqs.client as never, queueUrl: 'q' }).enqueue([target(1)], 'e')).rejects.toBeInstanceOf(FinalError);
  });
});

describe('sqsDeadLetters', () => {
  it('sends the body verbatim with the reason, origin and message id as attributes', async () => {
    const sqs = fakeSqs();
    await sqsDeadLetters({ client: sqs.client as never, queueUrl: 'dlq' }).send({ body: '{bad', reason: 'event: not valid JSON', origin: 'ingest', messageId: 'm-1' });
    expect(sqs.sent[0]?.input).toEqual({
      QueueUrl: 'dlq',
      MessageBody: '{bad',
      MessageAttributes: {
        reason: { DataType: 'String', StringValue: 'event: not valid JSON' },
        origin: { DataType: 'String', StringValue: 'ingest' },
        messageId: { DataType: 'String', StringValue: 'm-1' },
      },
    });
  });

  it('to a FIFO queue: one group, a deduplication id from the origin and original message id (a redelivery is kept once)', async () => {
    const sqs = fakeSqs();
    const dlq = sqsDeadLetters({ client: sqs.client as never, queueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sync-dlq.fifo' });
    const letter = { body: '{"v":2}', reason: 'v: invalid input', origin: 'sync', messageId: 'm-7' };
    await dlq.send(letter);
    await dlq.send({ ...letter, reason: 'v: something else' });
    await dlq.send({ ...letter, messageId: 'm-8' });
    await dlq.send({ ...letter, origin: 'ingest' });
    const ids = sqs.sent.map((s) => s.input.MessageDeduplicationId as string);
    expect(sqs.sent.map((s) => s.input.MessageGroupId)).toEqual(Array(4).fill(DEAD_LETTER_GROUP));
    expect(sqs.sent[0]?.input).toMatchObject({ MessageBody: '{"v":2}', MessageDeduplicationId: deadLetterDeduplicationId(letter) });
    expect(ids[0]).toMatch(/^[0-9a-f]{64}$/); // SQS: at most 128 characters
    expect(ids[1]).toBe(ids[0]);
    expect(new Set(ids).size).toBe(3);
    const noId = { body: 'x', reason: 'r', origin: 'sync' };
    expect(deadLetterDeduplicationId(noId)).toBe(deadLetterDeduplicationId({ ...noId }));
    expect(deadLetterDeduplicationId(noId)).not.toBe(deadLetterDeduplicationId({ ...noId, body: 'y' }));
  });

  it('to a standard queue: no group or deduplication id (SQS rejects them there); `fifo` overrides the URL', async () => {
    const sqs = fakeSqs();
    await sqsDeadLetters({ client: sqs.client as never, queueUrl: 'https://sqs/ingest-dlq' }).send({ body: 'x', reason: 'r', origin: 'ingest', messageId: 'm' });
    await sqsDeadLetters({ client: sqs.client as never, queueUrl: 'https://sqs/dlq', fifo: true }).send({ body: 'x', reason: 'r', origin: 'sync', messageId: 'm' });
    expect(sqs.sent[0]?.input).not.toHaveProperty('MessageGroupId');
    expect(sqs.sent[0]?.input).not.toHaveProperty('MessageDeduplicationId');
    expect(sqs.sent[1]?.input.MessageGroupId).toBe(DEAD_LETTER_GROUP);
  });

  it('a failing send is retryable (the record is redelivered)', async () => {
    const client = { send: async () => Promise.reject(new Error('down')) };
    await expect(sqsDeadLetters({ client: client as never, queueUrl: 'dlq' }).send({ body: 'x', reason: 'r', origin: 'ingest' })).rejects.toBeInstanceOf(RetryableError);
  });
});

describe('deps from the environment', () => {
  const config = JSON.stringify({
    clusters: [{ name: 'clusterOne' }, { name: 'clusterTwo' }],
    globalNamespaces: [{ name: 'kafka-gns', members: [{ cluster: 'clusterOne', namespace: 'ns-one' }] }],
  });

  it('a missing variable names itself', () => {
    expect(() => requireEnv({}, 'TABLE_NAME')).toThrow(/environment variable TABLE_NAME is not set/);
    expect(() => ingestDepsFromEnv({ GNS_SYNC_CONFIG: config, TABLE_NAME: 't' })).toThrow(/SYNC_QUEUE_URL/);
  });

  it('GNS_SYNC_CONFIG holds the JSON config, or a path; bad config is one clear line', () => {
    expect(configFromEnv({ GNS_SYNC_CONFIG: config }).globalNamespaces[0]?.name).toBe('kafka-gns');
    expect(() => configFromEnv({ GNS_SYNC_CONFIG: '{"clusters": []}' })).toThrow(/clusters/);
    expect(() => configFromEnv({ GNS_SYNC_CONFIG: '/nonexistent/gns-sync.yaml' })).toThrow(/nonexistent/);
  });

  it('builds the ingest deps from a complete environment', () => {
    const deps = ingestDepsFromEnv({ GNS_SYNC_CONFIG: config, TABLE_NAME: 't', SYNC_QUEUE_URL: 'q', INGEST_DLQ_URL: 'd', GNS_SYNC_ACCOUNT: '111122223333', AWS_REGION: 'eu-west-1' });
    expect(deps.topology.gnsOf('clusterOne', 'ns-one')).toBe('kafka-gns');
    expect(deps.accountOf?.('clusterOne')).toBe('111122223333');
  });

  it('the sync function requires SYNC_DLQ_URL and SYNC_QUEUE_URL; a malformed sync message goes there with a group and deduplication id', async () => {
    const env = { GNS_SYNC_CONFIG: config, TABLE_NAME: 't', AWS_REGION: 'eu-west-1' };
    expect(() => syncDepsFromEnv(env)).toThrow(/environment variable SYNC_DLQ_URL is not set/);
    expect(() => syncDepsFromEnv({ ...env, SYNC_DLQ_URL: 'https://sqs/sync-dlq.fifo' })).toThrow(/environment variable SYNC_QUEUE_URL is not set/);
    const deps = syncDepsFromEnv({ ...env, SYNC_DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sync-dlq.fifo', SYNC_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/sync.fifo' });
    expect(deps.retries).toBeDefined();
    expect(deps.deadLetters).toBeDefined();
    const sqs = fakeSqs();
    const result = await syncBatch({ ...deps, deadLetters: sqsDeadLetters({ client: sqs.client as never, queueUrl: 'https://sqs/sync-dlq.fifo' }) }, [{ messageId: 'm-9', body: '{"v":2}' }], 0);
    expect(result).toMatchObject({ invalid: 1, batchItemFailures: [], outcomes: [] });
    expect(sqs.sent).toHaveLength(1);
    expect(sqs.sent[0]?.input).toMatchObject({
      QueueUrl: 'https://sqs/sync-dlq.fifo', MessageBody: '{"v":2}', MessageGroupId: DEAD_LETTER_GROUP,
      MessageAttributes: { origin: { StringValue: 'sync' }, messageId: { StringValue: 'm-9' }, reason: { StringValue: expect.stringMatching(/^v:/) } },
    });
  });

  it('depsOnce builds at load inside Lambda, lazily (once) elsewhere', () => {
    let built = 0;
    const get = depsOnce(() => ++built, {});
    expect(built).toBe(0);
    get();
    get();
    expect(built).toBe(1);
    depsOnce(() => ++built, { AWS_LAMBDA_FUNCTION_NAME: 'f' });
    expect(built).toBe(2);
  });
});
