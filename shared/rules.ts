// The event-bus rules: one definition used by the CDK stack (infra/) and the local bus (local/bus).
// Patterns use EventBridge's content-filter syntax; the local bus implements the subset used here.
import { ACCEPTED_DETAIL_TYPES, SOURCE_PREFIX } from './schemas/events.ts';

export type PatternValue = string | { readonly prefix: string } | { readonly exists: boolean };
export type EventPattern = Readonly<Record<string, readonly PatternValue[]>>;

export interface RuleDefinition {
  /** Logical name, also the local rule name. */
  readonly name: string;
  readonly description: string;
  readonly pattern: EventPattern;
  /** The function that receives matching events. */
  readonly target: 'ingest';
}

const agentEvents = {
  source: [{ prefix: SOURCE_PREFIX }],
  'detail-type': ACCEPTED_DETAIL_TYPES,
} as const;

/** Live events only: a replay must not be mistaken for news (docs/design.md §5). */
export const LIVE_RULE: RuleDefinition = {
  name: 'agent-events-live',
  description: 'Agent events as they happen, to the ingest function',
  pattern: { ...agentEvents, 'replay-name': [{ exists: false }] },
  target: 'ingest',
};

/** Events replayed from the archive, to the same function (merging is idempotent). */
export const REPLAY_RULE: RuleDefinition = {
  name: 'agent-events-replay',
  description: 'Archive replays of agent events, to the ingest function',
  pattern: { ...agentEvents, 'replay-name': [{ exists: true }] },
  target: 'ingest',
};

export const RULES: readonly RuleDefinition[] = [LIVE_RULE, REPLAY_RULE];

/** The archive keeps agent events (live ones: replays are not archived again). */
export const ARCHIVE_PATTERN: EventPattern = { source: [{ prefix: SOURCE_PREFIX }] };
