// Counts DynamoDB operations by command name (PutItem, Query, …) on one client, through a
// client middleware: what the benchmarks and end-to-end figures report as reads and writes
// per event. Works on a DynamoDBClient and on a DocumentClient built from it (they share
// one middleware stack). A failed conditional write is still an operation, and is counted
// once more under `ConditionalCheckFailed`.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** Commands that consume write capacity (failed conditional writes included). */
export const WRITE_COMMANDS: readonly string[] = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems'];
/** Commands that consume read capacity. */
export const READ_COMMANDS: readonly string[] = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'];
export const CONDITIONAL_CHECK_FAILED = 'ConditionalCheckFailed';

export interface OpCounter {
  /** Operations by command name (without the `Command` suffix). */
  counts(): Readonly<Record<string, number>>;
  writes(): number;
  reads(): number;
  reset(): void;
  /** Remove the middleware from the client. */
  detach(): void;
}

type Stack = DynamoDBClient['middlewareStack'];

let nextId = 0;

export function countOps(client: { readonly middlewareStack: Stack }): OpCounter {
  const counts = new Map<string, number>();
  const bump = (name: string): void => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
  };
  const name = `gnsSyncOpCounter${nextId++}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      bump(command);
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') bump(CONDITIONAL_CHECK_FAILED);
        throw error;
      }
    },
    { step: 'initialize', name, override: true },
  );
  const sum = (names: readonly string[]): number => names.reduce((acc, n) => acc + (counts.get(n) ?? 0), 0);
  return {
    counts: () => Object.fromEntries(counts),
    writes: () => sum(WRITE_COMMANDS),
    reads: () => sum(READ_COMMANDS),
    reset: () => counts.clear(),
    detach: () => {
      client.middlewareStack.remove(name);
    },
  };
}
