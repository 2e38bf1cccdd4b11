// The shared rule patterns (shared/rules.ts) are EventBridge JSON already; CDK's EventPattern type
// only knows the camel-cased standard fields, so this hands the JSON over unchanged (a mutable copy).
import type * as events from 'aws-cdk-lib/aws-events';
import type { EventPattern } from '../shared/rules.ts';

export function toCdkPattern(pattern: EventPattern): events.EventPattern {
  return structuredClone(pattern) as unknown as events.EventPattern;
}
