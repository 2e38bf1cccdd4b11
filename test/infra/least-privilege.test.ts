// Least privilege (issue 6 Acceptance): no role gets a wildcard action on DynamoDB, EventBridge or
// Secrets Manager; each function gets only what its adapters call, on named resources.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_ACTIONS } from '../../infra/constructs/state-table.ts';
import { asArray, exampleCloud, iamStatements, PROJECT_ROOT, synth, type Synthesized } from './synth.ts';

let s: Synthesized;
beforeAll(() => {
  s = synth({ cloud: exampleCloud([{ name: 'clusterThree', awsAccountId: '210987654321' }]) });
});

const all = () => [...iamStatements(s.statefulTemplate), ...iamStatements(s.statelessTemplate)];
const actionsOf = (st: Record<string, unknown>) => asArray(st.Action as string | string[]);
const statementsOfRole = (prefix: string) => iamStatements(s.statelessTemplate).filter((x) => x.policy.startsWith(`${prefix}RoleDefaultPolicy`)).map((x) => x.statement);
const actionsOfRole = (prefix: string) => new Set(statementsOfRole(prefix).flatMap(actionsOf));

/** SDK command class → IAM action (lib-dynamodb document commands and client-dynamodb commands). */
const DOC_COMMANDS: Record<string, string> = {
  Get: 'GetItem', Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', Query: 'Query', Scan: 'Scan',
  BatchGet: 'BatchGetItem', BatchWrite: 'BatchWriteItem', TransactGet: 'TransactGetItems', TransactWrite: 'TransactWriteItems',
};
function dynamoActionsUsedByCode(): Set<string> {
  const used = new Set<string>();
  const dirs = ['shared/adapters/dynamodb', 'functions'].map((d) => join(PROJECT_ROOT, d)).filter(existsSync);
  const files = dirs.flatMap((d) => readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (!/@aws-sdk\/(lib|client)-dynamodb/.test(text)) continue;
    for (const [, name] of text.matchAll(/\bnew (\w+)Command\(/g)) {
      const action = DOC_COMMANDS[name!] ?? name!;
      used.add(`dynamodb:${action}`);
    }
  }
  return used;
}

describe('no wildcards', () => {
  it('no statement anywhere allows a wildcard action on DynamoDB, EventBridge or Secrets Manager (or "*")', () => {
    const offenders = all().flatMap(({ policy, statement }) => actionsOf(statement)
      .filter((a) => a === '*' || (/^(dynamodb|events|secretsmanager):/.test(a) && a.includes('*')))
      .map((a) => `${policy}: ${a}`));
    expect(offenders).toEqual([]);
    expect(all().length).toBeGreaterThan(10);
  });

  it('no statement on those services applies to every resource', () => {
    const offenders = all().filter(({ statement }) => actionsOf(statement).some((a) => /^(dynamodb|events|secretsmanager|sqs):/.test(a))
      && asArray(statement.Resource as unknown).some((r) => r === '*'));
    expect(offenders).toEqual([]);
  });
});

describe('DynamoDB', () => {
  it('each function may call only the item operations the store adapters use, on the table and its named indexes', () => {
    for (const fn of ['Ingest', 'Sync', 'Reconcile']) {
      const st = statementsOfRole(fn).find((x) => x.Sid === 'StateTableItems');
      expect(new Set(actionsOf(st ?? {}))).toEqual(new Set(TABLE_ACTIONS));
      const resources = JSON.stringify(st?.Resource);
      expect(resources).toContain('/index/gone');
      expect(resources).not.toContain('index/*');
    }
  });

  it('the granted actions cover every DynamoDB command in the adapters, and none is a transaction or table admin', () => {
    const used = dynamoActionsUsedByCode();
    expect(used.size).toBeGreaterThan(0);
    for (const action of used) expect(TABLE_ACTIONS as readonly string[], `${action} is used by the code but not granted`).toContain(action);
    for (const action of TABLE_ACTIONS) expect(action).not.toMatch(/Transact|CreateTable|DeleteTable|UpdateTable|Scan/);
  });
});

describe('SQS', () => {
  const sendTargets = (fn: string) => statementsOfRole(fn).filter((x) => actionsOf(x).includes('sqs:SendMessage')).map((x) => JSON.stringify(x.Resource));

  it('ingest sends to the sync queue and its own DLQ; reconcile to the sync queue; sync only to its own DLQ', () => {
    expect(sendTargets('Ingest').sort()).toEqual([expect.stringMatching(/IngestDlq/), expect.stringMatching(/SyncQueue/)].sort());
    expect(sendTargets('Ingest').some((r) => r.includes('IngestDlq'))).toBe(true);
    expect(sendTargets('Ingest').some((r) => r.includes('SyncQueue'))).toBe(true);
    expect(sendTargets('Reconcile')).toEqual([expect.stringMatching(/SyncQueue/)]);
    expect(sendTargets('Sync')).toEqual([expect.stringMatching(/SyncDlq/)]);
    expect(sendTargets('Sync').some((r) => r.includes('SyncQueue') || r.includes('Ingest'))).toBe(false);
    for (const fn of ['Ingest', 'Sync', 'Reconcile']) {
      const sends = statementsOfRole(fn).filter((x) => actionsOf(x).includes('sqs:SendMessage'));
      for (const st of sends) expect(actionsOf(st)).toEqual(['sqs:SendMessage']);
    }
  });

  it('each consumer may receive/delete only from its own queue', () => {
    const consume = (fn: string) => statementsOfRole(fn).filter((x) => actionsOf(x).includes('sqs:ReceiveMessage')).map((x) => JSON.stringify(x.Resource));
    expect(consume('Ingest')).toEqual([expect.stringMatching(/IngestQueue/)]);
    expect(consume('Sync')).toEqual([expect.stringMatching(/SyncQueue/)]);
    expect(consume('Reconcile')).toEqual([]);
  });

  it('the sync function may delete messages of the sync queue only (a synced target frees its FIFO group before its batch returns)', () => {
    const deleters = (fn: string) => statementsOfRole(fn).filter((x) => actionsOf(x).includes('sqs:DeleteMessage')).map((x) => JSON.stringify(x.Resource));
    expect(deleters('Sync')).toEqual([expect.stringMatching(/SyncQueue/)]);
    expect(deleters('Sync').some((r) => r.includes('Dlq') || r.includes('Ingest'))).toBe(false);
  });

  it('only the sync function may change a message\'s visibility, and only on the sync queue (the backoff of failed syncs)', () => {
    const changers = (fn: string) => statementsOfRole(fn).filter((x) => actionsOf(x).includes('sqs:ChangeMessageVisibility')).map((x) => JSON.stringify(x.Resource));
    expect(changers('Sync')).toEqual([expect.stringMatching(/SyncQueue/)]);
    expect(changers('Sync').some((r) => r.includes('Dlq') || r.includes('Ingest'))).toBe(false);
    expect(changers('Reconcile')).toEqual([]);
    expect(changers('Ingest')).toEqual([expect.stringMatching(/IngestQueue/)]); // its own event source's consume grant
  });
});

describe('Secrets Manager and EventBridge', () => {
  it('only the functions that reach clusters read credentials: GetSecretValue on the named secrets', () => {
    for (const fn of ['Sync', 'Reconcile']) {
      const st = statementsOfRole(fn).find((x) => actionsOf(x).some((a) => a.startsWith('secretsmanager:')));
      expect(actionsOf(st ?? {})).toEqual(['secretsmanager:GetSecretValue']);
      const resources = asArray(st?.Resource as unknown);
      expect(resources).toHaveLength(3);
      for (const r of resources) expect(JSON.stringify(r)).toMatch(/ClusterCredentials/);
    }
    expect([...actionsOfRole('Ingest')].some((a) => a.startsWith('secretsmanager:'))).toBe(false);
  });

  it('no function may put events or change rules: only agents publish', () => {
    for (const fn of ['Ingest', 'Sync', 'Reconcile']) expect([...actionsOfRole(fn)].some((a) => a.startsWith('events:'))).toBe(false);
  });
});
