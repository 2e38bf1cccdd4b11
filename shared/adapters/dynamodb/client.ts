// The DocumentClient the adapters share, and the few request helpers they repeat:
// paginated queries, batched gets with unprocessed-key retry, conditional-failure checks,
// and SDK errors turned into the retryable errors the queues understand.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { setTimeout as sleep } from 'node:timers/promises';
import { RetryableError } from '../../errors.ts';

export type Item = Record<string, unknown>;

export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

export function isConditionalFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Wrap an unexpected store failure: the message is redelivered and the merge retried (it is idempotent). */
export function storeError(what: string, error: unknown): RetryableError {
  return new RetryableError(`DynamoDB ${what} failed (${error instanceof Error ? error.name : 'error'}): the message will be retried`, { cause: error });
}

/** Every item of a query, following LastEvaluatedKey. */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/** Get items by key, 100 per request, retrying unprocessed keys with backoff. */
export async function batchGet(doc: DynamoDBDocumentClient, tableName: string, keys: readonly Item[], consistent = true): Promise<Item[]> {
  const out: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Item[] = keys.slice(i, i + 100);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 20 * 2 ** attempt));
      if (attempt > 8) throw new RetryableError(`DynamoDB kept ${pending.length} keys unprocessed after ${attempt} attempts: the message will be retried`);
      const res = await doc.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: consistent } } }));
      out.push(...((res.Responses?.[tableName] ?? []) as Item[]));
      pending = (res.UnprocessedKeys?.[tableName]?.Keys ?? []) as Item[];
    }
  }
  return out;
}

/** Run `fn` over `items` with at most `limit` in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
