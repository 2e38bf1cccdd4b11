// A loopback stand-in for the two AWS JSON-protocol services the bundled functions call besides
// DynamoDB (dynalite): SQS (SendMessage, SendMessageBatch) and Secrets Manager (GetSecretValue).
// The functions reach it through the SDK's standard AWS_ENDPOINT_URL_<SERVICE> variables.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SentMessage {
  readonly queueUrl: string;
  readonly body: string;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface FakeAws {
  readonly endpoint: string;
  readonly sent: SentMessage[];
  readonly secretReads: string[];
  queueUrl(name: string): string;
  stop(): Promise<void>;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

type Attributes = Record<string, { StringValue?: string }>;
interface SqsEntry { Id?: string; MessageBody: string; MessageGroupId?: string; MessageDeduplicationId?: string; MessageAttributes?: Attributes }
interface Request extends SqsEntry { QueueUrl: string; Entries: SqsEntry[]; SecretId: string }

export async function startFakeAws(secrets: ReadonlyMap<string, string>): Promise<FakeAws> {
  const sent: SentMessage[] = [];
  const secretReads: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => { raw += c.toString(); });
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const body = (raw ? JSON.parse(raw) : {}) as Request;
      const reply = (status: number, payload: unknown, type = 'application/x-amz-json-1.0') => {
        res.writeHead(status, { 'content-type': type });
        res.end(JSON.stringify(payload));
      };
      const attrs = (a: Attributes | undefined) => Object.fromEntries(Object.entries(a ?? {}).map(([k, v]) => [k, v.StringValue ?? '']));
      if (target === 'AmazonSQS.SendMessage') {
        sent.push({ queueUrl: body.QueueUrl, body: body.MessageBody, groupId: body.MessageGroupId, deduplicationId: body.MessageDeduplicationId, attributes: attrs(body.MessageAttributes) });
        return reply(200, { MessageId: `m-${sent.length}`, MD5OfMessageBody: md5(body.MessageBody) });
      }
      if (target === 'AmazonSQS.SendMessageBatch') {
        const ok = body.Entries.map((e) => {
          sent.push({ queueUrl: body.QueueUrl, body: e.MessageBody, groupId: e.MessageGroupId, deduplicationId: e.MessageDeduplicationId, attributes: attrs(e.MessageAttributes) });
          return { Id: e.Id, MessageId: `m-${sent.length}`, MD5OfMessageBody: md5(e.MessageBody) };
        });
        return reply(200, { Successful: ok, Failed: [] });
      }
      if (target === 'secretsmanager.GetSecretValue') {
        secretReads.push(body.SecretId);
        const value = secrets.get(body.SecretId);
        if (value === undefined) return reply(400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret.` }, 'application/x-amz-json-1.1');
        return reply(200, { ARN: `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${body.SecretId}-AbCdEf`, Name: body.SecretId, SecretString: value, VersionId: 'v1', CreatedDate: 1764363600 }, 'application/x-amz-json-1.1');
      }
      reply(400, { __type: 'UnknownOperationException', message: `fake AWS does not implement ${target}` });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    sent,
    secretReads,
    queueUrl: (name) => `${endpoint}/111122223333/${name}`,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
