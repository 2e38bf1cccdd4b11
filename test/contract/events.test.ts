// The event contract, end to end: each fixture (an event as EventBridge delivers it) parses;
// the agent's serializer turns the parsed event back into a PutEvents entry whose delivered
// envelope is the fixture again; and the parser reads that envelope back to the same event.
import { describe, expect, it } from 'vitest';
import { DETAIL_TYPES } from '../../shared/schemas/events.ts';
import type { GnsEvent } from '../../shared/schemas/events.ts';
import { toEnvelope } from '../../shared/schemas/envelope.ts';
import { parseBusEvent } from '../../shared/schemas/parse.ts';
import { entrySize, MAX_ENTRY_BYTES, toBusEntries } from '../../shared/schemas/serialize.ts';
import { deepFreeze, EVENT_FIXTURES, jsonFiles, readJson } from './helpers.ts';

const fixtures = jsonFiles(EVENT_FIXTURES);

function parsed(raw: unknown): { event: GnsEvent; id: string; replayName?: string } {
  const result = parseBusEvent(raw);
  if (!result.ok) throw new Error(`expected a valid event: ${result.reason}`);
  return result;
}

describe('event fixtures', () => {
  it('cover every detail-type, and a replayed event', () => {
    const types = fixtures.map((f) => readJson(EVENT_FIXTURES, f)['detail-type']);
    expect(new Set(types)).toEqual(new Set(Object.values(DETAIL_TYPES)));
    expect(fixtures.some((f) => 'replay-name' in readJson(EVENT_FIXTURES, f))).toBe(true);
  });

  it.each(fixtures)('%s: parses; serialize → deliver → parse gives it back', (file) => {
    const fixture = deepFreeze(readJson(EVENT_FIXTURES, file));
    const { event, id, replayName } = parsed(fixture);
    expect(id).toBe(fixture.id);
    expect(replayName).toBe(fixture['replay-name']);
    expect(event.type).toBe(fixture['detail-type']);
    expect(event.detail).toEqual(fixture.detail);

    const entries = toBusEntries(deepFreeze(event));
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    if (!entry) throw new Error('no entry');
    expect(entry.source).toBe(fixture.source);
    expect(entrySize({ ...entry, time: new Date() })).toBeLessThanOrEqual(MAX_ENTRY_BYTES);

    const delivered = toEnvelope(entry, {
      id: String(fixture.id),
      account: String(fixture.account),
      region: String(fixture.region),
      receivedAt: new Date(String(fixture.time)),
      ...(typeof fixture['replay-name'] === 'string' ? { replayName: fixture['replay-name'] } : {}),
    });
    expect(delivered).toEqual(fixture);
    expect(parsed(delivered)).toEqual(parsed(fixture));
  });

  it.each(fixtures)('%s: also parses from JSON text (an SQS message body)', (file) => {
    const fixture = readJson(EVENT_FIXTURES, file);
    expect(parsed(JSON.stringify(fixture))).toEqual(parsed(fixture));
  });

  it('a replay is told apart from live news only by replay-name', () => {
    const live = parsed(readJson(EVENT_FIXTURES, 'pod-upsert.json'));
    const replayed = parsed(readJson(EVENT_FIXTURES, 'pod-upsert-replayed.json'));
    expect(live.replayName).toBeUndefined();
    expect('replayName' in live).toBe(false);
    expect(replayed.replayName).toBe('gns-sync-rebuild-2026-11-28');
    expect(replayed.event).toEqual(live.event);
  });

  it('extra envelope fields EventBridge may add are ignored; the detail stays strict', () => {
    const fixture = readJson(EVENT_FIXTURES, 'pod-delete.json');
    expect(parsed({ ...fixture, 'new-eventbridge-field': 1 }).event).toEqual(parsed(fixture).event);
  });

  it('toEnvelope uses the entry time when set, in EventBridge\'s second precision', () => {
    const entry = { ...toBusEntries(parsed(readJson(EVENT_FIXTURES, 'pod-delete.json')).event)[0]!, time: new Date('2026-11-28T21:56:24.789Z') };
    const envelope = toEnvelope(entry, { id: 'x', account: '1', region: 'r', receivedAt: new Date(0) });
    expect(envelope.time).toBe('2026-11-28T21:56:24Z');
    expect(envelope.resources).toEqual([]);
  });
});
